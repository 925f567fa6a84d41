"""A rollback restores the previous schema exactly, and refuses exactly when data was lost.

For every applied change that destroyed nothing, ``schemactl rollback`` brings back what
pg_dump prints of the schema, owners and grants included: an object the migration gave
to another owner goes back to the previous one (the role that owned it is recorded,
even when the schema never names it), and a grant made by a role other than the owner
is revoked and granted again by that role. A rollback is refused as NOT REVERSIBLE
exactly when the apply dropped data, and the refusal says which.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from schemactl.devdb.loader import ensure_roles
from tests.support import (
    Server,
    execute,
    round_trip,
    run_cli,
    schema_dump,
    sqls,
    write_schema,
)

Capsys = pytest.CaptureFixture[str]
TABLE = "CREATE TABLE t (id int PRIMARY KEY, note text);\n"


@pytest.fixture(autouse=True)
def roles(server: Server) -> None:
    with psycopg.connect(server.url, autocommit=True) as conn:
        ensure_roles(conn, ["exact_owner", "exact_lead", "exact_reader"])


def _current_user(url: str) -> str:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT current_user").fetchone()
    assert row is not None
    return str(row[0])


def test_an_owner_change_is_rolled_back_to_the_previous_owner_by_name(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url, database, schema_dir, TABLE, TABLE + "ALTER TABLE t OWNER TO exact_owner;"
    )
    assert sqls(plan) == ["ALTER TABLE public.t OWNER TO exact_owner;"]
    assert plan.down_sql().strip() == f"ALTER TABLE public.t OWNER TO {_current_user(database)};"
    assert "not_reversible" not in plan.steps[0].hazard_kinds


def test_an_owner_stated_on_both_sides_goes_back_to_the_old_one(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLE + "ALTER TABLE t OWNER TO exact_lead;",
        TABLE + "ALTER TABLE t OWNER TO exact_owner;",
    )
    assert plan.down_sql().strip() == "ALTER TABLE public.t OWNER TO exact_lead;"


def test_rollback_without_force_restores_owners_after_apply(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, TABLE + "CREATE SCHEMA app;")
    before = schema_dump(database)
    write_schema(
        schema_dir,
        TABLE + "CREATE SCHEMA app; ALTER SCHEMA app OWNER TO exact_owner;"
        "ALTER TABLE t OWNER TO exact_owner;",
    )
    common = ["--database-url", database]
    applied = run_cli(
        capsys, "apply", "--schema", str(schema_dir), *common, "--dev-url", server.url,
        "--auto-approve",
    )  # fmt: skip
    assert applied.code == 0, applied.stderr
    assert schema_dump(database) != before
    rolled = run_cli(capsys, "rollback", *common, "--auto-approve")
    assert rolled.code == 0, rolled.stderr
    assert schema_dump(database) == before


def test_a_refusal_names_each_thing_whose_data_was_dropped(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, TABLE + "CREATE TABLE old (id int); CREATE SEQUENCE tickets;")
    write_schema(schema_dir, "CREATE TABLE t (id int PRIMARY KEY);")
    common = ["--database-url", database]
    applied = run_cli(
        capsys, "apply", "--schema", str(schema_dir), *common, "--dev-url", server.url,
        "--auto-approve", "--allow-destructive",
    )  # fmt: skip
    assert applied.code == 0, applied.stderr
    refused = run_cli(capsys, "rollback", *common, "--auto-approve")
    assert refused.code == 1 and "NOT REVERSIBLE" in refused.stderr
    for dropped in ("table public.old", "column note of public.t", "sequence public.tickets"):
        assert dropped in refused.stderr, dropped


GRANTS = (
    TABLE + "GRANT SELECT ON t TO exact_lead WITH GRANT OPTION;\n"
    "SET ROLE exact_lead;\nGRANT SELECT ON t TO exact_reader;\nRESET ROLE;\n"
)


def test_a_grant_made_by_another_grantor_is_revoked_and_restored_by_that_grantor(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        GRANTS,
        TABLE + "GRANT SELECT ON t TO exact_lead WITH GRANT OPTION;\n",
    )
    by_lead = (
        "DO $$\nDECLARE previous text := current_user;\nBEGIN\n"
        "    SET LOCAL ROLE exact_lead;\n    {}\n"
        "    EXECUTE format('SET LOCAL ROLE %I', previous);\nEND\n$$;"
    )
    assert [s for s in sqls(plan) if "exact_reader" in s] == [
        by_lead.format("REVOKE SELECT ON TABLE public.t FROM exact_reader;")
    ]
    assert by_lead.format("GRANT SELECT ON TABLE public.t TO exact_reader;") in plan.down_sql()
