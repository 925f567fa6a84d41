"""Operators (CREATE OPERATOR), operator families and operator classes: created after
their functions and before the indexes, constraints and views that use them; changed
where PostgreSQL can alter them, replaced where it cannot; never falsely different."""

from __future__ import annotations

from pathlib import Path

from tests.support import Server, execute, plan_for, round_trip, sqls, write_schema

FUNCTIONS = """
CREATE FUNCTION abs_eq(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT abs($1) = abs($2) $$;
CREATE FUNCTION abs_lt(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT abs($1) < abs($2) $$;
CREATE FUNCTION abs_cmp(integer, integer) RETURNS integer LANGUAGE sql IMMUTABLE
    AS $$ SELECT CASE WHEN abs($1) < abs($2) THEN -1 WHEN abs($1) > abs($2) THEN 1 ELSE 0 END $$;
"""

OPERATORS = """
CREATE OPERATOR === (LEFTARG = integer, RIGHTARG = integer, FUNCTION = abs_eq,
                     COMMUTATOR = ===, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR <<< (LEFTARG = integer, RIGHTARG = integer, FUNCTION = abs_lt);
"""

OPCLASS = """
CREATE OPERATOR CLASS abs_ops FOR TYPE integer USING btree AS
    OPERATOR 1 <<<, OPERATOR 3 ===, FUNCTION 1 abs_cmp(integer, integer);
"""


def test_an_operator_is_created_after_its_function(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(server.url, database, schema_dir, FUNCTIONS, FUNCTIONS + OPERATORS)
    assert sqls(plan) == [
        "CREATE OPERATOR public.<<< (\n"
        "    FUNCTION = public.abs_lt,\n"
        "    LEFTARG = integer,\n"
        "    RIGHTARG = integer\n"
        ");",
        "CREATE OPERATOR public.=== (\n"
        "    FUNCTION = public.abs_eq,\n"
        "    LEFTARG = integer,\n"
        "    RIGHTARG = integer,\n"
        "    COMMUTATOR = OPERATOR(public.===),\n"
        "    MERGES,\n"
        "    HASHES,\n"
        "    RESTRICT = eqsel,\n"
        "    JOIN = eqjoinsel\n"
        ");",
    ]
    assert [step.sql for step in plan.rollback] == [
        "DROP OPERATOR public.<<< (integer, integer);",
        "DROP OPERATOR public.=== (integer, integer);",
    ]


def test_a_schema_with_an_operator_built_from_empty_plans_nothing_more(
    server: Server, database: str, schema_dir: Path
) -> None:
    # written in the order a reader would not: the operator before its function,
    # the index using it before the operator class
    schema = (
        "CREATE TABLE t (n integer);\n"
        "CREATE INDEX t_abs ON t (n abs_ops);\n"
        + OPCLASS
        + OPERATORS
        + FUNCTIONS
        + "CREATE VIEW close_to_seven AS SELECT n FROM t WHERE n === 7;\n"
        + "CREATE OPERATOR !! (RIGHTARG = integer, FUNCTION = int4um);\n"
        + "COMMENT ON OPERATOR !! (NONE, integer) IS 'negation';\n"
    )
    plan = round_trip(server.url, database, schema_dir, "", schema)
    kinds = [step.kind for step in plan.steps]
    assert kinds.index("function") < kinds.index("operator") < kinds.index("operator_family")
    assert kinds.index("operator_class") < kinds.index("index")


def test_an_operator_class_with_its_family_round_trips(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url, database, schema_dir, FUNCTIONS + OPERATORS, FUNCTIONS + OPERATORS + OPCLASS
    )
    assert sqls(plan) == [
        "CREATE OPERATOR FAMILY public.abs_ops USING btree;",
        "CREATE OPERATOR CLASS public.abs_ops\n"
        "    FOR TYPE integer USING btree FAMILY public.abs_ops AS\n"
        "    OPERATOR 1 public.<<<(integer,integer),\n"
        "    OPERATOR 3 public.===(integer,integer),\n"
        "    FUNCTION 1 (integer, integer) public.abs_cmp(integer,integer);",
    ]
    assert [step.sql for step in plan.rollback] == [
        "DROP OPERATOR CLASS public.abs_ops USING btree;",
        "DROP OPERATOR FAMILY public.abs_ops USING btree;",
    ]


def test_loose_members_of_a_family_are_added_and_dropped_one_by_one(
    server: Server, database: str, schema_dir: Path
) -> None:
    family = FUNCTIONS + OPERATORS + "CREATE OPERATOR FAMILY abs_family USING btree;"
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        family
        + "ALTER OPERATOR FAMILY abs_family USING btree ADD OPERATOR 3 === (integer, integer);",
        family + "ALTER OPERATOR FAMILY abs_family USING btree ADD"
        " OPERATOR 1 <<< (integer, integer), FUNCTION 1 abs_cmp(integer, integer);",
    )
    assert sqls(plan) == [
        "ALTER OPERATOR FAMILY public.abs_family USING btree DROP\n"
        "    OPERATOR 3 (integer, integer);",
        "ALTER OPERATOR FAMILY public.abs_family USING btree ADD\n"
        "    OPERATOR 1 public.<<<(integer,integer),\n"
        "    FUNCTION 1 (integer, integer) public.abs_cmp(integer,integer);",
    ]


def test_changed_estimators_are_altered_other_changes_replace_the_operator(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        FUNCTIONS + OPERATORS,
        FUNCTIONS + OPERATORS.replace("RESTRICT = eqsel, JOIN = eqjoinsel, ", ""),
    )
    assert sqls(plan) == [
        "ALTER OPERATOR public.=== (integer, integer) SET (RESTRICT = NONE, JOIN = NONE);"
    ]
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "",
        FUNCTIONS + OPERATORS.replace("FUNCTION = abs_lt", "FUNCTION = abs_eq"),
    )
    assert sqls(plan)[:2] == [
        "DROP OPERATOR public.<<< (integer, integer);",
        "CREATE OPERATOR public.<<< (\n"
        "    FUNCTION = public.abs_eq,\n"
        "    LEFTARG = integer,\n"
        "    RIGHTARG = integer\n"
        ");",
    ]


def test_an_operator_made_elsewhere_is_drift_and_a_commutator_shell_is_not(
    server: Server, database: str, schema_dir: Path
) -> None:
    # COMMUTATOR = >>> names an operator never defined: PostgreSQL keeps a shell for it.
    schema = FUNCTIONS + OPERATORS.replace("COMMUTATOR = ===", "COMMUTATOR = >>>")
    execute(database, schema)
    write_schema(schema_dir, schema)
    assert not plan_for(server.url, database, schema_dir).has_changes
    execute(
        database, "CREATE OPERATOR ~~~ (LEFTARG = integer, RIGHTARG = integer, FUNCTION = abs_eq);"
    )
    assert sqls(plan_for(server.url, database, schema_dir)) == [
        "DROP OPERATOR public.~~~ (integer, integer);"
    ]


def test_a_reviewer_sees_each_operator_class_and_its_comment_under_it(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(database, FUNCTIONS + OPERATORS)
    write_schema(
        schema_dir,
        FUNCTIONS
        + OPERATORS
        + OPCLASS
        + "COMMENT ON OPERATOR CLASS abs_ops USING btree IS 'by size';",
    )
    places = [
        (s.place.kind, s.place.name, s.place.part_kind)
        for s in plan_for(server.url, database, schema_dir).steps
    ]
    assert places == [
        ("operator family", "public.abs_ops USING btree", ""),
        ("operator class", "public.abs_ops USING btree", ""),
        ("operator class", "public.abs_ops USING btree", "comment"),
    ]
