"""Row-level security: policies created, altered in place, recreated only where they must be,
and dropped before what they use goes; every plan checked both ways."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from schemactl.devdb.loader import ensure_roles
from tests.support import Server, round_trip, sqls

TABLE = "CREATE TABLE t (id int, tenant int NOT NULL, owner_name text);\n"
RLS = "ALTER TABLE t ENABLE ROW LEVEL SECURITY;\n"


@pytest.fixture(autouse=True)
def roles(server: Server) -> None:
    with psycopg.connect(server.url, autocommit=True) as conn:
        ensure_roles(conn, ["app_role", "reader"])


def test_a_new_policy_is_created_after_row_level_security_is_enabled(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLE,
        TABLE + RLS + "CREATE POLICY tenant_only ON t FOR SELECT TO app_role USING (tenant = 1);",
    )
    assert sqls(plan) == [
        "ALTER TABLE public.t ENABLE ROW LEVEL SECURITY;",
        "CREATE POLICY tenant_only ON public.t FOR SELECT TO app_role USING ((tenant = 1));",
    ]
    assert all("authz_change" in step.hazard_kinds for step in plan.steps)


def test_a_restrictive_policy_keeps_its_kind_and_both_expressions(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLE + RLS,
        TABLE
        + RLS
        + 'CREATE POLICY "Only Mine" ON t AS RESTRICTIVE FOR UPDATE TO app_role, reader '
        + "USING (owner_name = current_user) WITH CHECK (tenant > 0);",
    )
    assert sqls(plan) == [
        'CREATE POLICY "Only Mine" ON public.t AS RESTRICTIVE FOR UPDATE TO app_role, reader '
        "USING ((owner_name = CURRENT_USER)) WITH CHECK ((tenant > 0));"
    ]


def test_changed_roles_are_altered_in_place(
    server: Server, database: str, schema_dir: Path
) -> None:
    policy = "CREATE POLICY p ON t FOR SELECT TO {} USING (tenant = 1);"
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLE + RLS + policy.format("PUBLIC"),
        TABLE + RLS + policy.format("app_role, reader"),
    )
    assert sqls(plan) == ["ALTER POLICY p ON public.t TO app_role, reader;"]


def test_a_changed_using_expression_is_altered_in_place(
    server: Server, database: str, schema_dir: Path
) -> None:
    policy = "CREATE POLICY p ON t USING (tenant = {});"
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLE + RLS + policy.format(1),
        TABLE + RLS + policy.format(2),
    )
    assert sqls(plan) == ["ALTER POLICY p ON public.t USING ((tenant = 2));"]


def test_an_added_with_check_is_altered_in_place_and_a_removed_one_recreates(
    server: Server, database: str, schema_dir: Path
) -> None:
    plain = TABLE + RLS + "CREATE POLICY p ON t USING (tenant = 1);"
    checked = TABLE + RLS + "CREATE POLICY p ON t USING (tenant = 1) WITH CHECK (tenant > 0);"
    plan = round_trip(server.url, database, schema_dir, plain, checked)
    assert sqls(plan) == ["ALTER POLICY p ON public.t WITH CHECK ((tenant > 0));"]
    # ALTER POLICY cannot take an expression away: that direction drops and creates.
    assert plan.down_sql().count("POLICY p ON public.t") == 2
    assert "DROP POLICY p ON public.t;" in plan.down_sql()


def test_a_changed_command_drops_and_creates_the_policy(
    server: Server, database: str, schema_dir: Path
) -> None:
    policy = "CREATE POLICY p ON t FOR {} USING (tenant = 1);"
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLE + RLS + policy.format("ALL"),
        TABLE + RLS + policy.format("SELECT"),
    )
    assert sqls(plan) == [
        "DROP POLICY p ON public.t;",
        "CREATE POLICY p ON public.t FOR SELECT TO PUBLIC USING ((tenant = 1));",
    ]


def test_a_renamed_policy_is_dropped_and_created(
    server: Server, database: str, schema_dir: Path
) -> None:
    policy = "CREATE POLICY {} ON t USING (tenant = 1);"
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLE + RLS + policy.format("old_name"),
        TABLE + RLS + policy.format("new_name"),
    )
    assert sqls(plan) == [
        "DROP POLICY old_name ON public.t;",
        "CREATE POLICY new_name ON public.t FOR ALL TO PUBLIC USING ((tenant = 1));",
    ]


def test_a_removed_policy_is_dropped_and_named_as_an_authorization_change(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLE + RLS + "CREATE POLICY p ON t USING (tenant = 1);",
        TABLE + RLS,
    )
    assert sqls(plan) == ["DROP POLICY p ON public.t;"]
    assert "authz_change" in plan.steps[0].hazard_kinds


def test_row_level_security_is_enabled_forced_and_disabled_in_place(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLE,
        TABLE + RLS + "ALTER TABLE t FORCE ROW LEVEL SECURITY;",
    )
    assert sqls(plan) == [
        "ALTER TABLE public.t ENABLE ROW LEVEL SECURITY;",
        "ALTER TABLE public.t FORCE ROW LEVEL SECURITY;",
    ]
    assert [line for line in plan.down_sql().splitlines() if line] == [
        "ALTER TABLE public.t DISABLE ROW LEVEL SECURITY;",
        "ALTER TABLE public.t NO FORCE ROW LEVEL SECURITY;",
    ]


def test_a_policy_expression_printed_differently_by_postgresql_does_not_flap(
    server: Server, database: str, schema_dir: Path
) -> None:
    schema = (
        "CREATE TABLE t (id int, role varchar(10));\n"
        + RLS
        + "CREATE POLICY p ON t USING (role IN ('a', 'b')) WITH CHECK (role NOT IN ('c'));"
    )
    # Created by the plan from PostgreSQL's printout, it must read back as unchanged.
    round_trip(
        server.url, database, schema_dir, "CREATE TABLE t (id int, role varchar(10));", schema
    )


def test_a_policy_calling_a_function_is_created_after_it_and_dropped_before_it(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLE,
        "CREATE FUNCTION is_admin() RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;\n"
        + TABLE
        + RLS
        + "CREATE POLICY admins ON t FOR DELETE USING (is_admin());",
    )
    steps = sqls(plan)
    assert steps.index(
        "CREATE POLICY admins ON public.t FOR DELETE TO PUBLIC USING (public.is_admin());"
    ) > next(
        i
        for i, s in enumerate(steps)
        if s.startswith("CREATE OR REPLACE FUNCTION public.is_admin()")
    )
    down = plan.down_sql()
    assert down.index("DROP POLICY admins ON public.t;") < down.index(
        "DROP FUNCTION public.is_admin()"
    )


def test_a_policy_whose_function_goes_is_recreated_around_the_drop(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE FUNCTION is_admin() RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;\n"
        + TABLE
        + RLS
        + "CREATE POLICY p ON t USING (is_admin());",
        TABLE + RLS + "CREATE POLICY p ON t USING (tenant = 1);",
    )
    steps = sqls(plan)
    assert steps[0] == "DROP POLICY p ON public.t;"
    assert steps[-1] == "CREATE POLICY p ON public.t FOR ALL TO PUBLIC USING ((tenant = 1));"


def test_a_policy_on_a_column_changing_type_is_dropped_before_and_created_after(
    server: Server, database: str, schema_dir: Path
) -> None:
    policy = RLS + "CREATE POLICY p ON t USING (tenant = 1);"
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLE + policy,
        TABLE.replace("tenant int", "tenant bigint") + policy,
    )
    assert sqls(plan) == [
        "DROP POLICY p ON public.t;",
        "ALTER TABLE public.t ALTER COLUMN tenant TYPE bigint USING tenant::bigint;",
        "CREATE POLICY p ON public.t FOR ALL TO PUBLIC USING ((tenant = 1));",
    ]


def test_a_policy_using_another_tables_column_follows_its_type_change(
    server: Server, database: str, schema_dir: Path
) -> None:
    schema = (
        "CREATE TABLE members (user_name text, tenant {});\n"
        + TABLE
        + RLS
        + "CREATE POLICY p ON t USING (tenant IN (SELECT m.tenant FROM members m "
        + "WHERE m.user_name = current_user));"
    )
    plan = round_trip(
        server.url, database, schema_dir, schema.format("int"), schema.format("bigint")
    )
    steps = sqls(plan)
    assert steps[0] == "DROP POLICY p ON public.t;"
    assert steps[1].startswith("ALTER TABLE public.members ALTER COLUMN tenant TYPE bigint")
    assert steps[2].startswith("CREATE POLICY p ON public.t")


def test_policies_on_a_partition_are_its_own(
    server: Server, database: str, schema_dir: Path
) -> None:
    tables = (
        "CREATE TABLE events (id int, org int) PARTITION BY RANGE (id);\n"
        "CREATE TABLE events_1 PARTITION OF events FOR VALUES FROM (0) TO (100);\n"
    )
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        tables,
        tables
        + "ALTER TABLE events ENABLE ROW LEVEL SECURITY;\n"
        + "ALTER TABLE events_1 ENABLE ROW LEVEL SECURITY;\n"
        + "CREATE POLICY by_org ON events USING (org = 1);\n"
        + "CREATE POLICY by_org_1 ON events_1 USING (org = 2);",
    )
    assert [s for s in sqls(plan) if s.startswith("CREATE POLICY")] == [
        "CREATE POLICY by_org ON public.events FOR ALL TO PUBLIC USING ((org = 1));",
        "CREATE POLICY by_org_1 ON public.events_1 FOR ALL TO PUBLIC USING ((org = 2));",
    ]


def test_a_policy_goes_with_its_dropped_table(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLE + RLS + "CREATE POLICY p ON t USING (tenant = 1);",
        "",
    )
    assert sqls(plan) == ["DROP TABLE public.t;"]


def test_a_policy_reading_a_rebuilt_view_is_dropped_before_it_and_created_after(
    server: Server, database: str, schema_dir: Path
) -> None:
    schema = (
        "CREATE TABLE tenants (id {}, active boolean);\n"
        "CREATE VIEW active_tenants AS SELECT id FROM tenants WHERE active;\n"
        + TABLE
        + RLS
        + "CREATE POLICY p ON t USING (tenant IN (SELECT id FROM active_tenants));"
    )
    plan = round_trip(
        server.url, database, schema_dir, schema.format("int"), schema.format("bigint")
    )
    steps = sqls(plan)
    assert steps[:2] == ["DROP POLICY p ON public.t;", "DROP VIEW public.active_tenants;"]
    assert steps[-1].startswith("CREATE POLICY p ON public.t")


def test_a_policy_on_a_function_recreated_for_its_return_type_is_recreated_around_it(
    server: Server, database: str, schema_dir: Path
) -> None:
    schema = (
        "CREATE FUNCTION current_tenant() RETURNS {} LANGUAGE sql STABLE AS $$ SELECT 1 $$;\n"
        + TABLE
        + RLS
        + "CREATE POLICY p ON t USING (tenant = current_tenant());"
    )
    plan = round_trip(
        server.url, database, schema_dir, schema.format("int"), schema.format("bigint")
    )
    steps = sqls(plan)
    assert steps[0] == "DROP POLICY p ON public.t;"
    assert steps[1] == "DROP FUNCTION public.current_tenant();"
    assert steps[-1] == (
        "CREATE POLICY p ON public.t FOR ALL TO PUBLIC USING ((tenant = public.current_tenant()));"
    )
