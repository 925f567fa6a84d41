"""Ordering across schemas, ownership and routines recreated under what uses them.

A sequence whose owner column goes away survives only if it is disowned first; a schema
goes after everything in it; a CHECK constraint, a generated column or an index that
calls a routine dropped and created again is taken off before the drop and put back
after. Every plan is checked both ways: up leaves no drift, the rollback restores
pg_dump's schema.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import Server, round_trip, sqls


def _first(statements: list[str], prefix: str) -> int:
    return next(i for i, s in enumerate(statements) if s.startswith(prefix))


def test_a_sequence_moves_to_another_owner_while_its_first_owner_is_dropped(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE SEQUENCE ids; CREATE TABLE a (id int DEFAULT nextval('ids'));"
        "ALTER SEQUENCE ids OWNED BY a.id;",
        "CREATE SEQUENCE ids; CREATE TABLE b (id int DEFAULT nextval('ids'));"
        "ALTER SEQUENCE ids OWNED BY b.id;",
    )
    statements = sqls(plan)
    assert _first(statements, "ALTER SEQUENCE public.ids OWNED BY NONE") < _first(
        statements, "DROP TABLE public.a"
    )
    assert statements[-1] == "ALTER SEQUENCE public.ids OWNED BY public.b.id;"


def test_a_sequence_outlives_the_column_that_owned_it(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE SEQUENCE ids; CREATE TABLE a (id int DEFAULT nextval('ids'), x int);"
        "ALTER SEQUENCE ids OWNED BY a.id;",
        "CREATE SEQUENCE ids; CREATE TABLE a (x int);",
    )
    assert sqls(plan) == [
        "ALTER SEQUENCE public.ids OWNED BY NONE;",
        "ALTER TABLE public.a DROP COLUMN id;",
    ]


APP_SCHEMA = """
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('ok', 'meh');
CREATE DOMAIN app.positive AS int CHECK (VALUE > 0);
CREATE SEQUENCE app.counter;
CREATE FUNCTION app.twice(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x * 2';
CREATE TABLE app.items (
    id int PRIMARY KEY DEFAULT nextval('app.counter'),
    mood app.mood,
    size app.positive,
    code serial
);
CREATE VIEW app.doubled AS SELECT id, app.twice(id) AS twice FROM app.items;
CREATE TABLE public.keep (id int);
"""


def test_a_schema_is_dropped_after_everything_in_it(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(server.url, database, schema_dir, APP_SCHEMA, "CREATE TABLE keep (id int);")
    assert sqls(plan)[-1] == "DROP SCHEMA app;"


def test_a_schema_is_created_before_everything_in_it(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(server.url, database, schema_dir, "CREATE TABLE keep (id int);", APP_SCHEMA)
    assert sqls(plan)[0] == "CREATE SCHEMA app;"


ROUTINE = """
CREATE FUNCTION score(v int) RETURNS {type} LANGUAGE sql IMMUTABLE AS 'SELECT (v * 2)::{type}';
CREATE TABLE t (
    v int CONSTRAINT t_scored CHECK (score(v) > 0),
    good boolean GENERATED ALWAYS AS (score(v) > 10) STORED
);
CREATE INDEX t_score ON t ((score(v)));
COMMENT ON COLUMN t.good IS 'score above ten';
"""


@pytest.mark.version_matrix  # 14 records a generation expression's routines on the column
def test_a_check_a_generated_column_and_an_index_are_rebuilt_around_a_recreated_routine(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        ROUTINE.format(type="integer") + "INSERT INTO t (v) VALUES (3), (7);",
        ROUTINE.format(type="bigint"),
    )
    statements = sqls(plan)
    drop_function = _first(statements, "DROP FUNCTION public.score")
    create_function = _first(statements, "CREATE OR REPLACE FUNCTION public.score")
    for taken_off in (
        "ALTER TABLE public.t DROP CONSTRAINT t_scored",
        "ALTER TABLE public.t DROP COLUMN good",
        "DROP INDEX CONCURRENTLY IF EXISTS public.t_score",
    ):
        assert _first(statements, taken_off) < drop_function, taken_off
    for put_back in (
        "ALTER TABLE public.t ADD CONSTRAINT t_scored",
        "ALTER TABLE public.t ADD COLUMN good",
        "CREATE INDEX CONCURRENTLY t_score",
        "COMMENT ON COLUMN public.t.good",
    ):
        assert _first(statements, put_back) > create_function, put_back
    regenerated = plan.steps[_first(statements, "ALTER TABLE public.t DROP COLUMN good")]
    assert "data_loss" not in regenerated.hazard_kinds
    assert "table_rewrite" in regenerated.hazard_kinds


def test_a_check_calling_a_routine_in_another_schema_is_detached_around_it(
    server: Server, database: str, schema_dir: Path
) -> None:
    schema = """
CREATE SCHEMA rules;
CREATE FUNCTION rules.ok(v int) RETURNS {type} LANGUAGE sql IMMUTABLE AS 'SELECT v::{type}';
CREATE TABLE orders (qty int CONSTRAINT orders_qty_ok CHECK (rules.ok(qty) >= 0));
"""
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        schema.format(type="integer"),
        schema.format(type="bigint"),
    )
    assert [s.splitlines()[0] for s in sqls(plan)] == [
        "ALTER TABLE public.orders DROP CONSTRAINT orders_qty_ok;",
        "DROP FUNCTION rules.ok(v integer);",
        "CREATE OR REPLACE FUNCTION rules.ok(v integer)",
        "ALTER TABLE public.orders ADD CONSTRAINT orders_qty_ok"
        " CHECK ((rules.ok(qty) >= 0)) NOT VALID;",
        "ALTER TABLE public.orders VALIDATE CONSTRAINT orders_qty_ok;",
    ]
