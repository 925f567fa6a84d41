"""Indexes of every access method: created, dropped, recreated only when the definition changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import Server, round_trip, sqls

TABLE = "CREATE TABLE t (id int, email text, tags text[], doc jsonb, at timestamptz, pos point);"


@pytest.mark.parametrize(
    ("index", "printed"),
    [
        (
            "CREATE UNIQUE INDEX t_email ON t (lower(email))",
            "CREATE UNIQUE INDEX t_email ON public.t USING btree (lower(email));",
        ),
        (
            "CREATE INDEX t_partial ON t (id) WHERE email IS NOT NULL",
            "CREATE INDEX t_partial ON public.t USING btree (id) WHERE (email IS NOT NULL);",
        ),
        (
            "CREATE INDEX t_cover ON t (id) INCLUDE (email)",
            "CREATE INDEX t_cover ON public.t USING btree (id) INCLUDE (email);",
        ),
        (
            "CREATE INDEX t_doc ON t USING gin (doc jsonb_path_ops)",
            "CREATE INDEX t_doc ON public.t USING gin (doc jsonb_path_ops);",
        ),
        (
            "CREATE INDEX t_at ON t USING brin (at)",
            "CREATE INDEX t_at ON public.t USING brin (at);",
        ),
        (
            "CREATE INDEX t_hash ON t USING hash (email)",
            "CREATE INDEX t_hash ON public.t USING hash (email);",
        ),
        (
            "CREATE INDEX t_pos ON t USING gist (pos)",
            "CREATE INDEX t_pos ON public.t USING gist (pos);",
        ),
        (
            "CREATE INDEX t_multi ON t (id, at DESC NULLS LAST)",
            "CREATE INDEX t_multi ON public.t USING btree (id, at DESC NULLS LAST);",
        ),
    ],
)
def test_an_index_of_any_kind_is_created_as_postgresql_prints_it(
    server: Server, database: str, schema_dir: Path, index: str, printed: str
) -> None:
    plan = round_trip(server.url, database, schema_dir, TABLE, f"{TABLE}\n{index};", online=False)
    assert sqls(plan) == [printed]
    assert "index_build" in plan.steps[0].hazard_kinds


def test_a_changed_index_is_dropped_and_created(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        f"{TABLE} CREATE INDEX t_i ON t (id);",
        f"{TABLE} CREATE INDEX t_i ON t (id, email);",
        online=False,
    )
    assert sqls(plan) == [
        "DROP INDEX public.t_i;",
        "CREATE INDEX t_i ON public.t USING btree (id, email);",
    ]


def test_an_unchanged_index_spelled_differently_is_left_alone(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        f"{TABLE} CREATE INDEX t_i ON t USING btree (id ASC);",
        f"{TABLE} create index t_i on public.t (id);",
    )
    assert sqls(plan) == []


def test_an_index_on_a_partitioned_table_is_created_for_all_partitions(
    server: Server, database: str, schema_dir: Path
) -> None:
    parts = (
        "CREATE TABLE log (at date, v int) PARTITION BY RANGE (at);"
        "CREATE TABLE log_2026 PARTITION OF log FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');"
    )
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        parts,
        parts + "CREATE INDEX log_at ON log (at);",
        online=False,  # online, each partition's is built on its own: test_partitioned_indexes
    )
    assert sqls(plan) == ["CREATE INDEX log_at ON public.log USING btree (at);"]


def test_a_removed_index_is_dropped(server: Server, database: str, schema_dir: Path) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        f"{TABLE} CREATE INDEX t_i ON t (id);",
        TABLE,
        online=False,
    )
    assert sqls(plan) == ["DROP INDEX public.t_i;"]
