"""Typed tables (CREATE TABLE ... OF type): their columns are the composite type's, and a
table built from empty must be typed too, not a plain table with the same columns."""

from __future__ import annotations

from pathlib import Path

from tests.support import Server, round_trip, sqls

PAIR = "CREATE TYPE money_pair AS (amount numeric(12, 2), currency char(3));"


def test_a_typed_table_is_created_of_its_type_with_its_column_options(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "",
        PAIR + "CREATE TABLE prices OF money_pair (amount NOT NULL, currency DEFAULT 'EUR');",
    )
    assert sqls(plan)[1] == (
        "CREATE TABLE public.prices OF public.money_pair (\n"
        "    amount WITH OPTIONS NOT NULL,\n"
        "    currency WITH OPTIONS DEFAULT 'EUR'::bpchar\n"
        ");"
    )


def test_a_plain_table_becomes_typed_in_place_and_back(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        PAIR + "CREATE TABLE prices (amount numeric(12, 2), currency char(3));",
        PAIR + "CREATE TABLE prices OF money_pair;",
    )
    assert sqls(plan) == ["ALTER TABLE public.prices OF public.money_pair;"]
    assert [step.sql for step in plan.rollback] == ["ALTER TABLE public.prices NOT OF;"]
