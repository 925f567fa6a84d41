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


def test_online_a_changed_index_of_a_partitioned_table_is_built_beside_the_old_one(
    server: Server, database: str, schema_dir: Path
) -> None:
    """Dropped first, the index left every partition without it for the length of the
    builds. The new one is made ON ONLY the parent under another name, each partition's
    built concurrently and attached; only then is the old one dropped (a partitioned
    index has no DROP INDEX CONCURRENTLY) and the new ones renamed. A partition's index
    whose name the old one's still holds is built under another name too."""
    rows = "INSERT INTO events VALUES (1, '2024-05-01', 'a'), (2, '2025-05-01', 'b');"
    plan = round_trip(
        server.url, database, schema_dir,
        EVENTS + rows + "CREATE INDEX events_kind ON events (kind);"
        "CREATE UNIQUE INDEX events_key ON events (id, at);"
        "COMMENT ON INDEX events_kind IS 'by kind';",
        EVENTS + "CREATE INDEX events_kind ON events (kind) WHERE kind IS NOT NULL;"
        "CREATE UNIQUE INDEX events_key ON events (id, at, kind);"
        "COMMENT ON INDEX events_kind IS 'by kind';",
    )  # fmt: skip
    assert sqls(plan) == [
        "CREATE UNIQUE INDEX events_key_new ON ONLY public.events USING btree (id, at, kind);",
        "CREATE INDEX events_kind_new ON ONLY public.events USING btree (kind)"
        " WHERE (kind IS NOT NULL);",
        "CREATE UNIQUE INDEX CONCURRENTLY events_2024_id_at_kind_idx ON public.events_2024"
        " USING btree (id, at, kind);",
        "CREATE INDEX CONCURRENTLY events_2024_kind_idx_new ON public.events_2024"
        " USING btree (kind) WHERE (kind IS NOT NULL);",
        "CREATE UNIQUE INDEX CONCURRENTLY events_2025_id_at_kind_idx ON public.events_2025"
        " USING btree (id, at, kind);",
        "CREATE INDEX CONCURRENTLY events_2025_kind_idx_new ON public.events_2025"
        " USING btree (kind) WHERE (kind IS NOT NULL);",
        "ALTER INDEX public.events_key_new ATTACH PARTITION public.events_2024_id_at_kind_idx;",
        "ALTER INDEX public.events_kind_new ATTACH PARTITION public.events_2024_kind_idx_new;",
        "ALTER INDEX public.events_key_new ATTACH PARTITION public.events_2025_id_at_kind_idx;",
        "ALTER INDEX public.events_kind_new ATTACH PARTITION public.events_2025_kind_idx_new;",
        "DROP INDEX public.events_key;",
        "DROP INDEX public.events_kind;",
        "ALTER INDEX public.events_key_new RENAME TO events_key;",
        "ALTER INDEX public.events_kind_new RENAME TO events_kind;",
        "ALTER INDEX public.events_2024_kind_idx_new RENAME TO events_2024_kind_idx;",
        "ALTER INDEX public.events_2025_kind_idx_new RENAME TO events_2025_kind_idx;",
        "COMMENT ON INDEX public.events_kind IS 'by kind';",
    ]
    assert [s.transactional for s in plan.steps] == [True] * 2 + [False] * 4 + [True] * 11
    unique_builds = [s for s in plan.steps if "id_at_kind_idx ON" in s.sql]
    assert [[c.kind for c in s.preconditions] for s in unique_builds] == [["unique"]] * 2


def test_a_changed_index_of_a_partitioned_table_whose_partitions_change_is_built_again(
    server: Server, database: str, schema_dir: Path
) -> None:
    """Where a partition comes or goes with the change, the old index is dropped and the
    new one built per partition, as before."""
    later = "CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');"
    plan = round_trip(
        server.url, database, schema_dir,
        EVENTS + "CREATE INDEX events_kind ON events (kind);",
        EVENTS + later + "CREATE INDEX events_kind ON events (kind, id);",
    )  # fmt: skip
    steps = sqls(plan)
    assert steps[0] == "DROP INDEX public.events_kind;"
    assert "CREATE INDEX events_kind ON ONLY public.events USING btree (kind, id);" in steps
    assert not any("_new" in step for step in steps)
