"""User-defined types: enums, domains, composite and range types; every plan checked both ways."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from schemactl.diff.types import SwapImpossible
from tests.support import (
    Server,
    apply_up,
    execute,
    plan_for,
    round_trip,
    run_cli,
    sqls,
    write_schema,
)


def test_an_enum_is_created_with_its_labels_in_order(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url, database, schema_dir, "", "CREATE TYPE status AS ENUM ('b', 'a', 'it''s');"
    )
    assert sqls(plan) == [
        "CREATE TYPE public.status AS ENUM (\n    'b',\n    'a',\n    'it''s'\n);"
    ]


def test_types_are_created_before_the_types_that_use_them_and_dropped_after(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "",
        """
        CREATE TYPE a_pair AS (left_side z_level, right_side z_level);
        CREATE DOMAIN z_level AS m_mood NOT NULL;
        CREATE TYPE m_mood AS ENUM ('low', 'high');
        CREATE TABLE t (id int, p a_pair);
        """,
    )
    assert [s.split(" AS ")[0] for s in sqls(plan)] == [
        "CREATE TYPE public.m_mood",
        "CREATE DOMAIN public.z_level",
        "CREATE TYPE public.a_pair",
        "CREATE TABLE public.t (\n    id integer,\n    p public.a_pair\n);",
    ]
    assert [s.sql for s in plan.rollback] == [
        "DROP TABLE public.t;",
        "DROP TYPE public.a_pair;",
        "DROP DOMAIN public.z_level;",
        "DROP TYPE public.m_mood;",
    ]


def test_a_label_added_at_the_end_is_added_in_place(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TYPE status AS ENUM ('active', 'pending'); CREATE TABLE t (s status);",
        "CREATE TYPE status AS ENUM ('active', 'pending', 'archived'); CREATE TABLE t (s status);",
    )
    assert sqls(plan) == ["ALTER TYPE public.status ADD VALUE 'archived' AFTER 'pending';"]
    assert plan.steps[0].hazards == ()


def test_labels_added_first_and_in_between_are_placed_before_and_after(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TYPE size AS ENUM ('m', 'xl');",
        "CREATE TYPE size AS ENUM ('xs', 's', 'm', 'l', 'xl');",
    )
    assert sqls(plan) == [
        "ALTER TYPE public.size ADD VALUE 'xs' BEFORE 'm';",
        "ALTER TYPE public.size ADD VALUE 's' AFTER 'xs';",
        "ALTER TYPE public.size ADD VALUE 'l' AFTER 'm';",
    ]


def test_a_removed_label_swaps_the_type_and_keeps_the_rows(
    server: Server, database: str, schema_dir: Path
) -> None:
    old = """
        CREATE TYPE status AS ENUM ('active', 'legacy', 'done');
        CREATE TABLE task (id int, s status DEFAULT 'active', history status[]);
        INSERT INTO task VALUES (1, 'done', '{active,done}');
    """
    new = """
        CREATE TYPE status AS ENUM ('active', 'done');
        CREATE TABLE task (id int, s status DEFAULT 'active', history status[]);
    """
    plan = round_trip(server.url, database, schema_dir, old, new)
    assert sqls(plan) == [
        "CREATE TYPE public.\"status_schemactl_new\" AS ENUM (\n    'active',\n    'done'\n);",
        "ALTER TABLE public.task ALTER COLUMN s DROP DEFAULT;",
        'ALTER TABLE public.task ALTER COLUMN s TYPE public."status_schemactl_new" '
        'USING s::text::public."status_schemactl_new";',
        'ALTER TABLE public.task ALTER COLUMN history TYPE public."status_schemactl_new"[] '
        'USING history::text::public."status_schemactl_new"[];',
        "DROP TYPE public.status;",
        'ALTER TYPE public."status_schemactl_new" RENAME TO "status";',
        "ALTER TABLE public.task ALTER COLUMN s SET DEFAULT 'active'::public.status;",
    ]
    kinds = set().union(*(step.hazard_kinds for step in plan.steps))
    assert {"table_rewrite", "dependent_recreate"} <= kinds
    assert [s.sql for s in plan.rollback] == [
        "ALTER TYPE public.status ADD VALUE 'legacy' AFTER 'active';"
    ]
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT s::text, history::text FROM task").fetchall() == [
            ("done", "{active,done}")
        ]


def test_an_index_and_a_check_naming_a_swapped_enum_are_built_again_around_the_swap(
    server: Server, database: str, schema_dir: Path
) -> None:
    """A constant of the old type (``'open'::public.status``) ties the index and the check
    to it: rebuilt by PostgreSQL for the column's new type they could not compare the
    two, and the old type could not be dropped under them."""
    objects = """
        CREATE TABLE ticket (id int, st status, CHECK (st <> 'closed' OR id > 0));
        CREATE INDEX ticket_open ON ticket (id) WHERE st = 'open';
    """
    old = "CREATE TYPE status AS ENUM ('open', 'closed', 'legacy');" + objects
    new = "CREATE TYPE status AS ENUM ('open', 'closed');" + objects
    plan = round_trip(
        server.url, database, schema_dir, old + "INSERT INTO ticket VALUES (1, 'open');", new
    )
    steps = sqls(plan)
    assert steps[:2] == [
        "ALTER TABLE public.ticket DROP CONSTRAINT ticket_check;",
        "DROP INDEX CONCURRENTLY IF EXISTS public.ticket_open;",
    ]
    assert any(step.startswith("CREATE INDEX CONCURRENTLY ticket_open") for step in steps)
    assert "type public.status it names is replaced" in plan.steps[1].hazards[0].reason


def test_a_default_naming_a_swapped_enum_in_a_column_of_another_type_is_set_again_after(
    server: Server, database: str, schema_dir: Path
) -> None:
    """A text column's default holding a constant of the enum depends on the type:
    the old type could not be dropped under it."""
    objects = """
        CREATE TABLE ticket (id int, st status);
        CREATE TABLE note (id int, kind text DEFAULT ('open'::status)::text);
    """
    old = "CREATE TYPE status AS ENUM ('open', 'closed', 'legacy');" + objects
    new = "CREATE TYPE status AS ENUM ('open', 'closed');" + objects
    plan = round_trip(server.url, database, schema_dir, old, new)
    steps = sqls(plan)
    assert steps[0] == "ALTER TABLE public.note ALTER COLUMN kind DROP DEFAULT;"
    assert steps[-1] == (
        "ALTER TABLE public.note ALTER COLUMN kind SET DEFAULT ('open'::public.status)::text;"
    )


def test_routines_over_a_swapped_enum_are_dropped_before_the_swap_and_created_after(
    server: Server, database: str, schema_dir: Path
) -> None:
    """A routine taking or returning the type depends on it: the old type could not be
    dropped under it."""
    objects = """
        CREATE TABLE ticket (id int, st status);
        CREATE FUNCTION is_open(s status) RETURNS boolean LANGUAGE sql AS $$ SELECT s = 'open' $$;
        CREATE FUNCTION first_status() RETURNS status[] LANGUAGE sql AS $$ SELECT '{open}'::status[] $$;
    """
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TYPE status AS ENUM ('open', 'closed', 'legacy');" + objects,
        "CREATE TYPE status AS ENUM ('open', 'closed');" + objects,
    )
    steps = sqls(plan)
    assert steps[:2] == [
        "DROP FUNCTION public.first_status();",
        "DROP FUNCTION public.is_open(s public.status);",
    ]
    renamed = steps.index('ALTER TYPE public."status_schemactl_new" RENAME TO "status";')
    assert all(step.startswith("CREATE OR REPLACE FUNCTION") for step in steps[renamed + 1 :])
    assert len(steps) == renamed + 3


@pytest.mark.version_matrix  # 18 names a domain's NOT NULL after the domain
def test_a_domain_and_a_composite_type_over_a_swapped_enum_are_swapped_along(
    server: Server, database: str, schema_dir: Path
) -> None:
    """Neither could outlive the old enum: each is created again over the new one under a
    temporary name, its columns converted, and renamed once the old types are gone."""
    objects = """
        CREATE DOMAIN required_status AS status NOT NULL CHECK (VALUE <> 'closed');
        CREATE TYPE stamp AS (st status, at int);
        CREATE TABLE ticket (id int, st required_status, last stamp);
    """
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TYPE status AS ENUM ('open', 'closed', 'legacy');" + objects
        + "INSERT INTO ticket VALUES (1, 'open', ROW('closed', 7));",
        "CREATE TYPE status AS ENUM ('open', 'closed');" + objects,
    )  # fmt: skip
    steps = sqls(plan)
    assert steps[1].startswith(
        'CREATE DOMAIN public."required_status_schemactl_new" AS public."status_schemactl_new"'
    )
    assert steps[-6:] == [
        "DROP DOMAIN public.required_status;",
        "DROP TYPE public.stamp;",
        "DROP TYPE public.status;",
        'ALTER TYPE public."status_schemactl_new" RENAME TO "status";',
        'ALTER DOMAIN public."required_status_schemactl_new" RENAME TO "required_status";',
        'ALTER TYPE public."stamp_schemactl_new" RENAME TO "stamp";',
    ]
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT st::text, last::text FROM ticket").fetchall() == [
            ("open", "(closed,7)")
        ]


def test_what_blocks_a_column_type_change_is_taken_down_around_an_enum_swap(
    server: Server, database: str, schema_dir: Path
) -> None:
    """The swap converts the column as surely as a new type would: PostgreSQL refuses it
    under a generated column reading the column, a trigger's WHEN or a policy using it."""
    objects = """
        CREATE TABLE ticket (id int, st status,
                             is_open boolean GENERATED ALWAYS AS (st = 'open') STORED);
        ALTER TABLE ticket ENABLE ROW LEVEL SECURITY;
        CREATE POLICY not_closed ON ticket USING (st <> 'closed');
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
        CREATE TRIGGER on_close BEFORE UPDATE ON ticket FOR EACH ROW
            WHEN (NEW.st = 'closed') EXECUTE FUNCTION touch();
    """
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TYPE status AS ENUM ('open', 'closed', 'legacy');" + objects
        + "INSERT INTO ticket VALUES (1, 'open');",
        "CREATE TYPE status AS ENUM ('open', 'closed');" + objects,
    )  # fmt: skip
    steps = sqls(plan)
    assert steps[:3] == [
        "DROP TRIGGER on_close ON public.ticket;",
        "DROP POLICY not_closed ON public.ticket;",
        "ALTER TABLE public.ticket DROP COLUMN is_open;",
    ]
    assert steps[-3].startswith("ALTER TABLE public.ticket ADD COLUMN is_open boolean")
    assert steps[-2].startswith("CREATE TRIGGER on_close")
    assert steps[-1].startswith("CREATE POLICY not_closed")
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT st::text, is_open FROM ticket").fetchall() == [("open", True)]


def test_a_swap_under_a_partition_key_stops_the_plan_before_anything_runs(
    server: Server, database: str, schema_dir: Path
) -> None:
    """PostgreSQL converts no partition key column, and the partitions' bounds hold the
    old type's values: the plan says so instead of failing at apply."""
    objects = """
        CREATE TABLE ticket (id int, st status NOT NULL) PARTITION BY LIST (st);
        CREATE TABLE ticket_open PARTITION OF ticket FOR VALUES IN ('open');
    """
    execute(database, "CREATE TYPE status AS ENUM ('open', 'closed', 'legacy');" + objects)
    write_schema(schema_dir, "CREATE TYPE status AS ENUM ('open', 'closed');" + objects)
    with pytest.raises(SwapImpossible) as refused:
        plan_for(server.url, database, schema_dir)
    assert "public.ticket.st, which holds it, is in the partition key" in str(refused.value)


def test_reordered_labels_of_an_unused_enum_recreate_it(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TYPE level AS ENUM ('low', 'high');",
        "CREATE TYPE level AS ENUM ('high', 'low');",
    )
    assert sqls(plan) == [
        "DROP TYPE public.level;",
        "CREATE TYPE public.level AS ENUM (\n    'high',\n    'low'\n);",
    ]


def test_a_column_changing_from_one_enum_to_another_is_cast_through_text(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        """
        CREATE TYPE old_state AS ENUM ('on', 'off');
        CREATE TABLE device (id int, state old_state);
        INSERT INTO device VALUES (1, 'off');
        """,
        """
        CREATE TYPE new_state AS ENUM ('on', 'off', 'broken');
        CREATE TABLE device (id int, state new_state);
        """,
    )
    assert sqls(plan) == [
        "CREATE TYPE public.new_state AS ENUM (\n    'on',\n    'off',\n    'broken'\n);",
        "ALTER TABLE public.device ALTER COLUMN state TYPE public.new_state "
        "USING state::text::public.new_state;",
        "DROP TYPE public.old_state;",  # once no column holds it any more
    ]


def test_a_column_changing_from_an_enum_to_a_domain_is_cast_through_text(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TYPE mood AS ENUM ('ok'); CREATE TABLE t (m mood); INSERT INTO t VALUES ('ok');",
        "CREATE DOMAIN mood_text AS text CHECK (VALUE <> ''); CREATE TABLE t (m mood_text);",
    )
    assert (
        "ALTER TABLE public.t ALTER COLUMN m TYPE public.mood_text USING m::text::public.mood_text;"
        in sqls(plan)
    )


def test_a_label_the_schema_uses_is_added_in_a_transaction_of_its_own(
    server: Server, database: str, schema_dir: Path, capsys
) -> None:
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("CREATE TYPE status AS ENUM ('a'); CREATE TABLE t (s status);")
    write_schema(
        schema_dir,
        "CREATE TYPE status AS ENUM ('a', 'b'); CREATE TABLE t (s status DEFAULT 'b');",
    )
    plan = plan_for(server.url, database, schema_dir)
    add_value = plan.steps[0]
    assert add_value.sql == "ALTER TYPE public.status ADD VALUE 'b' AFTER 'a';"
    assert add_value.separate  # committed on its own, and the rollback can still remove it
    common = ["--schema", str(schema_dir), "--database-url", database, "--dev-url", server.url]
    assert run_cli(capsys, "apply", *common, "--auto-approve").code == 0
    assert not plan_for(server.url, database, schema_dir).has_changes


def test_a_domain_is_created_with_default_not_null_and_checks(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "",
        "CREATE DOMAIN email AS text COLLATE \"C\" DEFAULT 'a@b.c' NOT NULL "
        "CHECK (VALUE ~ '@') CONSTRAINT short CHECK (length(VALUE) < 100);",
    )
    assert sqls(plan) == [
        "CREATE DOMAIN public.email AS text COLLATE pg_catalog.\"C\" DEFAULT 'a@b.c'::text NOT NULL\n"
        "    CONSTRAINT email_check CHECK ((VALUE ~ '@'::text))\n"
        "    CONSTRAINT short CHECK ((length(VALUE) < 100));"
    ]


def test_a_domain_is_altered_in_place(server: Server, database: str, schema_dir: Path) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE DOMAIN rating AS integer CHECK (VALUE >= 1 AND VALUE <= 5) CONSTRAINT gone CHECK (VALUE <> 3);"
        "CREATE TABLE review (r rating); INSERT INTO review VALUES (4);",
        "CREATE DOMAIN rating AS integer DEFAULT 3 NOT NULL CHECK (VALUE >= 1 AND VALUE <= 10);"
        "CREATE TABLE review (r rating);",
    )
    assert sqls(plan) == [
        "ALTER DOMAIN public.rating SET DEFAULT 3;",
        "ALTER DOMAIN public.rating DROP CONSTRAINT gone;",
        "ALTER DOMAIN public.rating DROP CONSTRAINT rating_check;",
        "ALTER DOMAIN public.rating ADD CONSTRAINT rating_check CHECK (((VALUE >= 1) AND (VALUE <= 10)));",
        "ALTER DOMAIN public.rating SET NOT NULL;",
    ]
    assert "validation_scan" in plan.steps[3].hazard_kinds


def test_a_not_valid_domain_check_is_kept_not_valid_and_then_validated(
    server: Server, database: str, schema_dir: Path
) -> None:
    domain = "CREATE DOMAIN code AS text; ALTER DOMAIN code ADD CONSTRAINT c CHECK (VALUE <> '')"
    plan = round_trip(server.url, database, schema_dir, "", domain + " NOT VALID;")
    assert sqls(plan) == [
        "CREATE DOMAIN public.code AS text;",
        "ALTER DOMAIN public.code ADD CONSTRAINT c CHECK ((VALUE <> ''::text)) NOT VALID;",
    ]
    plan = round_trip(server.url, database, schema_dir, domain + " NOT VALID;", domain + ";")
    assert sqls(plan) == ["ALTER DOMAIN public.code VALIDATE CONSTRAINT c;"]


def test_a_domain_check_calling_a_function_is_added_once_the_function_exists(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "",
        """
        CREATE FUNCTION valid_id(v text) RETURNS boolean LANGUAGE sql IMMUTABLE
            AS $$ SELECT v LIKE 'id_%' $$;
        CREATE DOMAIN custom_id AS text CHECK (valid_id(VALUE));
        CREATE TABLE example (id custom_id PRIMARY KEY);
        """,
    )
    statements = [s.split("\n")[0] for s in sqls(plan)]
    assert statements.index("CREATE DOMAIN public.custom_id AS text;") < statements.index(
        "ALTER DOMAIN public.custom_id ADD CONSTRAINT custom_id_check CHECK (public.valid_id(VALUE));"
    )
    rollback = [s.sql.split("\n")[0] for s in plan.rollback]
    assert rollback.index("ALTER DOMAIN public.custom_id DROP CONSTRAINT custom_id_check;") < next(
        i for i, s in enumerate(rollback) if s.startswith("DROP FUNCTION")
    )


def test_a_removed_domain_is_dropped(server: Server, database: str, schema_dir: Path) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE DOMAIN product_code AS varchar(20) NOT NULL CHECK (VALUE ~ '^[A-Z]');",
        "",
    )
    assert sqls(plan) == ["DROP DOMAIN public.product_code;"]


def test_a_domain_whose_base_type_changes_is_swapped_under_its_columns(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE DOMAIN amount AS integer; CREATE TABLE t (a amount); INSERT INTO t VALUES (7);",
        "CREATE DOMAIN amount AS bigint; CREATE TABLE t (a amount);",
    )
    assert sqls(plan) == [
        'CREATE DOMAIN public."amount_schemactl_new" AS bigint;',
        'ALTER TABLE public.t ALTER COLUMN a TYPE public."amount_schemactl_new" '
        'USING a::text::public."amount_schemactl_new";',
        "DROP DOMAIN public.amount;",
        'ALTER DOMAIN public."amount_schemactl_new" RENAME TO "amount";',
    ]


def test_a_composite_type_gains_drops_and_retypes_attributes_in_place(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TYPE address AS (street text, zip int, gone text);",
        'CREATE TYPE address AS (street text COLLATE "C", zip bigint, city text);',
    )
    assert sqls(plan) == [
        "ALTER TYPE public.address DROP ATTRIBUTE gone;",
        'ALTER TYPE public.address ALTER ATTRIBUTE street SET DATA TYPE text COLLATE pg_catalog."C";',
        "ALTER TYPE public.address ALTER ATTRIBUTE zip SET DATA TYPE bigint;",
        "ALTER TYPE public.address ADD ATTRIBUTE city text;",
    ]
    assert "data_loss" in plan.steps[0].hazard_kinds


def test_a_composite_type_used_by_a_table_gains_an_attribute(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TYPE point2 AS (x int, y int); CREATE TABLE shape (p point2);",
        "CREATE TYPE point2 AS (x int, y int, z int); CREATE TABLE shape (p point2);",
    )
    assert sqls(plan) == ["ALTER TYPE public.point2 ADD ATTRIBUTE z integer;"]


def test_a_composite_attribute_changing_type_under_columns_swaps_the_type(
    server: Server, database: str, schema_dir: Path
) -> None:
    """PostgreSQL refuses ALTER ATTRIBUTE ... TYPE while a column holds the type; the
    values go through text into the new type instead, arrays of it too."""
    objects = """
        CREATE TABLE shape (id int, p point2, trail point2[]);
        CREATE VIEW shape_x AS SELECT id, (p).x FROM shape;
    """
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TYPE point2 AS (x int, y int);" + objects
        + "INSERT INTO shape VALUES (1, ROW(1, 2), ARRAY[ROW(3, 4)::point2]);",
        "CREATE TYPE point2 AS (x bigint, y int);" + objects,
    )  # fmt: skip
    steps = sqls(plan)
    assert steps[0] == "DROP VIEW public.shape_x;"
    assert 'ALTER TYPE public."point2_schemactl_new" RENAME TO "point2";' in steps
    assert not any("ALTER ATTRIBUTE" in step for step in steps)
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT p::text, trail::text FROM shape").fetchall() == [
            ("(1,2)", '{"(3,4)"}')
        ]


def test_a_composite_attribute_changing_type_inside_another_held_type_swaps_both(
    server: Server, database: str, schema_dir: Path
) -> None:
    """A column holding a type built on the composite blocks the ALTER ATTRIBUTE just as
    well: the composite is swapped, and the type built on it along."""
    objects = "CREATE TYPE route AS (leg point2, hops int); CREATE TABLE trip (r route);"
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TYPE point2 AS (x int, y int);" + objects
        + "INSERT INTO trip VALUES (ROW(ROW(1, 2), 3));",
        "CREATE TYPE point2 AS (x bigint, y int);" + objects,
    )  # fmt: skip
    assert sqls(plan)[-2:] == [
        'ALTER TYPE public."point2_schemactl_new" RENAME TO "point2";',
        'ALTER TYPE public."route_schemactl_new" RENAME TO "route";',
    ]
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT r::text FROM trip").fetchone() == ('("(1,2)",3)',)


def test_a_range_type_is_created_and_dropped(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "",
        "CREATE TYPE float_range AS RANGE (subtype = float8, subtype_diff = float8mi);",
    )
    assert sqls(plan) == [
        "CREATE TYPE public.float_range AS RANGE (SUBTYPE = double precision, "
        "SUBTYPE_DIFF = float8mi, MULTIRANGE_TYPE_NAME = public.float_multirange);"
    ]


def test_comments_on_types_and_domains_are_set(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TYPE status AS ENUM ('a'); CREATE DOMAIN d AS int;",
        "CREATE TYPE status AS ENUM ('a'); CREATE DOMAIN d AS int CONSTRAINT pos CHECK (VALUE > 0);"
        "COMMENT ON TYPE status IS 'lifecycle'; COMMENT ON DOMAIN d IS 'a d';"
        "COMMENT ON CONSTRAINT pos ON DOMAIN d IS 'positive';",
    )
    assert sqls(plan) == [
        "ALTER DOMAIN public.d ADD CONSTRAINT pos CHECK ((VALUE > 0));",
        "COMMENT ON CONSTRAINT pos ON DOMAIN public.d IS 'positive';",
        "COMMENT ON DOMAIN public.d IS 'a d';",
        "COMMENT ON TYPE public.status IS 'lifecycle';",
    ]


def test_array_types_row_types_and_extension_types_are_not_the_users(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "",
        "CREATE EXTENSION IF NOT EXISTS citext; CREATE TABLE t (id int, tags citext[]);",
    )
    assert [s.split(" ")[1] for s in sqls(plan)] == ["EXTENSION", "TABLE"]


def test_a_domain_check_printed_differently_by_postgresql_does_not_flap(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "",
        "CREATE DOMAIN code AS varchar(10) DEFAULT 'a' CHECK (VALUE IN ('a', 'b'));",
    )
    assert len(sqls(plan)) == 1  # and round_trip found no drift after applying it


def test_a_domain_over_a_table_row_type_comes_between_that_table_and_its_users(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "",
        "CREATE TABLE uses (dcol d); CREATE DOMAIN d AS base; CREATE TABLE base (id int);",
    )
    assert [s.split(" (")[0].split(" AS ")[0] for s in sqls(plan)] == [
        "CREATE TABLE public.base",
        "CREATE DOMAIN public.d",
        "CREATE TABLE public.uses",
    ]
    assert [s.sql for s in plan.rollback] == [
        "DROP TABLE public.uses;",
        "DROP DOMAIN public.d;",
        "DROP TABLE public.base;",
    ]


# A domain whose default calls a routine of the schema's own.
CODE_DOMAIN = """CREATE FUNCTION next_code() RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$;
CREATE DOMAIN code AS text DEFAULT next_code();"""


def test_a_domain_default_calling_a_routine_that_goes_is_dropped_before_the_routine(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        CODE_DOMAIN,
        "CREATE DOMAIN code AS text DEFAULT 'y';",
    )
    assert sqls(plan) == [
        "ALTER DOMAIN public.code DROP DEFAULT;",
        "DROP FUNCTION public.next_code();",
        "ALTER DOMAIN public.code SET DEFAULT 'y'::text;",
    ]


def test_a_domain_default_calling_a_recreated_routine_is_set_again_around_it(
    server: Server, database: str, schema_dir: Path
) -> None:
    """A new return type makes the routine dropped and created again; the domain's
    default, unchanged, would keep DROP FUNCTION from running."""
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        CODE_DOMAIN + "CREATE TABLE t (c code);",
        "CREATE FUNCTION next_code() RETURNS varchar LANGUAGE sql AS $$ SELECT 'x' $$;"
        "CREATE DOMAIN code AS text DEFAULT next_code(); CREATE TABLE t (c code);",
    )
    steps = sqls(plan)
    assert steps[:2] == [
        "ALTER DOMAIN public.code DROP DEFAULT;",
        "DROP FUNCTION public.next_code();",
    ]
    assert steps[-1] == "ALTER DOMAIN public.code SET DEFAULT public.next_code();"


def test_a_domain_check_calling_a_recreated_routine_is_added_again_after_it(
    server: Server, database: str, schema_dir: Path
) -> None:
    """A renamed parameter makes the routine dropped and created again; the CHECK that
    calls it goes first and comes back, validated over the rows, with its comment."""
    checked = """CREATE DOMAIN pos AS int CONSTRAINT pos_check CHECK (is_pos(VALUE));
COMMENT ON CONSTRAINT pos_check ON DOMAIN pos IS 'positive only';
CREATE TABLE t (p pos);"""
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE FUNCTION is_pos(n int) RETURNS boolean LANGUAGE sql AS 'SELECT n > 0';"
        + checked + "INSERT INTO t VALUES (5);",
        "CREATE FUNCTION is_pos(x int) RETURNS boolean LANGUAGE sql AS 'SELECT x > 0';" + checked,
    )  # fmt: skip
    steps = sqls(plan)
    assert steps[:2] == [
        "ALTER DOMAIN public.pos DROP CONSTRAINT pos_check;",
        "DROP FUNCTION public.is_pos(n integer);",
    ]
    assert steps[-2:] == [
        "ALTER DOMAIN public.pos ADD CONSTRAINT pos_check CHECK (public.is_pos(VALUE));",
        "COMMENT ON CONSTRAINT pos_check ON DOMAIN public.pos IS 'positive only';",
    ]


def test_a_domain_check_calling_a_redefined_routine_checks_the_columns_again(
    server: Server, database: str, schema_dir: Path
) -> None:
    """A new body may reject values the old one let into the domain's columns: the CHECK
    is added again after it, and PostgreSQL checks every column of the domain."""
    checked = """CREATE FUNCTION is_pos(n int) RETURNS boolean LANGUAGE sql IMMUTABLE
        AS 'SELECT n > {floor}';
    CREATE DOMAIN pos AS int CONSTRAINT pos_check CHECK (is_pos(VALUE)); CREATE TABLE t (p pos);"""
    plan = round_trip(
        server.url, database, schema_dir,
        checked.format(floor=0) + "INSERT INTO t VALUES (15);", checked.format(floor=10),
    )  # fmt: skip
    steps = sqls(plan)
    assert steps[0] == "ALTER DOMAIN public.pos DROP CONSTRAINT pos_check;"
    assert (
        steps[-1]
        == "ALTER DOMAIN public.pos ADD CONSTRAINT pos_check CHECK (public.is_pos(VALUE));"
    )
    assert (
        plan.steps[-1].hazards[0].reason
        == "pos_check on domain public.pos scans every column of that type"
    )


def test_a_new_domain_gets_a_default_calling_a_new_routine_once_the_routine_exists(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "",
        CODE_DOMAIN,
    )
    steps = sqls(plan)
    assert steps[0] == "CREATE DOMAIN public.code AS text;"
    assert steps[1].startswith("CREATE OR REPLACE FUNCTION public.next_code()")
    assert steps[2] == "ALTER DOMAIN public.code SET DEFAULT public.next_code();"


def test_a_default_changed_on_a_column_whose_enum_is_replaced_is_set_once(
    server: Server, database: str, schema_dir: Path
) -> None:
    """The replacement sets the column's new default after converting it: the column's
    own changes do not set it (or drop it) a second time."""
    execute(
        database,
        "CREATE TYPE mood AS ENUM ('ok', 'sad', 'gone'); CREATE TABLE p (m mood DEFAULT 'sad');"
        "CREATE TABLE q (m mood DEFAULT 'gone');",
    )
    write_schema(
        schema_dir,
        "CREATE TYPE mood AS ENUM ('ok', 'sad'); CREATE TABLE p (m mood DEFAULT 'ok');"
        "CREATE TABLE q (m mood);",
    )
    plan = plan_for(server.url, database, schema_dir)
    steps = sqls(plan)
    assert steps.count("ALTER TABLE public.p ALTER COLUMN m SET DEFAULT 'ok'::public.mood;") == 1
    assert steps.count("ALTER TABLE public.q ALTER COLUMN m DROP DEFAULT;") == 1
    apply_up(database, plan)
    assert not plan_for(server.url, database, schema_dir).has_changes


def test_a_default_given_to_a_column_whose_enum_is_replaced_is_set_once(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(database, "CREATE TYPE mood AS ENUM ('ok', 'gone'); CREATE TABLE p (m mood);")
    write_schema(
        schema_dir, "CREATE TYPE mood AS ENUM ('ok'); CREATE TABLE p (m mood DEFAULT 'ok');"
    )
    plan = plan_for(server.url, database, schema_dir)
    assert (
        sqls(plan).count("ALTER TABLE public.p ALTER COLUMN m SET DEFAULT 'ok'::public.mood;") == 1
    )
    apply_up(database, plan)
    assert not plan_for(server.url, database, schema_dir).has_changes
