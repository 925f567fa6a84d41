"""Fixtures: one real PostgreSQL server per test session, one fresh database per test.

The server is schemactl's own embedded server (started as the ``postgres`` user
when the suite runs as root) unless ``TEST_DATABASE_URL`` points at an existing
server whose user may create databases. It stops when the session ends.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import conninfo, sql

from schemactl.devdb.embedded import EmbeddedServer
from tests.pgbouncer import PgBouncer, pgbouncer_binary
from tests.support import Server


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        yield Server(url, embedded=None)
        return
    with EmbeddedServer() as embedded:
        yield Server(embedded.url, embedded=embedded)


@pytest.fixture
def database(server: Server) -> Iterator[str]:
    """URL of a new, empty database, dropped after the test."""
    name = f"t_{secrets.token_hex(5)}"
    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    yield conninfo.make_conninfo(server.url, dbname=name)
    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture
def schema_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "schema"
    folder.mkdir()
    return folder


@pytest.fixture(scope="session")
def pgbouncer(server: Server) -> Iterator[PgBouncer]:
    """A real PgBouncer in transaction mode in front of the suite's server, stopped at the end."""
    if pgbouncer_binary() is None:
        pytest.skip("pgbouncer is not installed (scripts/debian-packages.txt lists it)")
    with PgBouncer(server.url, pool_mode="transaction") as bouncer:
        yield bouncer
