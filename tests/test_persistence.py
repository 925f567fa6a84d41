"""Persistence: logged or UNLOGGED, for tables and, since PostgreSQL 15, for sequences.

A serial column of an UNLOGGED table gets an unlogged sequence; a database built from
empty must get the same, and a difference is a difference.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import Server, catalog_of, execute, plan_for, round_trip, sqls, write_schema


def _major(url: str) -> int:
    return int(catalog_of(url).server_version.split(".")[0])


@pytest.fixture
def unlogged_sequences(database: str) -> None:
    if _major(database) < 15:
        pytest.skip("unlogged sequences exist since PostgreSQL 15")


@pytest.mark.usefixtures("unlogged_sequences")
def test_the_serial_sequence_of_an_unlogged_table_is_created_unlogged(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url, database, schema_dir, "", "CREATE UNLOGGED TABLE cache (id serial, v text);"
    )
    assert sqls(plan)[0].startswith("CREATE UNLOGGED SEQUENCE public.cache_id_seq AS integer")
    assert catalog_of(database).sequences == {}  # the rollback removed it again


@pytest.mark.usefixtures("unlogged_sequences")
def test_a_logged_sequence_where_the_schema_has_an_unlogged_one_is_drift(
    server: Server, database: str, schema_dir: Path
) -> None:
    schema = "CREATE UNLOGGED TABLE cache (id serial, v text);"
    execute(database, schema + "ALTER SEQUENCE cache_id_seq SET LOGGED;")
    write_schema(schema_dir, schema)
    assert sqls(plan_for(server.url, database, schema_dir)) == [
        "ALTER SEQUENCE public.cache_id_seq SET UNLOGGED;"
    ]


@pytest.mark.usefixtures("unlogged_sequences")
def test_standalone_sequences_change_persistence_both_ways(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE SEQUENCE a; CREATE UNLOGGED SEQUENCE b;",
        "CREATE UNLOGGED SEQUENCE a; CREATE SEQUENCE b;",
    )
    assert sqls(plan) == [
        "ALTER SEQUENCE public.a SET UNLOGGED;",
        "ALTER SEQUENCE public.b SET LOGGED;",
    ]


@pytest.mark.usefixtures("unlogged_sequences")
def test_a_table_turning_logged_takes_its_serial_sequence_along(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE UNLOGGED TABLE events (id bigserial, v text);",
        "CREATE TABLE events (id bigserial, v text);",
    )
    assert sqls(plan) == [
        "ALTER TABLE public.events SET LOGGED;",
        "ALTER SEQUENCE public.events_id_seq SET LOGGED;",
    ]


def test_an_unlogged_partition_is_created_unlogged(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "",
        "CREATE TABLE readings (at date, v int) PARTITION BY RANGE (at);"
        "CREATE UNLOGGED TABLE readings_scratch PARTITION OF readings"
        " FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
    )
    assert sqls(plan)[1].startswith(
        "CREATE UNLOGGED TABLE public.readings_scratch PARTITION OF public.readings"
    )
