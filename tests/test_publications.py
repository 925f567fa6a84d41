"""Publications (logical replication): created once their tables exist, changed table by
table, with column lists, row filters and FOR TABLES IN SCHEMA (PostgreSQL 15+)."""

from __future__ import annotations

from pathlib import Path

from schemactl.config import Scope
from schemactl.profiles import load_profile
from tests.support import Server, catalog_of, execute, round_trip, sqls

TABLES = """
CREATE TABLE orders (id bigint PRIMARY KEY, customer text, total numeric, status text);
CREATE TABLE customers (id bigint PRIMARY KEY, name text);
CREATE SCHEMA audit;
CREATE TABLE audit.log (id bigint, at timestamptz);
"""


def test_a_publication_is_created_after_its_tables_and_dropped_first(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "",
        "CREATE PUBLICATION cdc FOR TABLE orders (id, customer, status) WHERE (status <> 'draft'),"
        " customers WITH (publish = 'insert, update');\n" + TABLES,
    )
    assert sqls(plan)[-1] == (
        "CREATE PUBLICATION cdc FOR TABLE ONLY public.customers,"
        " TABLE ONLY public.orders (id, customer, status) WHERE ((status <> 'draft'::text))"
        " WITH (publish = 'insert, update');"
    )
    assert plan.rollback[0].sql == "DROP PUBLICATION cdc;"


def test_tables_and_schemas_join_and_leave_one_by_one(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLES + "CREATE PUBLICATION cdc FOR TABLE orders, customers;",
        TABLES + "CREATE PUBLICATION cdc FOR TABLE orders WHERE (total > 0), TABLES IN SCHEMA audit"
        " WITH (publish_via_partition_root = true);",
    )
    assert sqls(plan) == [
        "ALTER PUBLICATION cdc DROP TABLE ONLY public.customers;",
        "ALTER PUBLICATION cdc DROP TABLE ONLY public.orders;",
        "ALTER PUBLICATION cdc SET (publish = 'insert, update, delete, truncate',"
        " publish_via_partition_root = true);",
        "ALTER PUBLICATION cdc ADD TABLE ONLY public.orders WHERE ((total > (0)::numeric));",
        "ALTER PUBLICATION cdc ADD TABLES IN SCHEMA audit;",
    ]


def test_all_tables_and_empty_publications_round_trip(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE x (id int); CREATE PUBLICATION everything;",
        "CREATE TABLE x (id int);"
        "CREATE PUBLICATION everything FOR ALL TABLES;"
        "CREATE PUBLICATION later WITH (publish = 'insert');"
        "COMMENT ON PUBLICATION later IS 'tables join it per environment';",
    )
    assert sqls(plan) == [
        "DROP PUBLICATION everything;",
        "CREATE PUBLICATION everything FOR ALL TABLES;",
        "CREATE PUBLICATION later WITH (publish = 'insert');",
        "COMMENT ON PUBLICATION later IS 'tables join it per environment';",
    ]


def test_a_column_the_publication_lists_can_be_dropped(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        TABLES + "CREATE PUBLICATION cdc FOR TABLE orders (id, status);",
        TABLES.replace("status text", "state text")
        + "CREATE PUBLICATION cdc FOR TABLE orders (id, state);",
    )
    assert sqls(plan)[0] == "ALTER PUBLICATION cdc DROP TABLE ONLY public.orders;"
    assert sqls(plan)[-1] == "ALTER PUBLICATION cdc ADD TABLE ONLY public.orders (id, state);"


def test_a_publication_naming_a_table_out_of_scope_is_not_the_schemas(database: str) -> None:
    execute(database, TABLES + "CREATE PUBLICATION theirs FOR TABLE audit.log;")
    assert "theirs" in catalog_of(database).publications
    assert "theirs" not in catalog_of(database, Scope(exclude=("audit",))).publications


def test_a_platforms_publication_is_left_alone(database: str) -> None:
    execute(database, TABLES + "CREATE PUBLICATION supabase_realtime FOR TABLE orders;")
    supabase = Scope(profile=load_profile("supabase"))
    assert "supabase_realtime" not in catalog_of(database, supabase).publications


def test_a_table_leaves_and_rejoins_around_a_type_change_its_column_list_or_filter_reads(
    server: Server, database: str, schema_dir: Path
) -> None:
    """PostgreSQL refuses ALTER COLUMN ... TYPE on a column that a publication's column list
    or row filter reads, though the entry itself stays the same: the table leaves the
    publication first and joins it again after."""
    publications = (
        "CREATE PUBLICATION listed FOR TABLE orders (id, status);\n"
        "CREATE PUBLICATION filtered FOR TABLE orders WHERE (total > 0);"
    )
    retyped = TABLES.replace("total numeric, status text", "total numeric(12,2), status varchar")
    plan = round_trip(
        server.url, database, schema_dir, TABLES + publications, retyped + publications
    )
    assert sqls(plan) == [
        "ALTER PUBLICATION filtered DROP TABLE ONLY public.orders;",
        "ALTER PUBLICATION listed DROP TABLE ONLY public.orders;",
        "ALTER TABLE public.orders ALTER COLUMN total TYPE numeric(12,2) USING total::numeric(12,2);",
        "ALTER TABLE public.orders ALTER COLUMN status TYPE character varying "
        "USING status::character varying;",
        "ALTER PUBLICATION filtered ADD TABLE ONLY public.orders WHERE ((total > (0)::numeric));",
        "ALTER PUBLICATION listed ADD TABLE ONLY public.orders (id, status);",
    ]
