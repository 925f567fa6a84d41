"""pg_partman: the registration is declared in schema/, the children are pg_partman's.

Debian's postgresql-NN-partman provides the extension (.ci/run installs it); on a
server at TEST_DATABASE_URL that lacks it these specifications are skipped.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.support import Server, execute, run_cli, write_schema

pytestmark = pytest.mark.needs("pg_partman")

REGISTERED = """
CREATE SCHEMA partman;
CREATE EXTENSION pg_partman SCHEMA partman;
CREATE TABLE events (
    id bigint NOT NULL,
    at timestamptz NOT NULL,
    payload jsonb
) PARTITION BY RANGE (at);
CREATE INDEX events_at_idx ON events (at);
SELECT partman.create_parent('public.events', 'at', 'native', 'monthly', p_premake := 2);
"""


def children(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'public.events'::regclass ORDER BY 1"
        ).fetchall()
    return [r[0] for r in rows]


def test_a_declared_registration_runs_once_and_its_children_are_never_drift(
    server: Server, database: str, schema_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_schema(schema_dir, REGISTERED)
    args = ["--schema", str(schema_dir), "--database-url", database, "--dev-url", server.url]
    plan = run_cli(capsys, "plan", *args, "--format", "json")
    assert plan.code == 0, plan.stderr
    assert "partman.create_parent('public.events'" in plan.stdout
    assert "not_reversible" in plan.stdout
    applied = run_cli(capsys, "apply", *args, "--auto-approve")
    assert applied.code == 0, applied.stderr
    made = children(database)
    assert len(made) >= 3 and "events_default" in made
    assert run_cli(capsys, "drift", *args).code == 0

    execute(database, "UPDATE partman.part_config SET premake = 6, infinite_time_partitions = true")
    execute(database, "SELECT partman.run_maintenance()")
    assert len(children(database)) > len(made), "pg_partman made more children"
    assert run_cli(capsys, "drift", *args).code == 0
    assert run_cli(capsys, "plan", *args, "--exit-code").code == 0


def test_registering_an_existing_table_plans_only_the_registration(
    server: Server, database: str, schema_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    execute(database, REGISTERED.split("SELECT partman")[0])
    write_schema(schema_dir, REGISTERED)
    args = ["--schema", str(schema_dir), "--database-url", database, "--dev-url", server.url]
    plan = run_cli(capsys, "plan", *args, "--format", "sql")
    assert plan.code == 0, plan.stderr
    assert plan.stdout.strip() == (
        "SELECT partman.create_parent('public.events', 'at', 'native', 'monthly', p_premake := 2);"
    )
    assert run_cli(capsys, "apply", *args, "--auto-approve").code == 0
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM partman.part_config").fetchone() == (1,)
    assert run_cli(capsys, "drift", *args).code == 0
