"""The command-line contract CI jobs rely on: exit codes, JSON shape, refusals, redaction."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from psycopg import conninfo

from tests.support import Server, catalog_of, comparable, execute, run_cli, write_schema

pytestmark = pytest.mark.version_matrix  # once per PostgreSQL major version (tests/conftest.py)

Capsys = pytest.CaptureFixture[str]


def common(schema_dir: Path, database: str, server: Server) -> list[str]:
    return ["--schema", str(schema_dir), "--database-url", database, "--dev-url", server.url]


def test_plan_exit_code_is_2_with_changes_and_0_without(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    args = common(schema_dir, database, server)
    assert run_cli(capsys, "plan", *args, "--exit-code").code == 2
    assert run_cli(capsys, "plan", *args).code == 0
    assert run_cli(capsys, "apply", *args, "--auto-approve").code == 0
    assert run_cli(capsys, "plan", *args, "--exit-code").code == 0


def test_plan_never_changes_the_target(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, "CREATE TABLE gone (id int);")
    before = comparable(catalog_of(database))
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    assert run_cli(capsys, "plan", *common(schema_dir, database, server)).code == 0
    assert comparable(catalog_of(database)) == before


def test_plan_json_lists_steps_with_sql_kind_name_hazards_transactionality_and_subject(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, "CREATE TABLE t (id int, old text);")
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    result = run_cli(capsys, "plan", *common(schema_dir, database, server), "--format", "json")
    plan = json.loads(result.stdout)
    assert plan["changes"] is True
    assert plan["steps"] == [
        {
            "kind": "column",
            "name": "public.t.old",
            "action": "drop",
            "sql": "ALTER TABLE public.t DROP COLUMN old;",
            "hazards": [
                {
                    "kind": "data_loss",
                    "reason": "dropping column old of public.t deletes its values",
                },
                {
                    "kind": "access_exclusive_lock",
                    "reason": "metadata-only change under an ACCESS EXCLUSIVE lock",
                },
            ],
            "transactional": True,
            "separate": False,
            "subject": {"kind": "table", "name": "public.t", "part_kind": "column", "part": "old"},
            "attributes": [],
            "preconditions": [],
        }
    ]
    assert plan["rollback"][0]["sql"] == "ALTER TABLE public.t ADD COLUMN old text;"
    assert plan["dev_server_version"].split(".")[0] == str(server.major)


def test_plan_sql_prints_only_the_migration_and_out_writes_it(
    server: Server, database: str, schema_dir: Path, capsys: Capsys, tmp_path: Path
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    out = tmp_path / "plan.sql"
    result = run_cli(
        capsys, "plan", *common(schema_dir, database, server), "--format", "sql", "--out", str(out)
    )
    assert result.stdout == "CREATE TABLE public.t (\n    id integer\n);\n"
    assert out.read_text() == result.stdout


def test_apply_refuses_to_prompt_without_a_terminal(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    result = run_cli(capsys, "apply", *common(schema_dir, database, server))
    assert result.code == 1
    assert "not a terminal" in result.stderr and "--auto-approve" in result.stderr
    assert catalog_of(database).tables == {}


def test_apply_refuses_destructive_steps_unless_allowed(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, "CREATE TABLE t (id int, old text); INSERT INTO t VALUES (1, 'kept');")
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    args = [*common(schema_dir, database, server), "--auto-approve"]
    refused = run_cli(capsys, "apply", *args)
    assert refused.code == 1
    assert "drop column public.t.old: data_loss" in refused.stderr
    assert "nothing was changed" in refused.stderr
    assert catalog_of(database).tables["public.t"].column("old") is not None
    assert run_cli(capsys, "apply", *args, "--allow-hazards", "data_loss").code == 0
    assert catalog_of(database).tables["public.t"].column("old") is None


def test_apply_records_history_with_up_down_checksum_and_duration(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    assert (
        run_cli(capsys, "apply", *common(schema_dir, database, server), "--auto-approve").code == 0
    )
    with psycopg.connect(database) as conn:
        row = conn.execute(
            "SELECT kind, up_sql, down_sql, checksum, applied_by, duration_ms FROM schemactl.history"
        ).fetchone()
    assert row is not None
    kind, up, down, checksum, applied_by, duration = row
    assert (kind, up, down) == (
        "apply",
        "CREATE TABLE public.t (\n    id integer\n);\n",
        "DROP TABLE public.t;\n",
    )
    assert checksum.startswith("sha256:") and applied_by == "postgres" and duration >= 0


def test_a_second_apply_changes_nothing(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(
        schema_dir, "CREATE TABLE t (id int PRIMARY KEY, s varchar(9) CHECK (s IN ('a', 'b')));"
    )
    args = [*common(schema_dir, database, server), "--auto-approve"]
    assert run_cli(capsys, "apply", *args).code == 0
    again = run_cli(capsys, "apply", *args)
    assert again.code == 0 and "No changes" in again.stdout


def test_drift_exits_0_in_sync_and_2_with_drift_listing_each_object(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    args = common(schema_dir, database, server)
    assert run_cli(capsys, "apply", *args, "--auto-approve").code == 0
    assert run_cli(capsys, "drift", *args).code == 0
    execute(database, "ALTER TABLE t ADD COLUMN extra int; CREATE TABLE stray (id int);")
    result = run_cli(capsys, "drift", *args, "--format", "json")
    assert result.code == 2
    report = json.loads(result.stdout)
    assert report["drift"] is True
    assert [(o["kind"], o["name"], o["state"]) for o in report["objects"]] == [
        ("table", "public.stray", "unexpected"),
        ("column", "public.t.extra", "unexpected"),
    ]


def test_excluded_schemas_are_left_alone(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, "CREATE SCHEMA auth; CREATE TABLE auth.users (id int);")
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    args = common(schema_dir, database, server)
    plan = json.loads(
        run_cli(capsys, "plan", *args, "--exclude-schema", "auth", "--format", "json").stdout
    )
    assert [s["name"] for s in plan["steps"]] == ["public.t"]
    only = json.loads(
        run_cli(capsys, "plan", *args, "--include-schema", "public", "--format", "json").stdout
    )
    assert [s["name"] for s in only["steps"]] == ["public.t"]


def test_a_syntax_error_exits_1_with_file_line_column_and_changes_nothing(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(
        schema_dir, "CREATE TABLE ok (id int);\nCREATE TABLE bad (id int,, x);\n", "bad.sql"
    )
    result = run_cli(capsys, "apply", *common(schema_dir, database, server), "--auto-approve")
    assert result.code == 1
    assert f"{schema_dir / 'bad.sql'}:2:26: syntax error" in result.stderr
    assert catalog_of(database).tables == {}


def test_a_statement_postgresql_rejects_names_its_place_and_the_server_message(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);\nCREATE INDEX i ON t (missing);\n")
    result = run_cli(capsys, "plan", *common(schema_dir, database, server))
    assert result.code == 1
    assert f'{schema_dir / "schema.sql"}:2:1: column "missing" does not exist' in result.stderr


def test_a_missing_schema_folder_is_an_error(
    server: Server, database: str, tmp_path: Path, capsys: Capsys
) -> None:
    result = run_cli(capsys, "plan", *common(tmp_path / "nope", database, server))
    assert result.code == 1 and "does not exist" in result.stderr


def test_an_unavailable_extension_is_named(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE EXTENSION no_such_thing;")
    result = run_cli(capsys, "plan", *common(schema_dir, database, server))
    assert (
        result.code == 1 and "'no_such_thing' is not available on the dev server" in result.stderr
    )


def test_roles_named_by_the_schema_are_created_in_the_dev_database(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(
        schema_dir, "CREATE TABLE t (id int);\nGRANT SELECT ON t TO role_only_in_schema;\n"
    )
    result = run_cli(capsys, "plan", *common(schema_dir, database, server))
    assert result.code == 0, result.stderr


def test_a_url_without_a_database_is_refused(
    schema_dir: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PGDATABASE", raising=False)
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    result = run_cli(
        capsys, "plan", "--schema", str(schema_dir), "--database-url", "postgresql://u@127.0.0.1:1"
    )
    assert result.code == 1 and "names no database" in result.stderr


def test_a_wrong_password_exits_1_and_never_prints_the_password(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    if server.embedded is None:
        pytest.skip("needs the suite's own server to configure password authentication")
    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS pw_user")
        conn.execute("CREATE ROLE pw_user LOGIN PASSWORD 'right-secret'")
    hba = Path(server.embedded.folder) / "data" / "pg_hba.conf"
    original = hba.read_text()
    hba.write_text("host all pw_user 127.0.0.1/32 scram-sha-256\n" + original)
    try:
        with psycopg.connect(server.url, autocommit=True) as conn:
            conn.execute("SELECT pg_reload_conf()")
        params = conninfo.conninfo_to_dict(database)
        url = f"postgresql://pw_user:S3cr3t-Wr0ng@127.0.0.1:{params['port']}/{params['dbname']}"
        write_schema(schema_dir, "CREATE TABLE t (id int);")
        result = run_cli(
            capsys,
            "plan",
            "--schema",
            str(schema_dir),
            "--database-url",
            url,
            "--dev-url",
            server.url,
        )
        assert result.code == 1
        assert "password authentication failed" in result.stderr
        assert "S3cr3t-Wr0ng" not in result.stdout + result.stderr
    finally:
        hba.write_text(original)
        with psycopg.connect(server.url, autocommit=True) as conn:
            conn.execute("SELECT pg_reload_conf()")


def test_an_unreachable_host_is_a_one_line_error(schema_dir: Path, capsys: Capsys) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    result = run_cli(
        capsys,
        "plan",
        "--schema",
        str(schema_dir),
        "--database-url",
        "postgresql://u:pw@127.0.0.1:1/db",
    )
    assert result.code == 1
    assert result.stderr.startswith(
        "error: cannot connect to the target database at 127.0.0.1:1/db"
    )
    assert ":pw@" not in result.stderr


def test_usage_errors_exit_1_not_2(capsys: Capsys) -> None:
    assert run_cli(capsys, "plan", "--format", "yaml").code == 1


def test_the_console_script_exit_code_is_the_contract(
    server: Server, database: str, schema_dir: Path
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    result = subprocess.run(
        [sys.executable, "-m", "schemactl", "drift", *common(schema_dir, database, server)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2, result.stderr


PIPELINE_MODULES = ("psycopg", "pglast", "jinja2", "schemactl.pipeline", "schemactl.apply",
                    "schemactl.catalog", "schemactl.diff", "schemactl.plan", "schemactl.fleet",
                    "schemactl.migrations", "schemactl.testing", "schemactl.dump")  # fmt: skip


@pytest.mark.parametrize("args", [["--help"], ["version"], ["migrate", "--help"]])
def test_the_command_line_loads_no_pipeline_for_help_or_version(args: list[str]) -> None:
    """Every command module is imported whatever runs: their pipelines wait for the
    command's body (cli/app.py), so that starting schemactl stays cheap."""
    probe = (
        "import sys\n"
        "from schemactl.cli import main\n"
        f"sys.argv = ['schemactl', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(' '.join(m for m in {PIPELINE_MODULES!r} if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == ""


def test_help_lists_every_command_though_a_run_builds_only_its_own(capsys: Capsys) -> None:
    """A command line builds only the command it names (cli/app.py ``command_line``):
    help, an unknown name and a group's help still see the whole application."""
    from schemactl.cli.app import app

    listed = run_cli(capsys, "--help").stdout
    names = [info.name or info.callback.__name__.replace("_", "-")
             for info in app.registered_commands if info.callback]  # fmt: skip
    assert names and all(name in listed for name in names)
    assert all(group.name in listed for group in app.registered_groups if group.name)
    unknown = run_cli(capsys, "no-such-command")
    assert unknown.code == 1 and "No such command" in unknown.stderr
    assert "Usage: schemactl plan" in run_cli(capsys, "plan", "--help").stdout
    misspelt = run_cli(capsys, "plan", "--no-such-option")
    assert misspelt.code == 1 and "--no-such-option" in misspelt.stderr


def test_a_reviewed_plan_file_is_applied_exactly(
    server: Server, database: str, schema_dir: Path, capsys: Capsys, tmp_path: Path
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    plan_file = tmp_path / "plan.json"
    args = common(schema_dir, database, server)
    assert run_cli(capsys, "plan", *args, "--out", str(plan_file)).code == 0
    assert json.loads(plan_file.read_text())["target_fingerprint"].startswith("sha256:")
    write_schema(schema_dir, "CREATE TABLE t (id int, ignored_after_review int);")
    applied = run_cli(
        capsys, "apply", "--plan", str(plan_file), "--database-url", database, "--auto-approve"
    )
    assert applied.code == 0, applied.stderr
    assert [c.name for c in catalog_of(database).tables["public.t"].columns] == ["id"]


def test_a_plan_file_is_refused_when_the_target_changed_since(
    server: Server, database: str, schema_dir: Path, capsys: Capsys, tmp_path: Path
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    plan_file = tmp_path / "plan.json"
    assert (
        run_cli(capsys, "plan", *common(schema_dir, database, server), "--out", str(plan_file)).code
        == 0
    )
    execute(database, "CREATE TABLE sneaked_in (id int);")
    refused = run_cli(
        capsys, "apply", "--plan", str(plan_file), "--database-url", database, "--auto-approve"
    )
    assert refused.code == 1
    assert "changed since the plan" in refused.stderr
    assert "public.t" not in catalog_of(database).tables


def test_a_corrupt_plan_file_is_a_clear_error(
    database: str, tmp_path: Path, capsys: Capsys
) -> None:
    plan_file = tmp_path / "plan.json"
    plan_file.write_text('{"format_version": 1, "steps": [')
    result = run_cli(
        capsys, "apply", "--plan", str(plan_file), "--database-url", database, "--auto-approve"
    )
    assert result.code == 1
    assert (
        result.stderr.startswith(f"error: {plan_file}:1:")
        and "not a schemactl plan file" in result.stderr
    )


def test_a_team_can_require_allowance_for_more_hazard_classes(
    server: Server,
    database: str,
    schema_dir: Path,
    capsys: Capsys,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    execute(database, "CREATE TABLE t (n int);")
    write_schema(schema_dir, "CREATE TABLE t (n bigint);")
    (tmp_path / "schemactl.toml").write_text('require_allow = ["table_rewrite"]\n')
    monkeypatch.chdir(tmp_path)
    args = [*common(schema_dir, database, server), "--auto-approve"]
    refused = run_cli(capsys, "apply", *args)
    assert refused.code == 1 and "table_rewrite" in refused.stderr
    assert catalog_of(database).tables["public.t"].columns[0].type == "integer"
    assert run_cli(capsys, "apply", *args, "--allow-hazards", "table_rewrite").code == 0


def test_a_role_unknown_to_the_target_is_refused_before_anything_runs(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(
        schema_dir, "CREATE TABLE t (id int);\nGRANT SELECT ON t TO role_the_target_lacks;\n"
    )
    # The dev database must live on another server: roles are server-wide.
    args = ["--schema", str(schema_dir), "--database-url", database]
    plan = run_cli(capsys, "plan", *args)
    assert plan.code == 0 and "role_the_target_lacks" in plan.stdout
    result = run_cli(capsys, "apply", *args, "--auto-approve")
    assert result.code == 1
    assert "roles the target does not have: role_the_target_lacks" in result.stderr
    assert catalog_of(database).tables == {}


def test_apply_can_run_under_set_role(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    dbname = conninfo.conninfo_to_dict(database)["dbname"]
    execute(server.url, "DROP ROLE IF EXISTS deployer; CREATE ROLE deployer NOLOGIN")
    execute(
        database,
        f'GRANT CREATE ON DATABASE "{dbname}" TO deployer; GRANT CREATE ON SCHEMA public TO deployer;',
    )
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    args = [*common(schema_dir, database, server), "--auto-approve", "--role", "deployer"]
    assert run_cli(capsys, "apply", *args).code == 0
    with psycopg.connect(database) as conn:
        owner = conn.execute("SELECT tableowner FROM pg_tables WHERE tablename = 't'").fetchone()
    assert owner == ("deployer",)


def test_the_history_is_readable_by_its_owner_only(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    assert (
        run_cli(capsys, "apply", *common(schema_dir, database, server), "--auto-approve").code == 0
    )
    execute(server.url, "DROP ROLE IF EXISTS curious; CREATE ROLE curious NOLOGIN")
    with psycopg.connect(database) as conn:
        row = conn.execute(
            "SELECT has_schema_privilege('curious', 'schemactl', 'USAGE'),"
            " has_table_privilege('curious', 'schemactl.history', 'SELECT')"
        ).fetchone()
    assert row == (False, False)


def test_secrets_never_reach_the_history_or_plan_files(
    server: Server, database: str, schema_dir: Path, capsys: Capsys, tmp_path: Path
) -> None:
    params = conninfo.conninfo_to_dict(database)
    url = f"postgresql://postgres:Sup3r-S3cret@127.0.0.1:{params['port']}/{params['dbname']}"
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    plan_file = tmp_path / "plan.json"
    args = ["--schema", str(schema_dir), "--database-url", url, "--dev-url", server.url]
    assert run_cli(capsys, "plan", *args, "--out", str(plan_file)).code == 0
    assert run_cli(capsys, "apply", *args, "--auto-approve").code == 0
    with psycopg.connect(database) as conn:
        history = conn.execute("SELECT row_to_json(h)::text FROM schemactl.history h").fetchall()
    assert "Sup3r-S3cret" not in plan_file.read_text() + str(history)


def test_bad_schema_input_is_reported_before_any_connection(
    schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(
        schema_dir, "CREATE TABLE ok (id int);\nCREATE TABLE bad (id int,, x);\n", "bad.sql"
    )
    unreachable = "postgresql://u:pw@127.0.0.1:1/db"
    for command in ("plan", "drift", "apply"):
        result = run_cli(
            capsys, command, "--schema", str(schema_dir), "--database-url", unreachable
        )
        assert result.code == 1
        assert result.stderr.startswith(f"error: {schema_dir / 'bad.sql'}:2:26: syntax error")
