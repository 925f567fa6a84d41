"""Collations (CREATE COLLATION) and casts (CREATE CAST): created before what uses them,
dropped after, replaced when their definition changes, never falsely different."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import ICU, Server, execute, plan_for, round_trip, sqls, write_schema

CASE_INSENSITIVE = (
    "CREATE COLLATION case_insensitive (provider = icu, locale = 'und-u-ks-level2',"
    " deterministic = false);"
)


@pytest.mark.needs(ICU)
def test_a_collation_is_created_before_the_columns_that_use_it(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "",
        # written after the table that uses it: the load order finds it first
        "CREATE TABLE users (email text COLLATE case_insensitive UNIQUE);\n" + CASE_INSENSITIVE,
    )
    assert sqls(plan)[0] == (
        "CREATE COLLATION public.case_insensitive (provider = icu, deterministic = false,"
        " locale = 'und-u-ks-level2');"
    )
    assert plan.rollback[-1].sql == "DROP COLLATION public.case_insensitive;"


def test_libc_collations_and_comments_round_trip(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "",
        "CREATE COLLATION posix_sort (provider = libc, lc_collate = 'C', lc_ctype = 'POSIX');"
        'CREATE COLLATION c_copy FROM "C";'
        "COMMENT ON COLLATION c_copy IS 'bytewise';",
    )
    assert sqls(plan) == [
        "CREATE COLLATION public.c_copy (provider = libc, locale = 'C');",
        "CREATE COLLATION public.posix_sort (provider = libc, lc_collate = 'C',"
        " lc_ctype = 'POSIX');",
        "COMMENT ON COLLATION public.c_copy IS 'bytewise';",
    ]


@pytest.mark.needs(ICU)
def test_a_changed_collation_is_dropped_and_created_again(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        CASE_INSENSITIVE,
        CASE_INSENSITIVE.replace("level2", "level1"),
    )
    assert sqls(plan) == [
        "DROP COLLATION public.case_insensitive;",
        "CREATE COLLATION public.case_insensitive (provider = icu, deterministic = false,"
        " locale = 'und-u-ks-level1');",
    ]


@pytest.mark.needs(ICU)
def test_a_collation_made_elsewhere_is_drift(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(database, CASE_INSENSITIVE + "CREATE COLLATION stray (provider = icu, locale = 'de');")
    write_schema(schema_dir, CASE_INSENSITIVE)
    assert sqls(plan_for(server.url, database, schema_dir)) == ["DROP COLLATION public.stray;"]


MOOD = """
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE FUNCTION mood_score(mood) RETURNS integer LANGUAGE sql IMMUTABLE
    AS $$ SELECT array_position(enum_range(NULL::mood), $1) $$;
"""


def test_casts_with_a_function_with_inout_and_without_function_round_trip(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        MOOD,
        MOOD + "CREATE CAST (mood AS integer) WITH FUNCTION mood_score(mood) AS ASSIGNMENT;"
        "CREATE CAST (mood AS varchar) WITH INOUT;"
        "CREATE DOMAIN score AS integer;"
        "CREATE TYPE pair AS (a integer, b integer);"
        "CREATE CAST (pair AS text) WITH INOUT AS IMPLICIT;"
        "COMMENT ON CAST (mood AS varchar) IS 'for reports';",
    )
    assert [sql for sql in sqls(plan) if "CAST" in sql] == [
        "CREATE CAST (public.mood AS character varying) WITH INOUT;",
        "CREATE CAST (public.mood AS integer) WITH FUNCTION public.mood_score(public.mood)"
        " AS ASSIGNMENT;",
        "CREATE CAST (public.pair AS text) WITH INOUT AS IMPLICIT;",
        "COMMENT ON CAST (public.mood AS character varying) IS 'for reports';",
    ]


def test_a_changed_cast_is_replaced_and_the_built_in_ones_are_never_planned(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        MOOD + "CREATE CAST (mood AS integer) WITH FUNCTION mood_score(mood);",
        MOOD + "CREATE CAST (mood AS integer) WITH FUNCTION mood_score(mood) AS IMPLICIT;",
    )
    assert sqls(plan) == [
        "DROP CAST (public.mood AS integer);",
        "CREATE CAST (public.mood AS integer) WITH FUNCTION public.mood_score(public.mood)"
        " AS IMPLICIT;",
    ]


def test_a_cast_used_by_a_column_default_is_created_before_the_table(
    server: Server, database: str, schema_dir: Path
) -> None:
    round_trip(
        server.url,
        database,
        schema_dir,
        "",
        MOOD + "CREATE CAST (mood AS integer) WITH FUNCTION mood_score(mood) AS ASSIGNMENT;"
        "CREATE TABLE t (m mood, score integer DEFAULT ('ok'::mood)::integer);",
    )
