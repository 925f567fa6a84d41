"""Online DDL: on tables that exist, locks stay short; nothing changes for new tables."""

from __future__ import annotations

import contextlib
from pathlib import Path

import psycopg

from schemactl.apply.executor import group_steps
from tests.support import Server, apply_up, plan_for, round_trip, sqls, write_schema


def test_an_index_on_an_existing_table_is_built_concurrently_outside_the_transaction(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE t (id int, email text);",
        "CREATE TABLE t (id int, email text, note text); CREATE INDEX t_email ON t (email);",
    )
    assert sqls(plan) == [
        "ALTER TABLE public.t ADD COLUMN note text;",
        "CREATE INDEX CONCURRENTLY t_email ON public.t USING btree (email);",
    ]
    assert [g.transactional for g in group_steps(plan.steps)] == [True, False]


def test_an_index_on_a_new_table_is_built_in_the_transaction(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "",
        "CREATE TABLE t (id int); CREATE INDEX t_id ON t (id);",
    )
    assert sqls(plan)[1] == "CREATE INDEX t_id ON public.t USING btree (id);"
    assert all(step.transactional for step in plan.steps)


def test_a_check_on_an_existing_table_is_added_not_valid_then_validated_separately(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE t (n int); INSERT INTO t VALUES (1);",
        "CREATE TABLE t (n int CONSTRAINT n_positive CHECK (n > 0));",
    )
    assert sqls(plan) == [
        "ALTER TABLE public.t ADD CONSTRAINT n_positive CHECK ((n > 0)) NOT VALID;",
        "ALTER TABLE public.t VALIDATE CONSTRAINT n_positive;",
    ]
    assert [len(g.steps) for g in group_steps(plan.steps)] == [1, 1]


def test_set_not_null_on_an_existing_table_skips_the_long_scan(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE t (a int);",
        "CREATE TABLE t (a int NOT NULL);",
    )
    assert sqls(plan) == [
        "ALTER TABLE public.t ADD CONSTRAINT schemactl_nn_a CHECK (a IS NOT NULL) NOT VALID;",
        "ALTER TABLE public.t VALIDATE CONSTRAINT schemactl_nn_a;",
        "ALTER TABLE public.t ALTER COLUMN a SET NOT NULL;",
        "ALTER TABLE public.t DROP CONSTRAINT schemactl_nn_a;",
    ]


def test_an_invalid_index_left_by_an_interrupted_build_is_rebuilt(
    server: Server, database: str, schema_dir: Path
) -> None:
    table = "CREATE TABLE t (id int); INSERT INTO t VALUES (1), (1);"
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(table.encode())
        # A unique build that fails leaves an INVALID index behind.
        with contextlib.suppress(psycopg.errors.UniqueViolation):
            conn.execute("CREATE UNIQUE INDEX CONCURRENTLY t_id ON t (id)")
        conn.execute("DELETE FROM t")
    write_schema(schema_dir, "CREATE TABLE t (id int); CREATE UNIQUE INDEX t_id ON t (id);")
    plan = plan_for(server.url, database, schema_dir)
    apply_up(database, plan)
    assert not plan_for(server.url, database, schema_dir).has_changes
    assert sqls(plan) == [
        "DROP INDEX CONCURRENTLY IF EXISTS public.t_id;",
        "CREATE UNIQUE INDEX CONCURRENTLY t_id ON public.t USING btree (id);",
    ]


def test_the_rollback_of_an_online_plan_is_one_transaction(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE t (id int);",
        "CREATE TABLE t (id int); CREATE INDEX t_i ON t (id);",
    )
    assert [s.sql for s in plan.rollback] == ["DROP INDEX public.t_i;"]
    assert all(step.transactional for step in plan.rollback)
