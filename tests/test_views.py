"""Views and materialized views: created in dependency order, replaced in place where
PostgreSQL allows it, and rebuilt whole (with indexes and comments) where it does not."""

from __future__ import annotations

from pathlib import Path

import psycopg

from tests.support import Server, apply_up, round_trip, sqls

TABLE = "CREATE TABLE t (id int PRIMARY KEY, a int, b text, status varchar(20));"


def _column(server: Server, name: str) -> str:
    """A column of the view's one table as PostgreSQL prints it: qualified by the table
    up to 15, bare from 16 on (where the query reads one relation only)."""
    return f"t.{name}" if server.major < 16 else name


def _index(statements: list[str], start: str) -> int:
    return next(i for i, s in enumerate(statements) if s.startswith(start))


def _scalar(url: str, query: str) -> object:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(query.encode()).fetchone()
        return None if row is None else row[0]


def test_a_view_is_created_as_postgresql_prints_it(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url, database, schema_dir, TABLE,
        f"{TABLE}\nCREATE VIEW v AS SELECT id, b FROM t WHERE a > 0;",
    )  # fmt: skip
    id_, b, a = (_column(server, name) for name in ("id", "b", "a"))
    assert sqls(plan) == [
        f"CREATE VIEW public.v AS\nSELECT {id_},\n    {b}\n   FROM public.t\n  WHERE {a} > 0;"
    ]


def test_a_materialized_view_is_created_populated_with_its_index_and_comments(
    server: Server, database: str, schema_dir: Path
) -> None:
    new = f"""{TABLE}
    CREATE MATERIALIZED VIEW m AS SELECT id, a FROM t;
    CREATE UNIQUE INDEX m_id ON m (id);
    COMMENT ON MATERIALIZED VIEW m IS 'snapshot';
    COMMENT ON COLUMN m.a IS 'the a';
    """
    plan = round_trip(server.url, database, schema_dir, TABLE, new)
    statements = sqls(plan)
    assert statements[0].startswith("CREATE MATERIALIZED VIEW public.m AS\n")
    assert statements[0].endswith("\nWITH DATA;")
    assert statements[1:] == [
        "CREATE UNIQUE INDEX m_id ON public.m USING btree (id);",
        "COMMENT ON MATERIALIZED VIEW public.m IS 'snapshot';",
        "COMMENT ON COLUMN public.m.a IS 'the a';",
    ]


def test_a_materialized_view_created_with_no_data_stays_unpopulated(
    server: Server, database: str, schema_dir: Path
) -> None:
    new = f"{TABLE}\nCREATE MATERIALIZED VIEW m AS SELECT id FROM t WITH NO DATA;"
    plan = round_trip(server.url, database, schema_dir, TABLE, new)
    assert sqls(plan)[0].endswith("\nWITH NO DATA;")
    apply_up(database, plan)
    assert _scalar(database, "SELECT relispopulated FROM pg_class WHERE relname = 'm'") is False


def test_dropping_views_drops_dependents_first_and_indexes_with_their_view(
    server: Server, database: str, schema_dir: Path
) -> None:
    old = f"""{TABLE}
    CREATE MATERIALIZED VIEW z_base AS SELECT id, a FROM t;
    CREATE INDEX z_base_a ON z_base (a);
    CREATE VIEW a_top AS SELECT id FROM z_base;
    """
    plan = round_trip(server.url, database, schema_dir, old, TABLE)
    assert sqls(plan) == ["DROP VIEW public.a_top;", "DROP MATERIALIZED VIEW public.z_base;"]


def test_views_are_created_by_dependency_not_alphabetically(
    server: Server, database: str, schema_dir: Path
) -> None:
    new = f"""{TABLE}
    CREATE MATERIALIZED VIEW zz_base AS SELECT id, a FROM t;
    CREATE VIEW mm_middle AS SELECT id, a FROM zz_base;
    CREATE VIEW aa_top AS SELECT id FROM mm_middle;
    """
    plan = round_trip(server.url, database, schema_dir, TABLE, new)
    statements = sqls(plan)
    assert (
        _index(statements, "CREATE MATERIALIZED VIEW public.zz_base")
        < _index(statements, "CREATE VIEW public.mm_middle")
        < _index(statements, "CREATE VIEW public.aa_top")
    )
    rollback = [step.sql for step in plan.rollback]
    assert rollback == [
        "DROP VIEW public.aa_top;",
        "DROP VIEW public.mm_middle;",
        "DROP MATERIALIZED VIEW public.zz_base;",
    ]


def test_view_options_are_created_with_the_view(
    server: Server, database: str, schema_dir: Path
) -> None:
    new = f"""{TABLE}
    CREATE VIEW invoker WITH (security_invoker = true) AS SELECT id FROM t;
    CREATE VIEW barrier WITH (security_barrier) AS SELECT id FROM t;
    CREATE VIEW checked AS SELECT id, a FROM t WHERE a > 0 WITH LOCAL CHECK OPTION;
    """
    plan = round_trip(server.url, database, schema_dir, TABLE, new)
    assert sorted(s.split(" AS\n")[0] for s in sqls(plan)) == [
        "CREATE VIEW public.barrier WITH (security_barrier=true)",
        "CREATE VIEW public.checked WITH (check_option=local)",
        "CREATE VIEW public.invoker WITH (security_invoker=true)",
    ]


def test_changed_options_are_altered_not_recreated(
    server: Server, database: str, schema_dir: Path
) -> None:
    old = f"""{TABLE}
    CREATE VIEW v WITH (security_barrier) AS SELECT id FROM t;
    CREATE MATERIALIZED VIEW m AS SELECT id FROM t;
    """
    new = f"""{TABLE}
    CREATE VIEW v WITH (security_invoker = true) AS SELECT id FROM t;
    CREATE MATERIALIZED VIEW m WITH (fillfactor = 80) AS SELECT id FROM t;
    """
    plan = round_trip(server.url, database, schema_dir, old, new)
    assert sqls(plan) == [
        "ALTER MATERIALIZED VIEW public.m SET (fillfactor=80);",
        "ALTER VIEW public.v RESET (security_barrier);\n"
        "ALTER VIEW public.v SET (security_invoker=true);",
    ]


def test_a_view_replaced_in_place_keeps_its_options(
    server: Server, database: str, schema_dir: Path
) -> None:
    old = f"{TABLE}\nCREATE VIEW v WITH (security_invoker = true) AS SELECT id FROM t;"
    new = f"{TABLE}\nCREATE VIEW v WITH (security_invoker = true) AS SELECT id, a FROM t;"
    plan = round_trip(server.url, database, schema_dir, old, new)
    id_, a = _column(server, "id"), _column(server, "a")
    assert sqls(plan) == [
        "CREATE OR REPLACE VIEW public.v WITH (security_invoker=true) AS\n"
        f"SELECT {id_},\n    {a}\n   FROM public.t;"
    ]


def test_appending_a_column_uses_create_or_replace_and_keeps_dependents(
    server: Server, database: str, schema_dir: Path
) -> None:
    old = f"""{TABLE}
    CREATE VIEW base AS SELECT id, a FROM t;
    CREATE VIEW top AS SELECT id FROM base;
    COMMENT ON VIEW base IS 'kept';
    """
    new = old.replace("SELECT id, a FROM t", "SELECT id, a, b FROM t")
    plan = round_trip(server.url, database, schema_dir, old, new)
    id_, a, b = (_column(server, name) for name in ("id", "a", "b"))
    assert sqls(plan) == [
        f"CREATE OR REPLACE VIEW public.base AS\nSELECT {id_},\n    {a},\n    {b}\n   FROM public.t;"
    ]


def test_a_view_whose_columns_change_is_rebuilt_with_its_dependents(
    server: Server, database: str, schema_dir: Path
) -> None:
    old = f"""{TABLE}
    CREATE VIEW base AS SELECT id, a, b FROM t;
    CREATE VIEW top AS SELECT id FROM base;
    COMMENT ON VIEW top IS 'on base';
    """
    new = old.replace("SELECT id, a, b FROM t", "SELECT id, b FROM t")
    plan = round_trip(server.url, database, schema_dir, old, new)
    statements = sqls(plan)
    assert statements[:2] == ["DROP VIEW public.top;", "DROP VIEW public.base;"]
    assert statements[2].startswith("CREATE VIEW public.base AS")
    assert statements[3].startswith("CREATE VIEW public.top AS")
    assert statements[4:] == ["COMMENT ON VIEW public.top IS 'on base';"]
    assert all("dependent_recreate" in step.hazard_kinds for step in plan.steps[:2])


def test_a_column_type_change_under_a_view_chain_rebuilds_the_chain_with_its_index(
    server: Server, database: str, schema_dir: Path
) -> None:
    old = f"""{TABLE}
    CREATE VIEW v1 AS SELECT id, a FROM t;
    CREATE VIEW v2 AS SELECT id, a FROM v1 WHERE a > 0;
    CREATE MATERIALIZED VIEW m AS SELECT id, a FROM v2;
    CREATE INDEX m_a ON m (a);
    COMMENT ON MATERIALIZED VIEW m IS 'snapshot';
    COMMENT ON COLUMN m.a IS 'the a';
    CREATE VIEW unrelated AS SELECT id, b FROM t;
    """
    new = old.replace("a int,", "a bigint,")
    plan = round_trip(server.url, database, schema_dir, old, new)
    statements = sqls(plan)
    assert statements[:4] == [
        "DROP MATERIALIZED VIEW public.m;",
        "DROP VIEW public.v2;",
        "DROP VIEW public.v1;",
        "ALTER TABLE public.t ALTER COLUMN a TYPE bigint USING a::bigint;",
    ]
    assert statements[4].startswith("CREATE VIEW public.v1 AS")
    assert statements[5].startswith("CREATE VIEW public.v2 AS")
    assert statements[6].startswith("CREATE MATERIALIZED VIEW public.m AS")
    assert statements[6].endswith("WITH DATA;")
    assert statements[7:] == [
        "CREATE INDEX m_a ON public.m USING btree (a);",
        "COMMENT ON MATERIALIZED VIEW public.m IS 'snapshot';",
        "COMMENT ON COLUMN public.m.a IS 'the a';",
    ]
    assert not any("unrelated" in s for s in statements)
    reasons = " ".join(h.reason for step in plan.steps[:3] for h in step.hazards)
    assert "public.t.a" in reasons


def test_dropping_a_column_a_view_uses_rebuilds_the_view_before_the_drop(
    server: Server, database: str, schema_dir: Path
) -> None:
    old = f"{TABLE}\nCREATE VIEW v AS SELECT id, a FROM t;"
    new = f"{TABLE.replace(' a int,', '')}\nCREATE VIEW v AS SELECT id FROM t;"
    plan = round_trip(server.url, database, schema_dir, old, new)
    statements = sqls(plan)
    assert statements[0] == "DROP VIEW public.v;"
    assert statements[1] == "ALTER TABLE public.t DROP COLUMN a;"
    assert statements[2].startswith("CREATE VIEW public.v AS")


def test_a_changed_materialized_view_is_dropped_and_created_with_its_indexes(
    server: Server, database: str, schema_dir: Path
) -> None:
    old = f"""{TABLE}
    CREATE MATERIALIZED VIEW m AS SELECT id, a FROM t;
    CREATE INDEX m_a ON m (a);
    CREATE INDEX m_id ON m (id);
    """
    new = old.replace("SELECT id, a FROM t", "SELECT id, a, b FROM t").replace(
        "m_id ON m (id)", "m_id ON m (id, a)"
    )
    plan = round_trip(server.url, database, schema_dir, old, new)
    statements = sqls(plan)
    assert statements[0] == "DROP MATERIALIZED VIEW public.m;"
    assert statements[1].startswith("CREATE MATERIALIZED VIEW public.m AS")
    assert statements[2:] == [
        "CREATE INDEX m_a ON public.m USING btree (a);",
        "CREATE INDEX m_id ON public.m USING btree (id, a);",
    ]
    assert "dependent_recreate" in plan.steps[0].hazard_kinds


def test_comments_on_views_and_their_columns(
    server: Server, database: str, schema_dir: Path
) -> None:
    old = f"{TABLE}\nCREATE VIEW v AS SELECT id, a FROM t;"
    new = f"""{old}
    COMMENT ON VIEW v IS 'the view';
    COMMENT ON COLUMN v.a IS 'the a';
    """
    plan = round_trip(server.url, database, schema_dir, old, new)
    assert sqls(plan) == [
        "COMMENT ON VIEW public.v IS 'the view';",
        "COMMENT ON COLUMN public.v.a IS 'the a';",
    ]


def test_a_view_printed_differently_on_reprint_does_not_flap(
    server: Server, database: str, schema_dir: Path
) -> None:
    # An IN list over varchar prints one way from the source and another from its printout.
    new = f"{TABLE}\nCREATE VIEW v AS SELECT id FROM t WHERE status IN ('a', 'b');"
    round_trip(server.url, database, schema_dir, TABLE, new)


def test_a_view_over_a_recreated_function_is_rebuilt(
    server: Server, database: str, schema_dir: Path
) -> None:
    old = f"""{TABLE}
    CREATE FUNCTION f() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1';
    CREATE VIEW v AS SELECT id, f() AS one FROM t;
    """
    new = old.replace("RETURNS int", "RETURNS bigint")
    plan = round_trip(server.url, database, schema_dir, old, new)
    statements = sqls(plan)
    assert statements[0] == "DROP VIEW public.v;"
    assert statements[-1].startswith("CREATE VIEW public.v AS")


def test_views_in_other_schemas_with_quoted_names(
    server: Server, database: str, schema_dir: Path
) -> None:
    old = 'CREATE SCHEMA "Reports"; CREATE TABLE "Reports"."Data" ("Id" int, v text);'
    new = f"""{old}
    CREATE VIEW "Reports"."Base View" AS SELECT "Id" FROM "Reports"."Data";
    CREATE VIEW "Reports".top AS SELECT "Id" FROM "Reports"."Base View";
    COMMENT ON COLUMN "Reports"."Base View"."Id" IS 'id';
    """
    plan = round_trip(server.url, database, schema_dir, old, new)
    statements = sqls(plan)
    assert statements[0].startswith('CREATE VIEW "Reports"."Base View" AS')
    assert statements[1].startswith('CREATE VIEW "Reports".top AS')
    assert statements[2] == 'COMMENT ON COLUMN "Reports"."Base View"."Id" IS \'id\';'


def test_views_over_an_enum_that_is_replaced_are_rebuilt_around_the_swap(
    server: Server, database: str, schema_dir: Path
) -> None:
    old = """CREATE TYPE mood AS ENUM ('a', 'b', 'c');
    CREATE TABLE t (id int, m mood);
    CREATE VIEW holds_it AS SELECT id, m FROM t;
    CREATE VIEW compares_it AS SELECT id FROM t WHERE m <> 'a';
    CREATE VIEW leaves_it AS SELECT id FROM t;
    """
    new = old.replace("'b', ", "")
    plan = round_trip(server.url, database, schema_dir, old, new)
    statements = sqls(plan)
    assert sorted(statements[:2]) == ["DROP VIEW public.compares_it;", "DROP VIEW public.holds_it;"]
    assert not any("leaves_it" in s for s in statements)


def test_a_view_over_a_function_returning_a_tables_rows_comes_after_the_function(
    server: Server, database: str, schema_dir: Path
) -> None:
    """The function's signature needs the table; the view needs the function."""
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "",
        TABLE + """
        CREATE FUNCTION open_rows() RETURNS SETOF t LANGUAGE sql AS 'SELECT * FROM t';
        CREATE VIEW open_view AS SELECT id FROM open_rows();
        """,
    )  # fmt: skip
    steps = sqls(plan)
    function = _index(steps, "CREATE OR REPLACE FUNCTION public.open_rows()")
    assert function < _index(steps, "CREATE VIEW public.open_view")


def test_a_function_over_a_rebuilt_views_rows_is_dropped_and_created_among_the_views(
    server: Server, database: str, schema_dir: Path
) -> None:
    """``RETURNS SETOF v`` ties the function to view v, and a view calling it to the
    function: all three go down and come back in dependency order."""
    objects = """
        CREATE FUNCTION rows_of() RETURNS SETOF base LANGUAGE sql AS 'SELECT * FROM base';
        CREATE VIEW top AS SELECT * FROM rows_of();
    """
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLE + "CREATE VIEW base AS SELECT id, a FROM t;" + objects,
        TABLE + "CREATE VIEW base AS SELECT id::bigint AS id, a FROM t;" + objects,
    )
    assert [step.split(" AS")[0].split("\n")[0] for step in sqls(plan)] == [
        "DROP VIEW public.top;",
        "DROP FUNCTION public.rows_of();",
        "DROP VIEW public.base;",
        "CREATE VIEW public.base",
        "CREATE OR REPLACE FUNCTION public.rows_of()",
        "CREATE VIEW public.top",
    ]
