"""Extended statistics (CREATE STATISTICS) and rules (CREATE RULE): both were accepted in
schema files and then silently left out; now they are built, compared and rolled back."""

from __future__ import annotations

from pathlib import Path

from tests.support import Server, execute, plan_for, round_trip, sqls, write_schema

TABLES = """
CREATE TABLE orders (id bigint PRIMARY KEY, city text, zip text, total numeric);
CREATE TABLE order_log (id bigint, at timestamptz DEFAULT now());
"""


def test_extended_statistics_are_created_with_their_target(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLES,
        TABLES
        + "CREATE STATISTICS orders_place (ndistinct, dependencies) ON city, zip FROM orders;"
        "CREATE STATISTICS orders_expr ON (lower(city)), total FROM orders;"
        "ALTER STATISTICS orders_expr SET STATISTICS 400;"
        "COMMENT ON STATISTICS orders_place IS 'zip decides city';",
    )
    assert sqls(plan) == [
        "CREATE STATISTICS public.orders_expr ON total, lower(city) FROM public.orders;",
        "CREATE STATISTICS public.orders_place (ndistinct, dependencies) ON city, zip"
        " FROM public.orders;",
        "ALTER STATISTICS public.orders_expr SET STATISTICS 400;",
        "COMMENT ON STATISTICS public.orders_place IS 'zip decides city';",
    ]


def test_a_changed_statistics_object_is_replaced_and_a_new_target_set_in_place(
    server: Server, database: str, schema_dir: Path
) -> None:
    stats = "CREATE STATISTICS s ON city, zip FROM orders;"
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLES + stats,
        TABLES + stats + "ALTER STATISTICS s SET STATISTICS 50;",
    )
    assert sqls(plan) == ["ALTER STATISTICS public.s SET STATISTICS 50;"]
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "",
        TABLES.replace("zip text", "postcode text") + stats.replace("zip", "postcode"),
    )
    assert sqls(plan)[0] == "DROP STATISTICS public.s;"
    assert "CREATE STATISTICS public.s ON city, postcode FROM public.orders;" in sqls(plan)


RULE = (
    "CREATE RULE log_orders AS ON INSERT TO orders DO ALSO"
    " INSERT INTO order_log (id) VALUES (new.id);"
)


def test_a_generated_column_added_again_gets_its_statistics_back(
    server: Server, database: str, schema_dir: Path
) -> None:
    """A new generation expression drops the column and adds it again; the extended
    statistics covering it go with it, and its statistics target too. Both come back.
    From PostgreSQL 17 the expression is set in place, and both stay as they are."""
    table = """CREATE TABLE u (id int, email text, key text GENERATED ALWAYS AS ({expression}) STORED);
    CREATE STATISTICS u_st ON id, key FROM u;
    ALTER TABLE u ALTER COLUMN key SET STATISTICS 500;"""
    plan = round_trip(
        server.url, database, schema_dir,
        table.format(expression="lower(email)"), table.format(expression="upper(email)"),
    )  # fmt: skip
    steps = sqls(plan)
    if server.major >= 17:
        assert steps == ["ALTER TABLE public.u ALTER COLUMN key SET EXPRESSION AS (upper(email));"]
        return
    assert steps[0] == "DROP STATISTICS public.u_st;"
    assert steps[-2:] == [
        "ALTER TABLE ONLY public.u ALTER COLUMN key SET STATISTICS 500;",
        "CREATE STATISTICS public.u_st ON id, key FROM public.u;",
    ]


def test_a_generated_column_made_plain_keeps_its_statistics_target(
    server: Server, database: str, schema_dir: Path
) -> None:
    """DROP EXPRESSION keeps the column, its values and its statistics target: setting
    the target again is a step for nothing."""
    table = """CREATE TABLE u (id int, email text, key text{generated});
    ALTER TABLE u ALTER COLUMN key SET STATISTICS 500;"""
    plan = round_trip(
        server.url, database, schema_dir,
        table.format(generated=" GENERATED ALWAYS AS (lower(email)) STORED"),
        table.format(generated=""),
    )  # fmt: skip
    assert sqls(plan) == ["ALTER TABLE public.u ALTER COLUMN key DROP EXPRESSION;"]


def test_a_rule_is_created_after_the_tables_it_names_and_replaced_in_place(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(server.url, database, schema_dir, "", RULE + TABLES)
    assert sqls(plan)[-1] == (
        "CREATE RULE log_orders AS\n"
        "    ON INSERT TO public.orders DO  INSERT INTO public.order_log (id)\n"
        "  VALUES (new.id);"
    )
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLES + RULE,
        TABLES
        + RULE.replace("(new.id)", "(new.id + 0)")
        + "ALTER TABLE orders DISABLE RULE log_orders;",
    )
    assert sqls(plan) == [
        "CREATE OR REPLACE RULE log_orders AS\n"
        "    ON INSERT TO public.orders DO  INSERT INTO public.order_log (id)\n"
        "  VALUES ((new.id + 0));",
        "ALTER TABLE public.orders DISABLE RULE log_orders;",
    ]


def test_a_rule_steps_aside_while_a_column_it_reads_changes_type(
    server: Server, database: str, schema_dir: Path
) -> None:
    """PostgreSQL refuses ALTER COLUMN ... TYPE on a column a rule reads: the rule goes
    first and comes back after."""
    rule = "CREATE RULE no_negative AS ON INSERT TO counts WHERE new.n < 0 DO INSTEAD NOTHING;"
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        f"CREATE TABLE counts (id int PRIMARY KEY, n int);\n{rule}",
        f"CREATE TABLE counts (id int PRIMARY KEY, n bigint);\n{rule}",
    )
    steps = sqls(plan)
    assert steps[:2] == [
        "DROP RULE no_negative ON public.counts;",
        "ALTER TABLE public.counts ALTER COLUMN n TYPE bigint USING n::bigint;",
    ]
    assert steps[2].startswith("CREATE RULE no_negative AS")


def test_a_rule_made_elsewhere_is_drift(server: Server, database: str, schema_dir: Path) -> None:
    execute(database, TABLES + RULE)
    write_schema(schema_dir, TABLES)
    assert sqls(plan_for(server.url, database, schema_dir)) == [
        "DROP RULE log_orders ON public.orders;"
    ]
