"""Loading the desired state into the dev database: many statements per round trip,
and every rejection still pinned to its own file:line:column with PostgreSQL's message."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from schemactl.devdb import loader
from schemactl.devdb.loader import load_desired_state
from schemactl.errors import SchemaSourceError
from schemactl.source import read_desired_state
from tests.support import catalog_of, write_schema


def test_a_rejection_deep_in_a_batch_names_its_own_place_and_the_server_message(
    database: str, schema_dir: Path
) -> None:
    tables = "".join(f"CREATE TABLE t{i} (id int);\n" for i in range(20))
    write_schema(schema_dir, tables + "CREATE INDEX i ON t3 (id);\nCREATE INDEX j ON t4 (nope);\n")

    with pytest.raises(SchemaSourceError) as raised:
        load_desired_state(database, read_desired_state(schema_dir))

    assert str(raised.value) == (f'{schema_dir / "schema.sql"}:22:1: column "nope" does not exist')


def test_statements_that_cannot_share_a_transaction_still_load(
    database: str, schema_dir: Path
) -> None:
    write_schema(
        schema_dir,
        "CREATE TYPE mood AS ENUM ('sad');\n"
        "ALTER TYPE mood ADD VALUE 'happy';\n"
        "CREATE TABLE person (id int, feeling mood DEFAULT 'happy');\n",
    )

    load_desired_state(database, read_desired_state(schema_dir))

    assert set(catalog_of(database).tables) == {"public.person"}


def test_the_statements_go_in_few_round_trips(
    database: str, schema_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_schema(schema_dir, "".join(f"CREATE TABLE t{i} (id int);\n" for i in range(30)))
    monkeypatch.setattr(loader, "BATCH_STATEMENTS", 10)
    sent: list[str] = []
    run = psycopg.Connection.execute

    def counted(self: psycopg.Connection, query: object, *args: object, **kwargs: object) -> object:
        if isinstance(query, bytes) and b"CREATE TABLE" in query:
            sent.append(query.decode())
        return run(self, query, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(psycopg.Connection, "execute", counted)
    load_desired_state(database, read_desired_state(schema_dir))

    assert len(sent) == 3
    assert len(catalog_of(database).tables) == 30


def test_a_batch_is_never_larger_than_its_limits() -> None:
    class Text:
        def __init__(self, sql: str) -> None:
            self.sql = sql

    statements = [Text("x" * 100) for _ in range(25)]
    sizes = [len(b) for b in loader.batches(statements)]  # type: ignore[arg-type]
    assert sum(sizes) == 25 and max(sizes) <= loader.BATCH_STATEMENTS
