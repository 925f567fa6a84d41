"""Privileges, default privileges and owners: only the difference is granted or revoked,
objects the plan creates start from the privileges PostgreSQL gives them, and owners
change only where the schema states one."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from schemactl.devdb.loader import ensure_roles
from schemactl.diff.regenerated import SET_EXPRESSION_SINCE
from tests.support import Server, apply_up, execute, plan_for, round_trip, sqls, write_schema

TABLE = "CREATE TABLE t (id serial PRIMARY KEY, note text, price int);\n"


@pytest.fixture(autouse=True)
def roles(server: Server) -> None:
    with psycopg.connect(server.url, autocommit=True) as conn:
        ensure_roles(conn, ["app_role", "reader", "api_role", "app_owner"])


def test_table_privileges_granted_in_the_schema_are_granted(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLE,
        TABLE + "GRANT INSERT, SELECT ON t TO app_role; GRANT SELECT ON t TO reader;",
    )
    assert sqls(plan) == [
        "GRANT SELECT, INSERT ON TABLE public.t TO app_role;",
        "GRANT SELECT ON TABLE public.t TO reader;",
    ]
    assert all("authz_change" in step.hazard_kinds for step in plan.steps)


def test_only_the_difference_is_granted_and_revoked(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLE + "GRANT SELECT, INSERT ON t TO app_role;",
        TABLE + "GRANT SELECT, UPDATE, DELETE ON t TO app_role;",
    )
    assert sqls(plan) == [
        "REVOKE INSERT ON TABLE public.t FROM app_role;",
        "GRANT UPDATE, DELETE ON TABLE public.t TO app_role;",
    ]


def test_a_grant_option_is_granted_and_revoked_alone(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLE + "GRANT SELECT ON t TO app_role;",
        TABLE + "GRANT SELECT ON t TO app_role WITH GRANT OPTION;",
    )
    assert sqls(plan) == ["GRANT SELECT ON TABLE public.t TO app_role WITH GRANT OPTION;"]
    assert "REVOKE GRANT OPTION FOR SELECT ON TABLE public.t FROM app_role;" in plan.down_sql()


def test_the_same_privileges_spelled_differently_are_no_change(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLE
        + "GRANT ALL ON t TO app_role; REVOKE ALL ON t FROM app_role; GRANT SELECT ON t TO reader;",
        TABLE + "GRANT SELECT ON TABLE public.t TO reader;",
    )
    assert sqls(plan) == []


def test_an_owner_the_schema_does_not_state_is_left_alone(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLE + "ALTER TABLE t OWNER TO app_owner; GRANT SELECT ON t TO reader;",
        TABLE + "GRANT SELECT ON t TO reader;",
    )
    assert sqls(plan) == []


def test_column_privileges_are_granted_and_revoked_per_column(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLE + "GRANT SELECT (note) ON t TO reader;",
        TABLE + "GRANT SELECT (id), UPDATE (note, price) ON t TO reader;",
    )
    assert sqls(plan) == [
        "REVOKE SELECT (note) ON TABLE public.t FROM reader;",
        "GRANT SELECT (id) ON TABLE public.t TO reader;",
        "GRANT UPDATE (note) ON TABLE public.t TO reader;",
        "GRANT UPDATE (price) ON TABLE public.t TO reader;",
    ]


def test_a_table_privilege_narrowed_to_a_column_is_revoked_first(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLE + "GRANT UPDATE ON t TO app_role;",
        TABLE + "GRANT UPDATE (note) ON t TO app_role;",
    )
    assert sqls(plan) == [
        "REVOKE UPDATE ON TABLE public.t FROM app_role;",
        "GRANT UPDATE (note) ON TABLE public.t TO app_role;",
    ]


def test_a_column_grant_kept_is_granted_again_after_the_table_revoke(
    server: Server, database: str, schema_dir: Path
) -> None:
    # REVOKE on the table also revokes that privilege on every column.
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLE + "GRANT UPDATE ON t TO app_role; GRANT UPDATE (note) ON t TO app_role;",
        TABLE + "GRANT UPDATE (note) ON t TO app_role;",
    )
    assert sqls(plan) == [
        "REVOKE UPDATE ON TABLE public.t FROM app_role;",
        "GRANT UPDATE (note) ON TABLE public.t TO app_role;",
    ]


def test_schema_and_sequence_privileges(server: Server, database: str, schema_dir: Path) -> None:
    base = "CREATE SCHEMA app; CREATE SEQUENCE app.ids;\n"
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        base,
        base
        + "GRANT USAGE ON SCHEMA app TO app_role;\n"
        + "GRANT USAGE, SELECT ON SEQUENCE app.ids TO app_role;",
    )
    assert sqls(plan) == [
        "GRANT USAGE ON SCHEMA app TO app_role;",
        "GRANT SELECT, USAGE ON SEQUENCE app.ids TO app_role;",
    ]


def test_function_execute_is_revoked_from_public_and_granted(
    server: Server, database: str, schema_dir: Path
) -> None:
    function = "CREATE FUNCTION total(qty integer, price numeric) RETURNS numeric LANGUAGE sql AS $$ SELECT qty * price $$;\n"
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        function,
        function
        + "REVOKE ALL ON FUNCTION total(integer, numeric) FROM PUBLIC;\n"
        + "GRANT EXECUTE ON FUNCTION total(integer, numeric) TO api_role;",
    )
    assert sqls(plan) == [
        "REVOKE EXECUTE ON FUNCTION public.total(qty integer, price numeric) FROM PUBLIC;",
        "GRANT EXECUTE ON FUNCTION public.total(qty integer, price numeric) TO api_role;",
    ]


def test_a_created_function_is_revoked_from_public_after_it_is_created(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n"
        "REVOKE EXECUTE ON FUNCTION f() FROM PUBLIC;",
    )
    steps = sqls(plan)
    assert steps[0].startswith("CREATE OR REPLACE FUNCTION public.f()")
    assert steps[1:] == ["REVOKE EXECUTE ON FUNCTION public.f() FROM PUBLIC;"]


def test_a_function_recreated_for_its_return_type_keeps_its_grants(
    server: Server, database: str, schema_dir: Path
) -> None:
    function = (
        "CREATE FUNCTION f() RETURNS {} LANGUAGE sql AS $$ SELECT 1 $$;\n"
        "REVOKE EXECUTE ON FUNCTION f() FROM PUBLIC;\n"
        "GRANT EXECUTE ON FUNCTION f() TO api_role;\n"
    )
    plan = round_trip(
        server.url, database, schema_dir, function.format("int"), function.format("bigint")
    )
    assert sqls(plan)[-2:] == [
        "REVOKE EXECUTE ON FUNCTION public.f() FROM PUBLIC;",
        "GRANT EXECUTE ON FUNCTION public.f() TO api_role;",
    ]


def test_type_usage_is_granted(server: Server, database: str, schema_dir: Path) -> None:
    domain = "CREATE DOMAIN email AS text;\n"
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        domain,
        domain + "GRANT USAGE ON TYPE email TO app_role;",
    )
    assert sqls(plan) == ["GRANT USAGE ON TYPE public.email TO app_role;"]


def test_default_privileges_are_granted_and_revoked(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO reader;\n"
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO reader;",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT ON TABLES TO reader;\n"
        "ALTER DEFAULT PRIVILEGES FOR ROLE app_owner GRANT EXECUTE ON FUNCTIONS TO api_role "
        "WITH GRANT OPTION;",
    )
    assert sqls(plan) == [
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE ON SEQUENCES FROM reader;",
        "ALTER DEFAULT PRIVILEGES FOR ROLE app_owner GRANT EXECUTE ON FUNCTIONS TO api_role "
        "WITH GRANT OPTION;",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT INSERT ON TABLES TO reader;",
    ]
    assert all("authz_change" in step.hazard_kinds for step in plan.steps)


def test_database_wide_default_privileges_are_compared_with_the_built_in_default(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "",
        "ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;",
    )
    assert sqls(plan) == ["ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;"]
    assert "ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO PUBLIC;" in plan.down_sql()


def test_a_created_table_starts_from_the_default_privileges_in_force(
    server: Server, database: str, schema_dir: Path
) -> None:
    defaults = (
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT ON TABLES TO reader;\n"
    )
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        defaults,
        defaults + TABLE + "REVOKE INSERT ON t FROM reader;",
    )
    steps = sqls(plan)
    assert steps[0].startswith("CREATE SEQUENCE public.t_id_seq")
    assert steps[-1] == "REVOKE INSERT ON TABLE public.t FROM reader;"
    assert not any(s.startswith("GRANT") for s in steps)


def test_default_privileges_reach_the_tables_the_plan_creates_without_grants(
    server: Server, database: str, schema_dir: Path
) -> None:
    # Wherever the schema states them, they are in force before anything is created,
    # in the dev database (load order) and in the target (their phase) alike.
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "",
        TABLE + "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO reader;",
    )
    steps = sqls(plan)
    assert steps[0] == "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO reader;"
    assert not [s for s in steps if s.startswith(("GRANT", "REVOKE"))]


def test_an_owner_stated_in_the_schema_is_given_once(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(database, TABLE)
    write_schema(schema_dir, TABLE + "ALTER TABLE t OWNER TO app_owner;")
    plan = plan_for(server.url, database, schema_dir)
    assert sqls(plan) == ["ALTER TABLE public.t OWNER TO app_owner;"]
    assert plan.steps[0].hazard_kinds == {"authz_change"}  # the rollback gives it back
    apply_up(database, plan)
    assert not plan_for(server.url, database, schema_dir).has_changes


def test_a_view_rebuilt_under_a_column_type_change_keeps_its_grants(
    server: Server, database: str, schema_dir: Path
) -> None:
    schema = (
        "CREATE TABLE t (id int, price {});\n"
        "CREATE VIEW v AS SELECT id, price FROM t;\n"
        "GRANT SELECT ON v TO reader;\n"
    )
    plan = round_trip(
        server.url, database, schema_dir, schema.format("int"), schema.format("bigint")
    )
    steps = sqls(plan)
    assert steps[0] == "DROP VIEW public.v;"
    assert steps[-1] == "GRANT SELECT ON TABLE public.v TO reader;"


def test_a_generated_column_added_again_for_its_expression_keeps_its_grants(
    server: Server, database: str, schema_dir: Path
) -> None:
    if server.major >= SET_EXPRESSION_SINCE:
        pytest.skip("from PostgreSQL 17 the expression is set in place (tests/test_tables.py)")
    schema = (
        "CREATE TABLE t (price int, total int GENERATED ALWAYS AS (price * {}) STORED);\n"
        "GRANT SELECT (total) ON t TO reader;\n"
    )
    plan = round_trip(server.url, database, schema_dir, schema.format(2), schema.format(3))
    assert sqls(plan)[-1] == "GRANT SELECT (total) ON TABLE public.t TO reader;"
