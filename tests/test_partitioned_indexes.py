"""Indexes and keys of partitioned tables: built once, per partition, and completed.

A partitioned table's index is one index per partition attached to the parent's. An
index a partition already has is attached to the parent's new one, not built a second
time; online, the parent's index is created ``ON ONLY`` the parent, each partition's is
built concurrently and attached; an INVALID parent index (a build that stopped half-way)
is completed instead of rebuilt; a primary key added to a partitioned table adopts the
partitions' matching keys. Every plan is checked both ways, pg_dump-equal.
"""

from __future__ import annotations

from pathlib import Path

from tests.support import Server, catalog_of, execute, plan_for, round_trip, sqls, write_schema

EVENTS = """
CREATE TABLE events (id int NOT NULL, at date NOT NULL, kind text) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
"""


def test_online_an_index_on_a_partitioned_table_is_built_per_partition_and_attached(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        EVENTS,
        EVENTS + "CREATE INDEX events_kind ON events (kind);",
    )
    assert sqls(plan) == [
        "CREATE INDEX events_kind ON ONLY public.events USING btree (kind);",
        "CREATE INDEX CONCURRENTLY events_2024_kind_idx ON public.events_2024 USING btree (kind);",
        "CREATE INDEX CONCURRENTLY events_2025_kind_idx ON public.events_2025 USING btree (kind);",
        "ALTER INDEX public.events_kind ATTACH PARTITION public.events_2024_kind_idx;",
        "ALTER INDEX public.events_kind ATTACH PARTITION public.events_2025_kind_idx;",
    ]
    assert [s.transactional for s in plan.steps] == [True, False, False, True, True]


def test_offline_an_index_on_a_partitioned_table_is_one_statement(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        EVENTS,
        EVENTS + "CREATE INDEX events_kind ON events (kind);",
        online=False,
    )
    assert sqls(plan) == ["CREATE INDEX events_kind ON public.events USING btree (kind);"]


def test_an_index_a_partition_already_has_is_attached_not_built_again(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        EVENTS + "CREATE INDEX events_2024_kind_idx ON events_2024 (kind);",
        EVENTS + "CREATE INDEX events_kind ON events (kind);",
    )
    assert sqls(plan) == [
        "CREATE INDEX events_kind ON ONLY public.events USING btree (kind);",
        "CREATE INDEX CONCURRENTLY events_2025_kind_idx ON public.events_2025 USING btree (kind);",
        "ALTER INDEX public.events_kind ATTACH PARTITION public.events_2024_kind_idx;",
        "ALTER INDEX public.events_kind ATTACH PARTITION public.events_2025_kind_idx;",
    ]


def test_offline_an_index_a_partition_has_is_adopted_and_takes_its_name(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        EVENTS + "CREATE INDEX old_name ON events_2024 (kind);",
        EVENTS + "CREATE INDEX events_kind ON events (kind);",
        online=False,
    )
    assert sqls(plan) == [
        "CREATE INDEX events_kind ON public.events USING btree (kind);",
        "ALTER INDEX public.old_name RENAME TO events_2024_kind_idx;",
    ]


def test_an_invalid_partitioned_index_is_completed_not_rebuilt(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(
        database,
        EVENTS + "CREATE INDEX events_kind ON ONLY events (kind);"
        "CREATE INDEX events_2024_kind_idx ON events_2024 (kind);"
        "ALTER INDEX events_kind ATTACH PARTITION events_2024_kind_idx;",
    )
    assert not catalog_of(database).indexes["public.events_kind"].valid
    write_schema(schema_dir, EVENTS + "CREATE INDEX events_kind ON events (kind);")
    plan = plan_for(server.url, database, schema_dir)
    assert sqls(plan) == [
        "CREATE INDEX CONCURRENTLY events_2025_kind_idx ON public.events_2025 USING btree (kind);",
        "ALTER INDEX public.events_kind ATTACH PARTITION public.events_2025_kind_idx;",
    ]
    from tests.support import apply_up

    apply_up(database, plan)
    assert catalog_of(database).indexes["public.events_kind"].valid
    assert not plan_for(server.url, database, schema_dir).has_changes


def test_a_primary_key_added_to_a_partitioned_table_adopts_the_partitions_keys(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        EVENTS + "ALTER TABLE events_2024 ADD CONSTRAINT events_2024_pkey PRIMARY KEY (id, at);"
        "ALTER TABLE events_2025 ADD CONSTRAINT events_2025_key PRIMARY KEY (id, at);",
        EVENTS + "ALTER TABLE events ADD PRIMARY KEY (id, at);",
    )
    assert sqls(plan) == [
        "ALTER TABLE public.events_2025 RENAME CONSTRAINT events_2025_key TO events_2025_pkey;",
        "ALTER TABLE public.events ADD CONSTRAINT events_pkey PRIMARY KEY (id, at);",
    ]


def test_a_new_partition_of_an_indexed_table_gets_the_index_from_its_parent(
    server: Server, database: str, schema_dir: Path
) -> None:
    indexed = EVENTS + "CREATE INDEX events_kind ON events (kind);"
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        indexed,
        indexed + "CREATE TABLE events_2026 PARTITION OF events"
        " FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');",
    )
    assert sqls(plan) == [
        "CREATE TABLE public.events_2026 PARTITION OF public.events"
        " FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');"
    ]
