"""Named environments of schemactl.toml (``[env.NAME]``) and ``schemactl init``.

An environment names the variable that holds its database URL, never the URL's
password; ``--env NAME`` (or ``SCHEMACTL_ENV``) selects one on every command, and
options still win over what it says.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from schemactl.cli.options import dev_url, lock_timeout_of, scope_of, target_url
from schemactl.config import load_project_config
from schemactl.errors import SchemactlError
from tests.support import Server, catalog_of, execute, run_cli, write_schema

Capsys = pytest.CaptureFixture[str]

CONFIG = """
lock_timeout = "5s"

[env.dev]
url_env = "DATABASE_URL"

[env.staging]
url_env = "STAGING_DATABASE_URL"
lock_timeout = "3s"

[env.prod]
url_env = "PROD_DATABASE_URL"
lock_timeout = "2s"
exclude_schemas = ["audit"]
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with CONFIG and an empty schema/, as the working directory."""
    (tmp_path / "schemactl.toml").write_text(CONFIG)
    (tmp_path / "schema").mkdir()
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "STAGING_DATABASE_URL", "PROD_DATABASE_URL", "SCHEMACTL_ENV"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def tables_of(url: str) -> set[str]:
    return set(catalog_of(url).tables)


def test_env_selects_the_database_its_variable_names(
    server: Server,
    database: str,
    other_database: str,
    project: Path,
    capsys: Capsys,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("PROD_DATABASE_URL", other_database)
    write_schema(project / "schema", "CREATE TABLE t (id int);")
    result = run_cli(capsys, "apply", "--env", "prod", "--dev-url", server.url, "--auto-approve")
    assert result.code == 0, result.stderr
    assert tables_of(other_database) == {"public.t"} and tables_of(database) == set()


def test_schemactl_env_selects_when_the_option_is_absent(
    server: Server,
    database: str,
    other_database: str,
    project: Path,
    capsys: Capsys,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("STAGING_DATABASE_URL", other_database)
    monkeypatch.setenv("SCHEMACTL_ENV", "staging")
    write_schema(project / "schema", "CREATE TABLE t (id int);")
    assert run_cli(capsys, "apply", "--dev-url", server.url, "--auto-approve").code == 0
    assert tables_of(other_database) == {"public.t"} and tables_of(database) == set()


def test_an_option_wins_over_the_environment(
    server: Server,
    database: str,
    other_database: str,
    project: Path,
    capsys: Capsys,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PROD_DATABASE_URL", other_database)
    write_schema(project / "schema", "CREATE TABLE t (id int);")
    result = run_cli(capsys, "apply", "--env", "prod", "--database-url", database,
                     "--dev-url", server.url, "--auto-approve")  # fmt: skip
    assert result.code == 0, result.stderr
    assert tables_of(database) == {"public.t"} and tables_of(other_database) == set()


def test_an_unset_variable_is_an_error_never_a_fallback_to_another_database(
    database: str, project: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database)
    write_schema(project / "schema", "CREATE TABLE t (id int);")
    result = run_cli(capsys, "plan", "--env", "prod")
    assert result.code == 1
    assert result.stderr == (
        "error: environment prod: $PROD_DATABASE_URL is not set (schemactl.toml [env.prod] "
        'url_env = "PROD_DATABASE_URL")\n'
    )


def test_an_unknown_environment_is_named_with_the_defined_ones(
    project: Path, capsys: Capsys
) -> None:
    result = run_cli(capsys, "drift", "--env", "qa")
    assert result.code == 1
    assert "no environment qa (defined: dev, prod, staging)" in result.stderr


def test_env_without_a_config_file_says_how_to_get_one(
    tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli(capsys, "status", "--env", "prod")
    assert result.code == 1
    assert "no schemactl.toml here to define environment prod (schemactl init" in result.stderr


@pytest.mark.parametrize(
    ("setting", "place"),
    [
        ('url = "postgresql://app:Hunter2x@db.example.com/app"', "env.prod.url"),
        ("url = \"host=db dbname=app password='Hunter2x'\"", "env.prod.url"),
        ('password = "Hunter2x"', "env.prod.password"),
        ('dev_url = "postgresql://dev:Hunter2x@localhost/postgres"', "env.prod.dev_url"),
    ],
)
def test_a_password_in_the_file_is_refused_without_repeating_it(
    project: Path, capsys: Capsys, setting: str, place: str
) -> None:
    (project / "schemactl.toml").write_text(f"[env.prod]\n{setting}\n")
    result = run_cli(capsys, "plan", "--env", "prod")
    assert result.code == 1
    assert f"{place} holds a password; keep secrets out of schemactl.toml" in result.stderr
    assert "url_env" in result.stderr
    assert "Hunter2x" not in result.stdout + result.stderr


def test_a_password_in_the_file_is_refused_even_without_env(project: Path, capsys: Capsys) -> None:
    (project / "schemactl.toml").write_text(
        'lock_timeout = "5s"\n[env.prod]\nurl = "postgresql://a:Hunter2x@h/db"\n'
    )
    result = run_cli(capsys, "apply", "--database-url", "postgresql://u@127.0.0.1:1/db")
    assert result.code == 1 and "holds a password" in result.stderr


def test_a_literal_url_without_a_password_is_accepted(project: Path) -> None:
    (project / "schemactl.toml").write_text('[env.local]\nurl = "postgresql://localhost/app"\n')
    assert target_url(None, "local") == "postgresql://localhost/app"


def test_an_unknown_setting_is_named(project: Path, capsys: Capsys) -> None:
    (project / "schemactl.toml").write_text('[env.prod]\nurl_env = "X"\ndatabase = "app"\n')
    result = run_cli(capsys, "plan", "--env", "prod")
    assert result.code == 1
    assert "[env.prod] has unknown setting database (known: dev_url, dev_url_env" in result.stderr


def test_the_environment_gives_dev_server_scope_and_lock_timeout(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "schemactl.toml").write_text(
        CONFIG + '\n[env.ci]\nurl_env = "CI_URL"\ndev_url_env = "CI_DEV_URL"\n'
        'include_schemas = ["app"]\nprofile = "supabase"\nexclude = ["tmp_*"]\n'
    )
    monkeypatch.setenv("CI_DEV_URL", "postgresql://localhost/dev")
    monkeypatch.delenv("SCHEMACTL_DEV_URL", raising=False)
    assert dev_url(None, "ci") == "postgresql://localhost/dev"
    assert dev_url("postgresql://other/dev", "ci") == "postgresql://other/dev"
    assert dev_url(None, "prod") is None
    assert scope_of(None, None, None, "ci").include == ("app",)
    assert scope_of(None, None, None, "ci").profile is not None
    assert scope_of(None, None, None, "ci").objects == ("tmp_*",)
    assert scope_of(None, None, None, "prod").exclude == ("audit",)
    assert scope_of(None, ["x"], None, "prod").exclude == ("x",)
    assert lock_timeout_of(None, "prod") == "2s"
    assert lock_timeout_of("9s", "prod") == "9s"
    assert lock_timeout_of(None, "dev") == "5s"
    assert lock_timeout_of(None, None) == "5s"


def test_the_environments_excluded_schemas_are_left_alone(
    server: Server, database: str, project: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROD_DATABASE_URL", database)
    monkeypatch.setenv("DATABASE_URL", database)
    execute(database, "CREATE SCHEMA audit; CREATE TABLE audit.log (id int);")
    write_schema(project / "schema", "CREATE TABLE t (id int);")
    execute(database, "CREATE TABLE t (id int);")
    assert run_cli(capsys, "drift", "--env", "prod", "--dev-url", server.url).code == 0
    assert run_cli(capsys, "drift", "--env", "dev", "--dev-url", server.url).code == 2


def test_diff_compares_two_environments(
    server: Server,
    database: str,
    other_database: str,
    project: Path,
    capsys: Capsys,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STAGING_DATABASE_URL", database)
    monkeypatch.setenv("PROD_DATABASE_URL", other_database)
    execute(database, "CREATE TABLE t (id int, added text);")
    execute(other_database, "CREATE TABLE t (id int);")
    result = run_cli(capsys, "diff", "--from", "env:prod", "--to", "env:staging",
                     "--format", "sql")  # fmt: skip
    assert result.code == 2, result.stderr
    assert result.stdout == "ALTER TABLE public.t ADD COLUMN added text;\n"


def test_reading_the_config_connects_to_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROD_DATABASE_URL", "postgresql://u@127.0.0.1:1/unreachable")
    config = load_project_config()
    assert config.environment("prod").database_url().endswith("/unreachable")
    with pytest.raises(SchemactlError, match="no environment qa"):
        config.environment("qa")


# --- schemactl init ----------------------------------------------------------------


def test_init_scaffolds_config_schema_migrations_and_a_drift_workflow(
    tmp_path: Path, capsys: Capsys
) -> None:
    project = tmp_path / "app"
    result = run_cli(capsys, "init", str(project))
    assert result.code == 0, result.stderr
    for relative in ("schemactl.toml", "schema/README.md", "migrations/README.md",
                     ".github/workflows/schema-drift.yml"):  # fmt: skip
        assert (project / relative).is_file(), relative
        assert f"created {project / relative}" in result.stdout
    config = load_project_config(project)
    assert sorted(config.environments) == ["dev", "prod", "staging"]
    assert [config.environments[n].url_env for n in ("dev", "staging", "prod")] == [
        "DATABASE_URL", "STAGING_DATABASE_URL", "PROD_DATABASE_URL",
    ]  # fmt: skip
    assert all(env.url is None for env in config.environments.values())
    workflow = (project / ".github/workflows/schema-drift.yml").read_text()
    assert "run: schemactl drift --env prod" in workflow
    assert "PROD_DATABASE_URL: ${{ secrets.PROD_DATABASE_URL }}" in workflow


def test_init_keeps_files_that_exist(tmp_path: Path, capsys: Capsys) -> None:
    (tmp_path / "schemactl.toml").write_text('lock_timeout = "1s"\n')
    result = run_cli(capsys, "init", str(tmp_path))
    assert result.code == 0
    assert (tmp_path / "schemactl.toml").read_text() == 'lock_timeout = "1s"\n'
    assert f"kept    {tmp_path / 'schemactl.toml'} (exists)" in result.stdout
    assert (tmp_path / "schema" / "README.md").is_file()


def test_a_scaffolded_project_plans_applies_and_checks_drift_by_environment(
    server: Server,
    database: str,
    tmp_path: Path,
    capsys: Capsys,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_cli(capsys, "init").code == 0
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("PROD_DATABASE_URL", database)
    monkeypatch.setenv("SCHEMACTL_DEV_URL", server.url)
    write_schema(tmp_path / "schema", "CREATE TABLE t (id int);", "tables.sql")
    assert run_cli(capsys, "plan", "--env", "dev", "--exit-code").code == 2
    assert run_cli(capsys, "apply", "--env", "dev", "--auto-approve").code == 0
    assert run_cli(capsys, "drift", "--env", "prod").code == 0


def test_init_from_an_unreachable_database_writes_nothing(tmp_path: Path, capsys: Capsys) -> None:
    project = tmp_path / "app"
    result = run_cli(
        capsys, "init", str(project), "--from-database", "postgresql://u:Sekr3t@127.0.0.1:1/db"
    )
    assert result.code == 1
    assert "cannot connect to the database to dump at 127.0.0.1:1/db" in result.stderr
    assert "Sekr3t" not in result.stdout + result.stderr
    assert not project.exists()


def test_init_keeps_a_schema_folder_that_holds_sql(
    database: str, tmp_path: Path, capsys: Capsys
) -> None:
    (tmp_path / "schema").mkdir()
    write_schema(tmp_path / "schema", "CREATE TABLE mine (id int);")
    result = run_cli(capsys, "init", str(tmp_path), "--from-database", database)
    assert result.code == 1
    assert "already holds .sql files and init keeps them" in result.stderr
    assert (tmp_path / "schema" / "schema.sql").read_text() == "CREATE TABLE mine (id int);"
    assert not (tmp_path / "schemactl.toml").exists()
