"""A large catalog is read on two connections in one snapshot (catalog/second_connection.py):
the catalog is the same as one connection reads, a transaction's own changes are still
seen, and where the second connection cannot help the first reads everything."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import conninfo

from schemactl import metrics
from schemactl.catalog import introspect
from tests.support import Server, execute, load_schema_folder

EXAMPLE = Path(__file__).resolve().parent.parent / "schema"


@pytest.fixture
def every_catalog_is_large(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite's catalogs are small: count every one as worth a second connection."""
    monkeypatch.setattr("schemactl.catalog.second_connection.WORTH_IT_RELATIONS", 0)


@pytest.fixture
def answers() -> Iterator[dict[str, int]]:
    """How many catalog queries the second connection answered during the test."""
    recorder = metrics.enable()
    try:
        yield recorder.counts
    finally:
        metrics.disable()


def read(url: str) -> str:
    with psycopg.connect(url, autocommit=True) as conn:
        return repr(introspect(conn))


def test_two_connections_read_the_example_exactly_as_one(
    server: Server, database: str, monkeypatch: pytest.MonkeyPatch, answers: dict[str, int]
) -> None:
    load_schema_folder(database, EXAMPLE)
    on_one = read(database)
    assert not answers.get("second_connection_answers")
    monkeypatch.setattr("schemactl.catalog.second_connection.WORTH_IT_RELATIONS", 0)
    assert read(database) == on_one
    assert answers["second_connection_answers"] >= 8


def test_a_read_inside_a_transaction_sees_what_it_changed(
    database: str, every_catalog_is_large: None, answers: dict[str, int]
) -> None:
    with psycopg.connect(database) as conn:
        conn.execute("CREATE TABLE not_yet_committed (id int, note text)")
        conn.execute("CREATE INDEX by_note ON not_yet_committed (note)")
        catalog = introspect(conn)
        conn.rollback()
    assert "public.not_yet_committed" in catalog.tables
    assert "public.by_note" in catalog.indexes
    assert not answers.get("second_connection_answers")


def test_when_the_second_connection_is_refused_the_first_reads_everything(
    server: Server, database: str, every_catalog_is_large: None, answers: dict[str, int]
) -> None:
    execute(database, "CREATE TABLE t (id int, note text); CREATE INDEX by_note ON t (note)")
    execute(server.url, "DROP ROLE IF EXISTS one_session; CREATE ROLE one_session LOGIN "
                        "CONNECTION LIMIT 1")  # fmt: skip
    execute(database, "GRANT SELECT ON t TO one_session")
    as_one_session = conninfo.make_conninfo(database, user="one_session")
    with psycopg.connect(as_one_session, autocommit=True) as conn:
        catalog = introspect(conn)
    assert "public.by_note" in catalog.indexes
    assert not answers.get("second_connection_answers")
