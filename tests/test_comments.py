"""Comments on schemas, tables, columns, constraints and indexes."""

from __future__ import annotations

from pathlib import Path

from tests.support import Server, round_trip, sqls


def test_comments_are_set_changed_and_removed(
    server: Server, database: str, schema_dir: Path
) -> None:
    table = "CREATE TABLE t (id int CONSTRAINT t_pk PRIMARY KEY, name text); CREATE INDEX t_name ON t (name);"
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        table + "COMMENT ON TABLE t IS 'old'; COMMENT ON COLUMN t.name IS 'gone';",
        table + "COMMENT ON TABLE t IS 'it''s new'; COMMENT ON CONSTRAINT t_pk ON t IS 'key';"
        " COMMENT ON INDEX t_name IS 'by name'; COMMENT ON SCHEMA public IS 'the app';",
    )
    assert sorted(sqls(plan)) == [
        "COMMENT ON COLUMN public.t.name IS NULL;",
        "COMMENT ON CONSTRAINT t_pk ON public.t IS 'key';",
        "COMMENT ON INDEX public.t_name IS 'by name';",
        "COMMENT ON SCHEMA public IS 'the app';",
        "COMMENT ON TABLE public.t IS 'it''s new';",
    ]


def test_a_quoted_identifier_keeps_its_quotes(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        'CREATE TABLE "Order" ("Total" int);',
        'CREATE TABLE "Order" ("Total" int); COMMENT ON COLUMN "Order"."Total" IS \'sum\';',
    )
    assert sqls(plan) == ['COMMENT ON COLUMN public."Order"."Total" IS \'sum\';']
