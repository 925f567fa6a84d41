"""Settings made with ALTER ... SET after an object exists: column statistics targets,
storage, compression and options; index storage parameters and expression statistics;
table storage parameters; the index a table is clustered on.

Built from empty they come out as the schema says, a difference is planned as the
smallest ALTER, and nothing is planned where they agree.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import Server, execute, plan_for, round_trip, sqls, write_schema

RAILS_LIKE = """
CREATE TABLE events (id bigint PRIMARY KEY, kind text, payload jsonb, body text);
ALTER TABLE events ALTER COLUMN kind SET STATISTICS 1000;
CREATE INDEX events_lower_kind ON events (lower(kind));
ALTER INDEX events_lower_kind ALTER COLUMN 1 SET STATISTICS 3000;
"""


def test_statistics_targets_of_columns_and_index_expressions_are_built_from_empty(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(server.url, database, schema_dir, "", RAILS_LIKE)
    assert sqls(plan)[-2:] == [
        "CREATE INDEX events_lower_kind ON public.events USING btree (lower(kind));",
        "ALTER INDEX public.events_lower_kind ALTER COLUMN 1 SET STATISTICS 3000;",
    ]
    assert "ALTER TABLE ONLY public.events ALTER COLUMN kind SET STATISTICS 1000;" in sqls(plan)


def test_a_statistics_target_set_or_reset_is_drift(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(database, RAILS_LIKE)
    execute(database, "ALTER TABLE events ALTER COLUMN kind SET STATISTICS -1;")
    execute(database, "ALTER TABLE events ALTER COLUMN body SET STATISTICS 50;")
    execute(database, "ALTER INDEX events_lower_kind ALTER COLUMN 1 SET STATISTICS 10;")
    write_schema(schema_dir, RAILS_LIKE)
    assert sqls(plan_for(server.url, database, schema_dir)) == [
        "ALTER TABLE ONLY public.events ALTER COLUMN body SET STATISTICS -1;",
        "ALTER TABLE ONLY public.events ALTER COLUMN kind SET STATISTICS 1000;",
        "ALTER INDEX public.events_lower_kind ALTER COLUMN 1 SET STATISTICS 3000;",
    ]


def test_statistics_targets_change_in_place_and_roll_back(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        RAILS_LIKE,
        RAILS_LIKE.replace("1000", "200").replace("3000", "500"),
    )
    assert sqls(plan) == [
        "ALTER TABLE ONLY public.events ALTER COLUMN kind SET STATISTICS 200;",
        "ALTER INDEX public.events_lower_kind ALTER COLUMN 1 SET STATISTICS 500;",
    ]


def test_storage_compression_and_options_of_columns_round_trip(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE docs (id int, body text, meta jsonb);",
        """
        CREATE TABLE docs (id int, body text, meta jsonb);
        ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL;
        ALTER TABLE docs ALTER COLUMN meta SET COMPRESSION lz4;
        ALTER TABLE docs ALTER COLUMN id SET (n_distinct = -0.5);
        """,
    )
    assert sqls(plan) == [
        "ALTER TABLE ONLY public.docs ALTER COLUMN body SET STORAGE EXTERNAL;",
        "ALTER TABLE ONLY public.docs ALTER COLUMN id SET (n_distinct=-0.5);",
        "ALTER TABLE ONLY public.docs ALTER COLUMN meta SET COMPRESSION lz4;",
    ]
    assert [step.sql for step in plan.rollback] == [
        "ALTER TABLE ONLY public.docs ALTER COLUMN body SET STORAGE EXTENDED;",
        "ALTER TABLE ONLY public.docs ALTER COLUMN id RESET (n_distinct);",
        "ALTER TABLE ONLY public.docs ALTER COLUMN meta SET COMPRESSION default;",
    ]
    assert plan.steps[0].hazard_kinds == {"access_exclusive_lock"}


def test_the_version_stamp_newer_servers_put_on_columns_is_no_setting(
    server: Server, database: str, schema_dir: Path
) -> None:
    # PostgreSQL 15.20 and the minor releases beside it stamp pg_attver on every column
    # they create or rewrite, each database with values of its own. Written here into the
    # catalog by hand, so that every server version shows it.
    schema = """
        CREATE TABLE docs (id int, body text);
        ALTER TABLE docs ALTER COLUMN id SET (n_distinct = -0.5);
    """
    execute(database, schema)
    execute(
        database,
        "UPDATE pg_attribute SET attoptions = attoptions || '{pg_attver=12345}'::text[]"
        " WHERE attrelid = 'docs'::regclass AND attnum > 0",
    )
    write_schema(schema_dir, schema)
    assert not plan_for(server.url, database, schema_dir).has_changes
    write_schema(schema_dir, "CREATE TABLE docs (id int, body text);")
    assert sqls(plan_for(server.url, database, schema_dir)) == [
        "ALTER TABLE ONLY public.docs ALTER COLUMN id RESET (n_distinct);"
    ]


def test_a_type_change_sets_storage_and_compression_again(
    server: Server, database: str, schema_dir: Path
) -> None:
    # ALTER COLUMN ... TYPE gives the column the new type's storage and no compression.
    settings = """
        ALTER TABLE docs ALTER COLUMN body SET STORAGE MAIN;
        ALTER TABLE docs ALTER COLUMN body SET COMPRESSION lz4;
        ALTER TABLE docs ALTER COLUMN body SET STATISTICS 300;
    """
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE docs (id int, body varchar(100));" + settings,
        "CREATE TABLE docs (id int, body text);" + settings,
    )
    assert sqls(plan)[1:] == [
        "ALTER TABLE ONLY public.docs ALTER COLUMN body SET STORAGE MAIN;",
        "ALTER TABLE ONLY public.docs ALTER COLUMN body SET COMPRESSION lz4;",
    ]


def test_partitions_keep_settings_of_their_own(
    server: Server, database: str, schema_dir: Path
) -> None:
    # A partition made after its parent's SET STORAGE copies that storage; the statistics
    # target it does not copy. Both databases hold the same settings per table.
    schema = """
        CREATE TABLE measurements (at date, reading text) PARTITION BY RANGE (at);
        ALTER TABLE measurements ALTER COLUMN reading SET STORAGE EXTERNAL;
        ALTER TABLE measurements ALTER COLUMN reading SET STATISTICS 400;
        CREATE TABLE measurements_2024 PARTITION OF measurements
            FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        ALTER TABLE measurements_2024 ALTER COLUMN reading SET STATISTICS 800;
    """
    plan = round_trip(server.url, database, schema_dir, "", schema)
    settings = [sql for sql in sqls(plan) if "ALTER COLUMN" in sql]
    assert settings == [
        "ALTER TABLE ONLY public.measurements ALTER COLUMN reading SET STATISTICS 400;",
        "ALTER TABLE ONLY public.measurements ALTER COLUMN reading SET STORAGE EXTERNAL;",
        "ALTER TABLE ONLY public.measurements_2024 ALTER COLUMN reading SET STATISTICS 800;",
        "ALTER TABLE ONLY public.measurements_2024 ALTER COLUMN reading SET STORAGE EXTERNAL;",
    ]


def test_index_storage_parameters_change_without_a_rebuild(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE t (a int, b int); CREATE INDEX t_a ON t (a) WITH (fillfactor = 90);",
        "CREATE TABLE t (a int, b int);"
        "CREATE INDEX t_a ON t (a) WITH (fillfactor = 70, deduplicate_items = off);",
    )
    assert sqls(plan) == ["ALTER INDEX public.t_a SET (fillfactor=70, deduplicate_items=off);"]
    assert [step.sql for step in plan.rollback] == [
        "ALTER INDEX public.t_a RESET (deduplicate_items);\n"
        "ALTER INDEX public.t_a SET (fillfactor=90);"
    ]


def test_a_changed_index_with_storage_parameters_is_still_rebuilt(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE t (a int, b int); CREATE INDEX t_a ON t (a) WITH (fillfactor = 90);",
        "CREATE TABLE t (a int, b int); CREATE INDEX t_a ON t (a, b) WITH (fillfactor = 90);",
        online=False,
    )
    assert sqls(plan) == [
        "DROP INDEX public.t_a;",
        "CREATE INDEX t_a ON public.t USING btree (a, b) WITH (fillfactor='90');",
    ]


def test_table_storage_parameters_round_trip_and_their_order_is_no_difference(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE t (id int, body text) WITH (fillfactor = 90);",
        "CREATE TABLE t (id int, body text)"
        " WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.01,"
        " toast.autovacuum_enabled = false);",
    )
    assert sqls(plan) == [
        "ALTER TABLE public.t SET (fillfactor=70, autovacuum_vacuum_scale_factor=0.01,"
        " toast.autovacuum_enabled=false);"
    ]
    execute(database, "DROP TABLE t;")
    execute(
        database,
        "CREATE TABLE t (id int, body text) WITH (toast.autovacuum_enabled = false,"
        " autovacuum_vacuum_scale_factor = 0.01, fillfactor = 70);",
    )
    assert not plan_for(server.url, database, schema_dir).has_changes


def test_the_index_a_table_is_clustered_on_is_set_and_follows_a_rebuild(
    server: Server, database: str, schema_dir: Path
) -> None:
    base = "CREATE TABLE t (id int PRIMARY KEY, at date); CREATE INDEX t_at ON t (at);"
    plan = round_trip(
        server.url, database, schema_dir, base, base + "ALTER TABLE t CLUSTER ON t_at;"
    )
    assert sqls(plan) == ["ALTER TABLE public.t CLUSTER ON t_at;"]
    assert [step.sql for step in plan.rollback] == ["ALTER TABLE public.t SET WITHOUT CLUSTER;"]
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "ALTER TABLE t CLUSTER ON t_at;",
        "CREATE TABLE t (id int PRIMARY KEY, at date); CREATE INDEX t_at ON t (at DESC);"
        "ALTER TABLE t CLUSTER ON t_at;",
        online=False,
    )
    assert sqls(plan)[-1] == "ALTER TABLE public.t CLUSTER ON t_at;"


PARTITIONED = (
    "CREATE TABLE p (a int) PARTITION BY RANGE (a);"
    "CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);"
)


@pytest.mark.parametrize(
    ("online", "statements"),
    [
        # Built beside the old one and swapped in (see test_partitioned_indexes).
        (True, [
            "CREATE INDEX p_a_new ON ONLY public.p USING btree (a) WITH (fillfactor='70');",
            "CREATE INDEX CONCURRENTLY p1_a_idx_new ON public.p1 USING btree (a)"
            " WITH (fillfactor='70');",
            "ALTER INDEX public.p_a_new ATTACH PARTITION public.p1_a_idx_new;",
            "DROP INDEX public.p_a;",
            "ALTER INDEX public.p_a_new RENAME TO p_a;",
            "ALTER INDEX public.p1_a_idx_new RENAME TO p1_a_idx;",
        ]),
        (False, [
            "DROP INDEX public.p_a;",
            "CREATE INDEX p_a ON public.p USING btree (a) WITH (fillfactor='70');",
        ]),
    ],
    ids=["online", "offline"],
)  # fmt: skip
def test_a_partitioned_index_with_new_storage_parameters_is_rebuilt(
    server: Server, database: str, schema_dir: Path, online: bool, statements: list[str]
) -> None:
    # ALTER INDEX ... SET is not supported for partitioned indexes.
    plan = round_trip(
        server.url, database, schema_dir,
        PARTITIONED + "CREATE INDEX p_a ON p (a) WITH (fillfactor = 90);",
        PARTITIONED + "CREATE INDEX p_a ON p (a) WITH (fillfactor = 70);",
        online=online,
    )  # fmt: skip
    assert sqls(plan) == statements


def test_a_reviewer_sees_settings_under_their_column_old_to_new(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(database, RAILS_LIKE)
    write_schema(schema_dir, RAILS_LIKE.replace("1000", "200"))
    (step,) = plan_for(server.url, database, schema_dir).steps
    assert (step.place.kind, step.place.name, step.place.part_kind, step.place.part) == (
        "table", "public.events", "column", "kind",
    )  # fmt: skip
    assert [(a.name, a.old, a.new) for a in step.attributes] == [("statistics", "1000", "200")]


def test_a_keys_index_storage_parameters_change_without_touching_the_key_or_its_references(
    server: Server, database: str, schema_dir: Path
) -> None:
    tables = (
        "CREATE TABLE accounts (id bigint, CONSTRAINT accounts_pkey PRIMARY KEY (id) {});"
        "CREATE TABLE payments (id bigint, account_id bigint REFERENCES accounts (id));"
    )
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        tables.format(""),
        tables.format("WITH (fillfactor = 80)"),
    )
    assert sqls(plan) == ["ALTER INDEX public.accounts_pkey SET (fillfactor=80);"]
    assert [step.sql for step in plan.rollback] == [
        "ALTER INDEX public.accounts_pkey RESET (fillfactor);"
    ]


def test_a_new_key_is_added_with_its_index_storage_parameters(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE t (id bigint, code text);",
        "CREATE TABLE t (id bigint, code text,"
        " CONSTRAINT t_pkey PRIMARY KEY (id) WITH (fillfactor = 80),"
        " CONSTRAINT t_code UNIQUE (code) WITH (fillfactor = 70) DEFERRABLE INITIALLY DEFERRED);",
        online=False,
    )
    assert sqls(plan) == [
        "ALTER TABLE public.t ALTER COLUMN id SET NOT NULL;",
        "ALTER TABLE public.t ADD CONSTRAINT t_code UNIQUE (code) WITH (fillfactor=70)"
        " DEFERRABLE INITIALLY DEFERRED;",
        "ALTER TABLE public.t ADD CONSTRAINT t_pkey PRIMARY KEY (id) WITH (fillfactor=80);",
    ]
