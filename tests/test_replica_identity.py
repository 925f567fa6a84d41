"""Replica identity: part of a table's identity for logical replication and CDC.

``ALTER TABLE ... REPLICA IDENTITY DEFAULT | FULL | NOTHING | USING INDEX`` on tables,
partitioned tables and partitions is compared, applied after the index it names
exists, re-stated when that index is rebuilt, and rolled back exactly.
"""

from __future__ import annotations

from pathlib import Path

from tests.support import Server, execute, plan_for, round_trip, sqls, write_schema

PARTITIONED = """
CREATE TABLE events (id int NOT NULL, at date NOT NULL, UNIQUE (id, at)) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
"""


def test_full_and_nothing_are_set_and_rolled_back(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE a (id int); CREATE TABLE b (id int); ALTER TABLE b REPLICA IDENTITY FULL;",
        "CREATE TABLE a (id int); ALTER TABLE a REPLICA IDENTITY FULL;"
        "CREATE TABLE b (id int); ALTER TABLE b REPLICA IDENTITY NOTHING;",
    )
    assert sqls(plan) == [
        "ALTER TABLE public.a REPLICA IDENTITY FULL;",
        "ALTER TABLE public.b REPLICA IDENTITY NOTHING;",
    ]
    assert [(a.name, a.old, a.new) for a in plan.steps[1].attributes] == [
        ("replica identity", "FULL", "NOTHING")
    ]
    assert plan.down_sql().split("\n\n") == [
        "ALTER TABLE public.a REPLICA IDENTITY DEFAULT;",
        "ALTER TABLE public.b REPLICA IDENTITY FULL;\n",
    ]


def test_a_new_table_gets_its_replica_identity_after_its_index(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "",
        "CREATE TABLE t (id int NOT NULL, code text NOT NULL);"
        "CREATE UNIQUE INDEX t_code ON t (code);"
        "ALTER TABLE t REPLICA IDENTITY USING INDEX t_code;",
    )
    assert sqls(plan)[-2:] == [
        "CREATE UNIQUE INDEX t_code ON public.t USING btree (code);",
        "ALTER TABLE public.t REPLICA IDENTITY USING INDEX t_code;",
    ]


def test_using_an_index_built_online_comes_after_the_build(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE t (id int NOT NULL, code text NOT NULL);",
        "CREATE TABLE t (id int NOT NULL, code text NOT NULL);"
        "CREATE UNIQUE INDEX t_code ON t (code);"
        "ALTER TABLE t REPLICA IDENTITY USING INDEX t_code;",
    )
    assert sqls(plan) == [
        "CREATE UNIQUE INDEX CONCURRENTLY t_code ON public.t USING btree (code);",
        "ALTER TABLE public.t REPLICA IDENTITY USING INDEX t_code;",
    ]


def test_a_primary_key_can_be_the_replica_identity_and_move_to_another_index(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE t (id int PRIMARY KEY, code text NOT NULL UNIQUE);"
        "ALTER TABLE t REPLICA IDENTITY USING INDEX t_pkey;",
        "CREATE TABLE t (id int PRIMARY KEY, code text NOT NULL UNIQUE);"
        "ALTER TABLE t REPLICA IDENTITY USING INDEX t_code_key;",
    )
    assert sqls(plan) == ["ALTER TABLE public.t REPLICA IDENTITY USING INDEX t_code_key;"]


def test_a_rebuilt_replica_identity_index_is_named_again(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE t (a int NOT NULL, b int NOT NULL);"
        "CREATE UNIQUE INDEX t_key ON t (a);"
        "ALTER TABLE t REPLICA IDENTITY USING INDEX t_key;",
        "CREATE TABLE t (a int NOT NULL, b int NOT NULL);"
        "CREATE UNIQUE INDEX t_key ON t (a, b);"
        "ALTER TABLE t REPLICA IDENTITY USING INDEX t_key;",
    )
    assert sqls(plan) == [
        "DROP INDEX CONCURRENTLY IF EXISTS public.t_key;",
        "CREATE UNIQUE INDEX CONCURRENTLY t_key ON public.t USING btree (a, b);",
        "ALTER TABLE public.t REPLICA IDENTITY USING INDEX t_key;",
    ]


def test_partitioned_tables_and_partitions_have_their_own(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        PARTITIONED,
        PARTITIONED + "ALTER TABLE events REPLICA IDENTITY USING INDEX events_id_at_key;"
        "ALTER TABLE events_2024 REPLICA IDENTITY FULL;",
    )
    assert sqls(plan) == [
        "ALTER TABLE public.events REPLICA IDENTITY USING INDEX events_id_at_key;",
        "ALTER TABLE public.events_2024 REPLICA IDENTITY FULL;",
    ]


def test_a_replica_identity_changed_on_the_target_is_drift(
    server: Server, database: str, schema_dir: Path
) -> None:
    schema = "CREATE TABLE t (id int);"
    execute(database, schema)
    write_schema(schema_dir, schema)
    assert not plan_for(server.url, database, schema_dir).has_changes
    execute(database, "ALTER TABLE t REPLICA IDENTITY FULL;")
    assert sqls(plan_for(server.url, database, schema_dir)) == [
        "ALTER TABLE public.t REPLICA IDENTITY DEFAULT;"
    ]
