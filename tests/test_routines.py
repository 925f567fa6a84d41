"""Functions, procedures and aggregates: CREATE OR REPLACE where PostgreSQL allows it,
DROP + CREATE where it must, created before what calls them and after what they need."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from schemactl.catalog.model import Function
from schemactl.catalog.readers.routines import body_references
from schemactl.diff.regenerated import SET_EXPRESSION_SINCE
from tests.support import (
    Server,
    apply_up,
    execute,
    plan_for,
    round_trip,
    run_steps,
    sqls,
    write_schema,
)

ADD = """CREATE FUNCTION add(a integer, b integer) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT a + b $$;"""

ADD_PRINTED = """CREATE OR REPLACE FUNCTION public.add(a integer, b integer)
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE
AS $function$ SELECT a + b $function$;"""

TOUCH = """CREATE TABLE items (id int PRIMARY KEY, touched_at timestamptz);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.touched_at := now(); RETURN NEW; END $$;
CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch();"""


def _steps_of(plan_sqls: list[str], prefix: str) -> list[int]:
    return [i for i, sql in enumerate(plan_sqls) if sql.startswith(prefix)]


def test_a_new_function_is_created_as_postgresql_prints_it(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(server.url, database, schema_dir, "", ADD)
    assert sqls(plan) == [ADD_PRINTED]
    assert [s.sql for s in plan.rollback] == ["DROP FUNCTION public.add(a integer, b integer);"]


def test_a_changed_body_is_replaced_in_place(
    server: Server, database: str, schema_dir: Path
) -> None:
    changed = ADD.replace("a + b", "b + a")
    plan = round_trip(server.url, database, schema_dir, ADD, changed)
    assert sqls(plan) == [ADD_PRINTED.replace("a + b", "b + a")]


def test_attributes_are_part_of_the_definition_and_replaced_in_place(
    server: Server, database: str, schema_dir: Path
) -> None:
    changed = ADD.replace(
        "IMMUTABLE", "STABLE STRICT SECURITY DEFINER PARALLEL SAFE COST 5 SET search_path = ''"
    )
    plan = round_trip(server.url, database, schema_dir, ADD, changed)
    [step] = sqls(plan)
    assert step.startswith("CREATE OR REPLACE FUNCTION public.add(a integer, b integer)")
    for attribute in ("STABLE", "STRICT", "SECURITY DEFINER", "PARALLEL SAFE", "COST 5"):
        assert attribute in step
    assert "SET search_path TO ''" in step


def test_a_removed_function_is_dropped_by_its_signature(
    server: Server, database: str, schema_dir: Path
) -> None:
    old = ADD + "\nCREATE FUNCTION keep() RETURNS int LANGUAGE sql RETURN 1;"
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        old,
        "CREATE FUNCTION keep() RETURNS int LANGUAGE sql RETURN 1;",
    )
    assert sqls(plan) == ["DROP FUNCTION public.add(a integer, b integer);"]


def test_a_renamed_or_retyped_argument_makes_another_function(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        ADD,
        ADD.replace("b integer", "c bigint").replace("a + b", "a + c"),
    )
    assert sqls(plan)[0] == "DROP FUNCTION public.add(a integer, b integer);"
    assert sqls(plan)[1].startswith("CREATE OR REPLACE FUNCTION public.add(a integer, c bigint)")


def test_a_return_type_change_is_drop_and_create_with_its_trigger_recreated(
    server: Server, database: str, schema_dir: Path
) -> None:
    old = (
        """CREATE FUNCTION score(id integer) RETURNS integer LANGUAGE sql IMMUTABLE RETURN id % 7;
"""
        + TOUCH.replace("FOR EACH ROW", "FOR EACH ROW WHEN (score(NEW.id) > 0)")
        + """
COMMENT ON TRIGGER items_touch ON items IS 'keeps touched_at';
ALTER TABLE items DISABLE TRIGGER items_touch;"""
    )
    new = old.replace("RETURNS integer LANGUAGE sql", "RETURNS bigint LANGUAGE sql")
    plan = round_trip(server.url, database, schema_dir, old, new)
    steps = sqls(plan)
    assert steps[:2] == [
        "DROP TRIGGER items_touch ON public.items;",
        "DROP FUNCTION public.score(id integer);",
    ]
    assert steps[2].startswith(
        "CREATE OR REPLACE FUNCTION public.score(id integer)\n RETURNS bigint"
    )
    assert steps[3:] == [
        "CREATE TRIGGER items_touch BEFORE UPDATE ON public.items FOR EACH ROW "
        "WHEN ((public.score(new.id) > 0)) EXECUTE FUNCTION public.touch();",
        "ALTER TABLE public.items DISABLE TRIGGER items_touch;",
        "COMMENT ON TRIGGER items_touch ON public.items IS 'keeps touched_at';",
    ]
    assert "dependent_recreate" in plan.steps[0].hazard_kinds


def test_removing_an_argument_default_is_drop_and_create(
    server: Server, database: str, schema_dir: Path
) -> None:
    old = ADD.replace("b integer", "b integer DEFAULT 1")
    plan = round_trip(server.url, database, schema_dir, old, ADD)
    assert sqls(plan) == ["DROP FUNCTION public.add(a integer, b integer);", ADD_PRINTED]
    # Adding one back is a plain replace.
    assert [s.sql for s in plan.rollback][0].startswith("CREATE OR REPLACE FUNCTION")


def test_a_function_used_by_a_column_default_and_a_trigger(
    server: Server, database: str, schema_dir: Path
) -> None:
    new = """CREATE FUNCTION default_status() RETURNS text LANGUAGE plpgsql AS $$
BEGIN RETURN 'active'; END $$;
CREATE TABLE users (id int, status text DEFAULT default_status(), touched_at timestamptz);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.touched_at := now(); NEW.status := default_status(); RETURN NEW; END $$;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();"""
    plan = round_trip(server.url, database, schema_dir, "", new)
    steps = sqls(plan)
    function, table = (
        _steps_of(steps, "CREATE OR REPLACE FUNCTION public.default_status"),
        _steps_of(steps, "CREATE TABLE public.users"),
    )
    trigger = _steps_of(steps, "CREATE TRIGGER users_touch")
    assert function[0] < table[0] < trigger[0]
    down = [s.sql for s in plan.rollback]
    # Down: the table (and its default and trigger) goes before the functions it used.
    assert down.index("DROP TABLE public.users;") < down.index(
        "DROP FUNCTION public.default_status();"
    )
    assert down.index("DROP TABLE public.users;") < down.index("DROP FUNCTION public.touch();")


def test_a_procedure_is_created_replaced_and_dropped(
    server: Server, database: str, schema_dir: Path
) -> None:
    proc = """CREATE PROCEDURE bump(IN n integer, INOUT total integer)
LANGUAGE plpgsql AS $$ BEGIN total := total + n; END $$;"""
    plan = round_trip(server.url, database, schema_dir, "", proc)
    assert sqls(plan)[0].startswith(
        "CREATE OR REPLACE PROCEDURE public.bump(IN n integer, INOUT total integer)"
    )
    assert [s.sql for s in plan.rollback] == [
        "DROP PROCEDURE public.bump(IN n integer, INOUT total integer);"
    ]
    execute(database, proc)
    write_schema(schema_dir, proc.replace("total + n", "total + 2 * n"))
    [step] = sqls(plan_for(server.url, database, schema_dir))
    assert step.startswith("CREATE OR REPLACE PROCEDURE") and "total + 2 * n" in step


AGGREGATE = """CREATE FUNCTION str_append(text, text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT $1 || $2 $$;
CREATE AGGREGATE str_concat(text) (SFUNC = str_append, STYPE = text, INITCOND = '');"""


def test_an_aggregate_is_created_after_its_support_function_and_keeps_an_empty_initcond(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(server.url, database, schema_dir, "", AGGREGATE)
    steps = sqls(plan)
    assert steps[0].startswith("CREATE OR REPLACE FUNCTION public.str_append(text, text)")
    assert steps[1] == (
        "CREATE OR REPLACE AGGREGATE public.str_concat(text) (\n"
        "    SFUNC = public.str_append,\n"
        "    STYPE = text,\n"
        "    INITCOND = ''\n"
        ");"
    )
    assert [s.sql for s in plan.rollback] == [
        "DROP AGGREGATE public.str_concat(text);",
        "DROP FUNCTION public.str_append(text, text);",
    ]


def test_a_changed_aggregate_is_replaced_in_place(
    server: Server, database: str, schema_dir: Path
) -> None:
    changed = AGGREGATE.replace("INITCOND = ''", "INITCOND = '>', PARALLEL = SAFE")
    plan = round_trip(server.url, database, schema_dir, AGGREGATE, changed)
    assert sqls(plan) == [
        "CREATE OR REPLACE AGGREGATE public.str_concat(text) (\n"
        "    SFUNC = public.str_append,\n"
        "    STYPE = text,\n"
        "    INITCOND = '>',\n"
        "    PARALLEL = SAFE\n"
        ");"
    ]


def test_a_sql_function_is_created_after_the_function_its_body_calls(
    server: Server, database: str, schema_dir: Path
) -> None:
    new = """CREATE FUNCTION z_helper(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT upper(t) $$;
CREATE FUNCTION a_wrapper(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT z_helper(t) $$;"""
    plan = round_trip(server.url, database, schema_dir, "", new)
    assert [s.split("(")[0] for s in sqls(plan)] == [
        "CREATE OR REPLACE FUNCTION public.z_helper",
        "CREATE OR REPLACE FUNCTION public.a_wrapper",
    ]
    assert [s.sql for s in plan.rollback] == [
        "DROP FUNCTION public.a_wrapper(t text);",
        "DROP FUNCTION public.z_helper(t text);",
    ]


def test_a_sql_function_reading_a_new_table_is_created_after_the_table(
    server: Server, database: str, schema_dir: Path
) -> None:
    new = """CREATE FUNCTION count_notes() RETURNS bigint LANGUAGE sql STABLE
AS $$ SELECT count(*) FROM notes $$;
CREATE TABLE notes (id int);"""
    plan = round_trip(server.url, database, schema_dir, "", new)
    assert sqls(plan)[0].startswith("CREATE TABLE public.notes")
    assert sqls(plan)[1].startswith("CREATE OR REPLACE FUNCTION public.count_notes()")


def test_a_sql_function_a_default_needs_may_read_a_table_created_after_it(
    server: Server, database: str, schema_dir: Path
) -> None:
    new = """CREATE TABLE counters (n int);
CREATE FUNCTION next_code() RETURNS int LANGUAGE sql AS $$ SELECT coalesce(max(n), 0) + 1 FROM counters $$;
CREATE TABLE items (code int DEFAULT next_code());"""
    plan = round_trip(server.url, database, schema_dir, "", new)
    function = next(s for s in sqls(plan) if "next_code()\n" in s)
    assert function.startswith("SET LOCAL check_function_bodies = off;\nCREATE OR REPLACE FUNCTION")
    steps = sqls(plan)
    assert steps.index(function) < _steps_of(steps, "CREATE TABLE public.items")[0]


def test_a_function_over_a_table_row_type_comes_after_the_table_and_goes_before_it(
    server: Server, database: str, schema_dir: Path
) -> None:
    new = """CREATE TABLE x (id int, flag boolean);
CREATE FUNCTION x_flagged(r x) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN RETURN r.flag; END $$;"""
    plan = round_trip(server.url, database, schema_dir, "", new)
    assert sqls(plan)[0].startswith("CREATE TABLE public.x")
    assert sqls(plan)[1].startswith("CREATE OR REPLACE FUNCTION public.x_flagged(r public.x)")
    assert [s.sql for s in plan.rollback] == [
        "DROP FUNCTION public.x_flagged(r public.x);",
        "DROP TABLE public.x;",
    ]


def test_comments_on_functions_procedures_and_aggregates(
    server: Server, database: str, schema_dir: Path
) -> None:
    old = ADD + "\nCREATE PROCEDURE noop() LANGUAGE sql AS $$ SELECT 1 $$;\n" + AGGREGATE
    new = (
        old
        + """
COMMENT ON FUNCTION add(integer, integer) IS 'adds';
COMMENT ON PROCEDURE noop() IS 'does nothing';
COMMENT ON AGGREGATE str_concat(text) IS 'concatenates';"""
    )
    plan = round_trip(server.url, database, schema_dir, old, new)
    assert sorted(sqls(plan)) == [
        "COMMENT ON AGGREGATE public.str_concat(text) IS 'concatenates';",
        "COMMENT ON FUNCTION public.add(a integer, b integer) IS 'adds';",
        "COMMENT ON PROCEDURE public.noop() IS 'does nothing';",
    ]


def test_functions_an_extension_owns_are_not_planned(
    server: Server, database: str, schema_dir: Path
) -> None:
    schema = "CREATE EXTENSION citext;\n" + ADD
    plan = round_trip(server.url, database, schema_dir, "CREATE EXTENSION citext;", schema)
    assert sqls(plan) == [ADD_PRINTED]


def _function(language: str, definition: str) -> Function:
    return Function("public", "f", "public.f", "", "f", definition, "integer", 0, language)


def test_a_plpgsql_body_is_parsed_for_the_routines_it_calls() -> None:
    definition = """CREATE OR REPLACE FUNCTION public.f()
 RETURNS integer LANGUAGE plpgsql
AS $function$
DECLARE x int := helper(1);
BEGIN
  x := util.scale(x) + 1;
  PERFORM notify_all(x);
  IF is_ready(x) THEN RETURN x; END IF;
  RETURN (SELECT count(*) FROM public.items);
END $function$"""
    found = body_references(_function("plpgsql", definition), "unused")
    assert {("helper",), ("util", "scale"), ("notify_all",), ("is_ready",)} <= found.routines
    assert not found.relations  # PL/pgSQL bodies are not checked at creation


def test_a_sql_body_is_parsed_for_routines_and_relations_but_not_ctes() -> None:
    source = "WITH recent AS (SELECT 1) SELECT helper(x) FROM recent"
    found = body_references(_function("sql", ""), source)
    assert found.routines == {("helper",)} and not found.relations
    assert body_references(_function("sql", ""), "SELECT * FROM items").relations


def test_a_function_over_a_rebuilt_view_row_type_is_dropped_before_and_created_after_it(
    server: Server, database: str, schema_dir: Path
) -> None:
    old = """CREATE TABLE users (id int, email text, deleted boolean);
CREATE VIEW live_users AS SELECT id, email FROM users WHERE NOT deleted;
CREATE FUNCTION first_user() RETURNS live_users LANGUAGE sql STABLE
AS $$ SELECT * FROM live_users LIMIT 1 $$;"""
    new = old.replace("SELECT id, email FROM users", "SELECT email, id FROM users")
    plan = round_trip(server.url, database, schema_dir, old, new)
    steps = [s.split("\n")[0] for s in sqls(plan)]
    assert steps == [
        "DROP FUNCTION public.first_user();",
        "DROP VIEW public.live_users;",
        "CREATE VIEW public.live_users AS",
        "CREATE OR REPLACE FUNCTION public.first_user()",
    ]


TENANT_FUNCTION = """
CREATE FUNCTION current_tenant() RETURNS {type} LANGUAGE sql STABLE
    AS $$ SELECT coalesce(current_setting('app.tenant', true), '1')::{type} $$;
CREATE TABLE accounts (id int, tenant {type} DEFAULT current_tenant());
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_tenant ON accounts USING (tenant = current_tenant());
"""


def test_a_function_used_by_a_policy_and_a_default_is_created_before_both(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(server.url, database, schema_dir, "", TENANT_FUNCTION.format(type="integer"))
    kinds = [step.kind for step in plan.steps]
    assert kinds.index("function") < kinds.index("table") < kinds.index("policy")


def test_a_return_type_change_under_a_policy_and_a_default_rebuilds_around_them(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TENANT_FUNCTION.format(type="integer"),
        TENANT_FUNCTION.format(type="integer")
        .replace("RETURNS integer", "RETURNS bigint")
        .replace("'1')::integer", "'1')::bigint"),
    )
    statements = [step.sql.splitlines()[0] for step in plan.steps]
    drop_function = next(i for i, s in enumerate(statements) if s.startswith("DROP FUNCTION"))
    assert any(s.startswith("DROP POLICY") for s in statements[:drop_function])


def test_a_begin_atomic_routine_steps_aside_while_a_column_it_reads_changes_type(
    server: Server, database: str, schema_dir: Path
) -> None:
    """A SQL-standard body records the columns it reads, and PostgreSQL refuses to change
    their type while it stands: the routine, the same on both sides, goes first and
    comes back after."""
    routine = (
        "CREATE FUNCTION total() RETURNS bigint LANGUAGE sql "
        "BEGIN ATOMIC SELECT sum(qty) FROM stock; END;"
    )
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        f"CREATE TABLE stock (id int PRIMARY KEY, qty int);\n{routine}",
        f"CREATE TABLE stock (id int PRIMARY KEY, qty bigint);\n{routine}",
    )
    steps = sqls(plan)
    assert steps[:2] == [
        "DROP FUNCTION public.total();",
        "ALTER TABLE public.stock ALTER COLUMN qty TYPE bigint USING qty::bigint;",
    ]
    assert steps[2].startswith("CREATE OR REPLACE FUNCTION public.total()")


# An immutable function, an index and a stored generated column computed with it.
NORM = """CREATE FUNCTION norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT {body}';
CREATE TABLE u (id int, email text, key text GENERATED ALWAYS AS (norm(email)) STORED);
CREATE INDEX u_norm ON u (norm(email));"""


def test_what_was_computed_with_a_redefined_function_is_computed_again(
    server: Server, database: str, schema_dir: Path
) -> None:
    """CREATE OR REPLACE leaves expression indexes and stored generated columns holding
    what the old body computed: a lookup through the index would miss rows the new body
    matches. They are built again after the new body is in place."""
    if server.major >= SET_EXPRESSION_SINCE:
        pytest.skip("from PostgreSQL 17 the expression is set in place (tests/test_tables.py)")
    plan = round_trip(
        server.url, database, schema_dir,
        NORM.format(body="lower(t)") + "INSERT INTO u (id, email) VALUES (1, 'A@x');",
        NORM.format(body="upper(t)"),
    )  # fmt: skip
    steps = sqls(plan)
    assert steps[0] == "DROP INDEX CONCURRENTLY IF EXISTS public.u_norm;"
    assert steps[1] == "ALTER TABLE public.u DROP COLUMN key;"
    assert steps[2].startswith("CREATE OR REPLACE FUNCTION public.norm(t text)")
    assert steps[3:] == [
        "ALTER TABLE public.u ADD COLUMN key text GENERATED ALWAYS AS (public.norm(email)) STORED;",
        "CREATE INDEX CONCURRENTLY u_norm ON public.u USING btree (public.norm(email));",
    ]
    index_hazard = plan.steps[0].hazards[0].reason
    assert "public.norm(t text) is redefined, and this holds what it computed" in index_hazard


def test_options_that_leave_results_alone_rebuild_nothing(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(database, NORM.format(body="lower(t)"))
    write_schema(
        schema_dir,
        NORM.format(body="lower(t)").replace("IMMUTABLE", "IMMUTABLE PARALLEL SAFE COST 5"),
    )
    assert [step.splitlines()[0] for step in sqls(plan_for(server.url, database, schema_dir))] == [
        "CREATE OR REPLACE FUNCTION public.norm(t text)"
    ]


@pytest.mark.parametrize(
    "body",
    ["LOWER( t )  -- the address, folded", "lower(t) /* folded */", "\n    lower(t)\n"],
    ids=["case-and-spacing", "comment", "lines"],
)
def test_a_body_laid_out_anew_rebuilds_nothing(
    server: Server, database: str, schema_dir: Path, body: str
) -> None:
    """Only a body that reads otherwise computes anew: a new layout, comment or keyword
    case is replaced in place, and the index and generated column over it stay."""
    execute(database, NORM.format(body="lower(t)"))
    write_schema(schema_dir, NORM.format(body=body))
    assert [step.splitlines()[0] for step in sqls(plan_for(server.url, database, schema_dir))] == [
        "CREATE OR REPLACE FUNCTION public.norm(t text)"
    ]


def test_a_plpgsql_body_that_reads_otherwise_is_redefined(
    server: Server, database: str, schema_dir: Path
) -> None:
    """An unquoted name is folded as PostgreSQL folds it; a string is not."""
    routine = """CREATE FUNCTION norm(t text) RETURNS text LANGUAGE plpgsql IMMUTABLE
        AS $$ DECLARE {name} text := t; BEGIN RETURN lower({name}) || ' '; END $$;
    CREATE TABLE u (id int, email text);
    CREATE INDEX u_norm ON u (norm(email));"""
    execute(database, routine.format(name="v"))
    write_schema(schema_dir, routine.format(name="V"))
    assert [step.splitlines()[0] for step in sqls(plan_for(server.url, database, schema_dir))] == [
        "CREATE OR REPLACE FUNCTION public.norm(t text)"
    ]
    write_schema(schema_dir, routine.format(name="v").replace("' '", "'  '"))
    assert sqls(plan_for(server.url, database, schema_dir))[0] == (
        "DROP INDEX CONCURRENTLY IF EXISTS public.u_norm;"
    )


def test_a_check_calling_a_redefined_function_is_checked_again_over_the_rows(
    server: Server, database: str, schema_dir: Path
) -> None:
    """Through a caller too: ``wrap`` computes anew when ``ok_code`` does. Preflight cannot
    ask the target with a body it does not have yet, and says so."""
    checked = """CREATE FUNCTION ok_code(t text) RETURNS boolean LANGUAGE sql IMMUTABLE
        AS 'SELECT length(t) < {limit}';
    CREATE FUNCTION wrap(t text) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT ok_code(t)';
    CREATE TABLE c (code text CHECK (wrap(code)));"""
    plan = round_trip(
        server.url, database, schema_dir,
        checked.format(limit=10) + "INSERT INTO c VALUES ('abc');",
        checked.format(limit=5),
    )  # fmt: skip
    steps = sqls(plan)
    assert steps[0] == "ALTER TABLE public.c DROP CONSTRAINT c_code_check;"
    assert steps[-2:] == [
        "ALTER TABLE public.c ADD CONSTRAINT c_code_check CHECK (public.wrap(code)) NOT VALID;",
        "ALTER TABLE public.c VALIDATE CONSTRAINT c_code_check;",
    ]
    (condition,) = plan.steps[-1].preconditions
    assert condition.kind == "unknowable"
    assert condition.predicate == "it calls public.wrap(t text), which the plan redefines"


SUMMED = """CREATE FUNCTION norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT {body}';
CREATE TABLE u (id int PRIMARY KEY, email text);
CREATE MATERIALIZED VIEW keyed AS SELECT id, norm(email) AS key FROM u;
CREATE UNIQUE INDEX keyed_id ON keyed (id);
CREATE VIEW normed AS SELECT id, norm(email) AS key FROM u;
CREATE MATERIALIZED VIEW unkeyed AS SELECT id, key FROM normed;
CREATE MATERIALIZED VIEW later AS SELECT norm(email) AS key FROM u WITH NO DATA;"""


def _keys(url: str) -> list[tuple[str, str]]:
    with psycopg.connect(url) as conn:
        found = conn.execute(
            "SELECT 'keyed', key FROM keyed UNION ALL SELECT 'unkeyed', key FROM unkeyed"
        )
        return sorted(found.fetchall())


@pytest.mark.parametrize("online", [True, False], ids=["online", "offline"])
def test_a_materialized_view_over_a_redefined_function_is_refreshed(
    server: Server, database: str, schema_dir: Path, online: bool
) -> None:
    """Its rows hold what the old body computed. Once the new body is in place, it is
    refreshed: CONCURRENTLY online where a unique index allows it (reads go on), and so is
    one reading a view that calls the function. One left WITH NO DATA stays unfilled; the
    rollback refreshes them with the old body again."""
    execute(database, SUMMED.format(body="lower(t)") + "INSERT INTO u VALUES (1, 'A@x');")
    execute(database, "REFRESH MATERIALIZED VIEW keyed; REFRESH MATERIALIZED VIEW unkeyed;")
    write_schema(schema_dir, SUMMED.format(body="upper(t)"))
    plan = plan_for(server.url, database, schema_dir, online)
    steps = sqls(plan)
    assert steps[0].startswith("CREATE OR REPLACE FUNCTION public.norm(t text)")
    concurrently = "CONCURRENTLY " if online else ""
    assert steps[1:] == [
        f"REFRESH MATERIALIZED VIEW {concurrently}public.keyed;",
        "REFRESH MATERIALIZED VIEW public.unkeyed;",
    ]
    reasons = [hazard.reason for step in plan.steps[1:] for hazard in step.hazards]
    assert (
        "materialized view public.unkeyed is refilled by running its query: function "
        "public.norm(t text) it reads through public.normed is redefined" in reasons
    )
    apply_up(database, plan)
    assert _keys(database) == [("keyed", "A@X"), ("unkeyed", "A@X")]
    assert not plan_for(server.url, database, schema_dir).has_changes
    run_steps(database, plan.down_sql())
    assert _keys(database) == [("keyed", "a@x"), ("unkeyed", "a@x")]
