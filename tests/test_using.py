"""Type changes PostgreSQL cannot cast on its own, and conversions declared in schema/.

``-- @using EXPR`` on a column's line (after it, or on comment lines directly
above it) is how its values convert when its type changes; ``-- @rollback-using
EXPR`` how the rollback converts them back. Without a declaration, a change with no cast
at all stops the plan before anything runs, naming the column and the missing cast; one
with only an explicit cast says so in its hazard; one with no way back is NOT
REVERSIBLE, saying why.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from schemactl.diff.conversions import MissingConversion
from schemactl.errors import SchemaSourceError
from tests.support import (
    Server,
    catalog_of,
    execute,
    plan_for,
    round_trip,
    run_cli,
    sqls,
    write_schema,
)

Capsys = pytest.CaptureFixture[str]
EPOCHS = "CREATE TABLE events (id int, created_at bigint NOT NULL);"
ROWS = "INSERT INTO events VALUES (1, 1700000000);"


def _rows(url: str, query: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(query.encode()).fetchall()


def test_a_change_with_no_cast_stops_the_plan_naming_the_column_and_the_cast(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, EPOCHS + ROWS)
    write_schema(schema_dir, "CREATE TABLE events (id int, created_at timestamptz NOT NULL);")
    with pytest.raises(MissingConversion) as refused:
        plan_for(server.url, database, schema_dir)
    message = str(refused.value)
    assert "public.events.created_at" in message
    assert "bigint -> timestamp with time zone" in message
    assert "@using" in message
    result = run_cli(
        capsys, "plan", "--schema", str(schema_dir), "--database-url", database,
        "--dev-url", server.url,
    )  # fmt: skip
    assert result.code == 1
    assert "public.events.created_at" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_declared_conversion_is_used_both_ways(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        EPOCHS + ROWS,
        """
CREATE TABLE events (
    id int,
    -- @rollback-using extract(epoch FROM created_at)::bigint
    created_at timestamptz NOT NULL  -- @using to_timestamp(created_at)
);""",
    )
    assert sqls(plan) == [
        "ALTER TABLE public.events ALTER COLUMN created_at TYPE timestamp with time zone"
        " USING to_timestamp(created_at);"
    ]
    assert plan.down_sql().strip() == (
        "ALTER TABLE public.events ALTER COLUMN created_at TYPE bigint"
        " USING extract(epoch FROM created_at)::bigint;"
    )
    assert "as schema/ declares" in plan.steps[0].hazards[0].reason
    assert "not_reversible" not in plan.steps[0].hazard_kinds


def test_without_a_way_back_the_change_is_not_reversible_and_says_why(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, EPOCHS + ROWS)
    write_schema(
        schema_dir,
        "CREATE TABLE events (\n    id int,\n"
        "    created_at timestamptz NOT NULL -- @using to_timestamp(created_at)\n);",
    )
    plan = plan_for(server.url, database, schema_dir)
    (reason,) = [h.reason for h in plan.steps[0].hazards if h.kind == "not_reversible"]
    assert "no cast from timestamp with time zone back to bigint" in reason
    common = ["--database-url", database]
    applied = run_cli(
        capsys, "apply", "--schema", str(schema_dir), *common, "--dev-url", server.url,
        "--auto-approve",
    )  # fmt: skip
    assert applied.code == 0, applied.stderr
    assert _rows(database, "SELECT extract(year FROM created_at)::int FROM events") == [(2023,)]
    refused = run_cli(capsys, "rollback", *common, "--auto-approve")
    assert refused.code == 1
    assert "NOT REVERSIBLE" in refused.stderr and "rollback-using" in refused.stderr


def test_a_change_with_only_an_explicit_cast_says_so(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE t (code text); INSERT INTO t VALUES ('42');",
        "CREATE TABLE t (code integer);",
    )
    assert sqls(plan) == [
        "ALTER TABLE public.t ALTER COLUMN code TYPE integer USING code::integer;"
    ]
    (rewrite,) = [h for h in plan.steps[0].hazards if h.kind == "table_rewrite"]
    assert "no automatic cast" in rewrite.reason and "@using" in rewrite.reason


def test_one_enum_to_another_with_its_values_mapped(
    server: Server, database: str, schema_dir: Path
) -> None:
    types = (
        "CREATE TYPE mood AS ENUM ('happy', 'sad'); CREATE TYPE feeling AS ENUM ('good', 'bad');"
    )
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        types + "CREATE TABLE t (m mood); INSERT INTO t VALUES ('happy'), ('sad');",
        types
        + """
CREATE TABLE t (
    -- @using (CASE m WHEN 'happy' THEN 'good' ELSE 'bad' END)::feeling
    -- @rollback-using (CASE m WHEN 'good' THEN 'happy' ELSE 'sad' END)::mood
    m feeling
);""",
    )
    assert sqls(plan) == [
        "ALTER TABLE public.t ALTER COLUMN m TYPE public.feeling"
        " USING (CASE m WHEN 'happy' THEN 'good' ELSE 'bad' END)::feeling;"
    ]


def test_the_conversion_really_converts_the_values(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(database, "CREATE TABLE prices (cents int); INSERT INTO prices VALUES (1999);")
    write_schema(
        schema_dir,
        "CREATE TABLE prices (\n    cents numeric(10, 2) -- @using cents / 100.0\n);",
    )
    from tests.support import apply_up

    apply_up(database, plan_for(server.url, database, schema_dir))
    assert _rows(database, "SELECT cents::text FROM prices") == [("19.99",)]


def test_a_declaration_is_inert_while_the_type_stays(
    server: Server, database: str, schema_dir: Path
) -> None:
    schema = "CREATE TABLE t (\n    a bigint -- @using a * 2\n);"
    execute(database, schema)
    write_schema(schema_dir, schema)
    assert not plan_for(server.url, database, schema_dir).has_changes
    assert catalog_of(database).tables["public.t"].column("a") is not None


def test_a_declared_expression_that_does_not_parse_names_its_place(
    server: Server, database: str, schema_dir: Path
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (\n    a bigint -- @using a + ) 2\n);")
    with pytest.raises(SchemaSourceError) as refused:
        plan_for(server.url, database, schema_dir)
    assert "schema.sql:2:" in str(refused.value) and "@using" in str(refused.value)


def test_migrate_diff_writes_the_declared_conversions_and_tests_them(
    server: Server, schema_dir: Path, tmp_path: Path, capsys: Capsys
) -> None:
    migrations = tmp_path / "migrations"
    common = ["--schema", str(schema_dir), "--migrations", str(migrations), "--dev-url", server.url]
    write_schema(schema_dir, EPOCHS)
    assert run_cli(capsys, "migrate", "diff", "init", *common).code == 0
    write_schema(
        schema_dir,
        "CREATE TABLE events (\n    id int,\n"
        "    -- @rollback-using extract(epoch FROM created_at)::bigint\n"
        "    created_at timestamptz NOT NULL -- @using to_timestamp(created_at)\n);",
    )
    result = run_cli(capsys, "migrate", "diff", "as time", *common)
    assert result.code == 0, result.stderr
    up = next(migrations.glob("*_as_time.up.sql")).read_text()
    down = next(migrations.glob("*_as_time.down.sql")).read_text()
    assert "USING to_timestamp(created_at);" in up
    assert "USING extract(epoch FROM created_at)::bigint;" in down
    assert "NOT REVERSIBLE" not in down
