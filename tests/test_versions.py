"""The dev server runs the target's PostgreSQL major version.

Two major versions read the same schema differently (PostgreSQL 17 gives every
table's owner MAINTAIN; definitions print differently), so a plan across major
versions would show changes that are not there. schemactl starts a dev server of
the target's version, refuses a --dev-url of another one unless told otherwise,
and then says so in every plan and still never plans what only one version knows.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from tests.conftest import ServerPool, default_major
from tests.support import Server, execute, round_trip, run_cli, write_schema

Capsys = pytest.CaptureFixture[str]
OTHER = 17 if default_major() != 17 else 16  # a major version other than the default server's

TABLE_WITH_GRANT = """
CREATE TABLE public.t (id int PRIMARY KEY, name text NOT NULL);
GRANT SELECT ON public.t TO version_reader;
"""


@pytest.fixture
def other_database(servers: ServerPool) -> Iterator[str]:
    """A fresh database on a server of another major version than the default one."""
    other = servers.get(OTHER)
    name = f"v_{secrets.token_hex(5)}"
    with psycopg.connect(other.url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'version_reader'").fetchone():
            conn.execute("CREATE ROLE version_reader NOLOGIN")
    url = psycopg.conninfo.make_conninfo(other.url, dbname=name)
    yield url
    with psycopg.connect(other.url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def test_without_a_dev_url_the_dev_server_is_of_the_targets_major_version(
    other_database: str, schema_dir: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SCHEMACTL_DEV_URL", raising=False)
    execute(other_database, TABLE_WITH_GRANT)
    write_schema(schema_dir, TABLE_WITH_GRANT)

    result = run_cli(
        capsys, "plan", "--schema", str(schema_dir), "--database-url", other_database,
        "--format", "json",
    )  # fmt: skip

    assert result.code == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["dev_server_version"].split(".")[0] == str(OTHER)
    assert plan["steps"] == [] and plan["warnings"] == []


def test_a_dev_url_of_another_major_version_is_refused_with_the_reason(
    server: Server, other_database: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, TABLE_WITH_GRANT)
    args = ["--schema", str(schema_dir), "--database-url", other_database, "--dev-url", server.url]

    for command in (("plan",), ("drift",), ("apply", "--auto-approve")):
        result = run_cli(capsys, *command, *args)
        assert result.code == 1, result.stdout
        assert (
            f"the dev server runs PostgreSQL {default_major()} and the target PostgreSQL {OTHER}"
            in result.stderr
        )
        assert "--allow-version-mismatch" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    with psycopg.connect(other_database) as conn:
        assert conn.execute("SELECT to_regclass('public.t')").fetchone() == (None,)


def test_an_allowed_version_mismatch_warns_in_every_plan_and_plans_no_version_artifacts(
    server: Server, other_database: str, schema_dir: Path, capsys: Capsys
) -> None:
    """A PostgreSQL 17 target checked by a 15 dev server: its owners' MAINTAIN privilege,
    which 15 cannot express, is not revoked."""
    execute(other_database, TABLE_WITH_GRANT)
    write_schema(schema_dir, TABLE_WITH_GRANT)
    args = [
        "--schema", str(schema_dir), "--database-url", other_database,
        "--dev-url", server.url, "--allow-version-mismatch",
    ]  # fmt: skip

    planned = run_cli(capsys, "plan", *args, "--format", "json", "--exit-code")
    drift = run_cli(capsys, "drift", *args)
    text = run_cli(capsys, "plan", *args)

    assert planned.code == 0, planned.stdout + planned.stderr
    plan = json.loads(planned.stdout)
    assert plan["steps"] == []
    [warning] = plan["warnings"]
    assert f"the dev server runs PostgreSQL {default_major()}." in warning
    assert "--allow-version-mismatch" in warning
    assert drift.code == 0, drift.stdout
    assert "warning: the dev server runs PostgreSQL" in " ".join(text.stdout.split())


def test_migrate_diff_replays_on_the_major_version_asked_for(
    tmp_path: Path, schema_dir: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command without a target takes --pg-version, else pg_version in schemactl.toml."""
    monkeypatch.delenv("SCHEMACTL_DEV_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    write_schema(schema_dir, "CREATE VIEW public.bits AS SELECT to_bin(5) AS b;")  # 17 and later
    args = ["migrate", "diff", "bits", "--schema", str(schema_dir)]

    by_option = run_cli(capsys, *args, "--migrations", "by_option", "--pg-version", "17")
    (tmp_path / "schemactl.toml").write_text("pg_version = 17\n")
    by_config = run_cli(capsys, *args, "--migrations", "by_config")
    (tmp_path / "schemactl.toml").write_text("pg_version = 16\n")
    on_16 = run_cli(capsys, *args, "--migrations", "on_16")

    assert by_option.code == 0, by_option.stderr
    assert by_config.code == 0, by_config.stderr
    assert on_16.code == 1 and "function to_bin(integer) does not exist" in on_16.stderr


def test_a_pg_version_that_is_not_a_major_version_is_a_clear_error(
    schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    result = run_cli(
        capsys, "migrate", "diff", "x", "--schema", str(schema_dir), "--pg-version", "latest"
    )
    assert result.code == 1
    assert "not a PostgreSQL major version: 'latest'" in result.stderr


def test_comparing_two_schema_folders_uses_the_major_version_asked_for(
    tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SCHEMACTL_DEV_URL", raising=False)
    before, after = tmp_path / "before", tmp_path / "after"
    before.mkdir()
    after.mkdir()
    write_schema(before, "CREATE TABLE public.t (id int);")
    write_schema(
        after, "CREATE TABLE public.t (id int);\nCREATE VIEW public.bits AS SELECT to_bin(5) AS b;"
    )
    args = ["diff", "--from", str(before), "--to", str(after)]

    on_17 = run_cli(capsys, *args, "--pg-version", "17", "--format", "json")
    on_16 = run_cli(capsys, *args, "--pg-version", "16")

    assert on_17.code == 2, on_17.stderr
    assert json.loads(on_17.stdout)["dev_server_version"].startswith("17.")
    assert on_16.code == 1 and "function to_bin(integer) does not exist" in on_16.stderr


def test_virtual_generated_columns_of_postgresql_18_are_planned_as_virtual(
    database_on_18: tuple[str, str], schema_dir: Path
) -> None:
    server_url, target = database_on_18
    old = "CREATE TABLE public.t (a int, doubled int GENERATED ALWAYS AS (a * 2) STORED);"
    new = "CREATE TABLE public.t (a int, doubled int GENERATED ALWAYS AS (a * 2) VIRTUAL);"

    plan = round_trip(server_url, target, schema_dir, old, new)

    assert any("GENERATED ALWAYS AS ((a * 2)) VIRTUAL" in step.sql for step in plan.steps)
    execute(target, "INSERT INTO public.t (a) VALUES (21)")
    with psycopg.connect(target) as conn:
        assert conn.execute("SELECT doubled FROM public.t").fetchone() == (42,)


FAKE_POSTGRES = """#!/bin/sh
echo ran >> "$(dirname "$0")/runs"
echo "postgres (PostgreSQL) {version}"
"""


def fake_server_binaries(folder: Path, version: str) -> Path:
    """A ``postgres`` that reports ``version`` and counts how often it was run."""
    folder.mkdir(exist_ok=True)
    postgres = folder / "postgres"
    postgres.write_text(FAKE_POSTGRES.format(version=version))
    postgres.chmod(0o755)
    return folder


def runs(folder: Path) -> int:
    counted = folder / "runs"
    return len(counted.read_text().split()) if counted.exists() else 0


def test_a_binarys_major_version_is_asked_once_and_asked_again_when_the_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from schemactl.devdb.versions import server_major

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("SCHEMACTL_NO_CACHE", raising=False)
    binaries = fake_server_binaries(tmp_path / "bin", "16.4")

    first = server_major(binaries)
    server_major.cache_clear()  # a later process
    again = server_major(binaries)
    assert (first, again, runs(binaries)) == (16, 16, 1)

    fake_server_binaries(binaries, "17.2 (upgraded in place)")  # same path, new file
    server_major.cache_clear()
    assert (server_major(binaries), runs(binaries)) == (17, 2)
    server_major.cache_clear()


def test_with_caches_off_a_binary_is_asked_every_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from schemactl.devdb.versions import server_major

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("SCHEMACTL_NO_CACHE", "1")
    binaries = fake_server_binaries(tmp_path / "bin", "15.8")
    for _ in range(2):
        server_major.cache_clear()
        assert server_major(binaries) == 15
    server_major.cache_clear()
    assert runs(binaries) == 2
    assert not (tmp_path / "cache").exists()
