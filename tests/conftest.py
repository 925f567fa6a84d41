"""Fixtures: real PostgreSQL servers for the test session, one fresh database per test.

The servers are schemactl's own embedded servers (started as the ``postgres`` user
when the suite runs as root), one per major version a test asks for, started on
first use and stopped when the session ends. The default server is the machine's
own, unless ``TEST_DATABASE_URL`` points at an existing server whose user may
create databases.

Specifications marked ``version_matrix`` (the example schema, the CLI, dump and
pg_dump input) run once per major version of ``--pg-versions`` (default
``default,17``: the machine's server and PostgreSQL 17; ``all`` for 14-18). The
conformance corpus, marked ``version_matrix("corpus")``, is the slow part of the
suite: it runs on the versions of ``--corpus-versions`` (default: the machine's
server; ``make test-matrix`` runs it on all).
Versions the machine lacks are downloaded into the cache the product uses
(``schemactl.devdb.binary_cache``).
"""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import conninfo, sql

from schemactl import metrics
from schemactl.devdb.binaries import machine_server_binaries
from schemactl.devdb.embedded import EmbeddedServer
from schemactl.devdb.versions import SUPPORTED_MAJORS, server_major
from tests.pgbouncer import PgBouncer, pgbouncer_binary
from tests.support import Server, require_companions

VERSIONS_ENV = "SCHEMACTL_TEST_PG_VERSIONS"
DEFAULT_VERSIONS = "default,17"
CORPUS_VERSIONS_ENV = "SCHEMACTL_TEST_CORPUS_VERSIONS"
DEFAULT_CORPUS_VERSIONS = "default"
CORPUS = "corpus"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--pg-versions",
        default=os.environ.get(VERSIONS_ENV, DEFAULT_VERSIONS),
        help="Major versions the version-matrix specifications run on: comma-separated "
        "numbers, 'default' (the machine's server) or 'all' "
        f"(env {VERSIONS_ENV}; default {DEFAULT_VERSIONS}).",
    )
    parser.addoption(
        "--corpus-versions",
        default=os.environ.get(CORPUS_VERSIONS_ENV, DEFAULT_CORPUS_VERSIONS),
        help="Major versions the conformance corpus runs on, spelled as --pg-versions "
        f"(env {CORPUS_VERSIONS_ENV}; default {DEFAULT_CORPUS_VERSIONS}).",
    )


@functools.cache
def default_major() -> int:
    """The major version of the default server: ``TEST_DATABASE_URL``'s, else the
    machine's own server's."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        with psycopg.connect(url) as conn:
            return conn.info.server_version // 10000
    found = machine_server_binaries()
    return (server_major(found) if found else None) or max(SUPPORTED_MAJORS)


class ServerPool:
    """One server per major version, started when first asked for."""

    def __init__(self) -> None:
        self._servers: dict[int, Server] = {}
        self._embedded: list[EmbeddedServer] = []

    def get(self, major: int | None = None) -> Server:
        """The server of PostgreSQL ``major``; the default server when None."""
        major = major or default_major()
        if major in self._servers:
            return self._servers[major]
        url = os.environ.get("TEST_DATABASE_URL")
        if url and major == default_major():
            server = Server(url, embedded=None, major=major)
        else:
            embedded = EmbeddedServer(major=major)
            self._embedded.append(embedded)
            embedded.start()
            server = Server(embedded.url, embedded=embedded, major=major)
        self._servers[major] = server
        return server

    def stop(self) -> None:
        for embedded in self._embedded:
            embedded.stop()


def matrix_versions(config: pytest.Config, pool_default: int, option: str) -> list[int]:
    """The major versions ``option`` names, the default server's first."""
    chosen: list[int] = []
    for word in str(config.getoption(option)).split(","):
        word = word.strip().lower()
        if word == "all":
            majors = list(SUPPORTED_MAJORS)
        elif word == "default":
            majors = [pool_default]
        elif word:
            majors = [int(word)]
        else:
            majors = []
        chosen += [m for m in majors if m not in chosen]
    return sorted(chosen, key=lambda m: (m != pool_default, m))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Specifications marked ``version_matrix`` run once per chosen major version."""
    marker = metafunc.definition.get_closest_marker("version_matrix")
    if "server" in metafunc.fixturenames and marker:
        option = "--corpus-versions" if CORPUS in marker.args else "--pg-versions"
        versions = matrix_versions(metafunc.config, default_major(), option)
        metafunc.parametrize(
            "server", versions, indirect=True, scope="session", ids=[f"pg{v}" for v in versions]
        )


@pytest.fixture(scope="session")
def servers() -> Iterator[ServerPool]:
    """The session's servers, by major version; all stopped when the session ends."""
    pool = ServerPool()
    try:
        yield pool
    finally:
        pool.stop()


@pytest.fixture(scope="session")
def server(request: pytest.FixtureRequest, servers: ServerPool) -> Server:
    """The server of the major version the test is parametrized with, else the default."""
    return servers.get(getattr(request, "param", None))


def _empty_database(server: Server) -> Iterator[str]:
    name = f"t_{secrets.token_hex(5)}"
    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    yield conninfo.make_conninfo(server.url, dbname=name)
    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture(autouse=True)
def _companions(request: pytest.FixtureRequest) -> None:
    """Specifications marked ``needs`` run only where their server offers what the
    marker names (tests.support.require_companions)."""
    marker = request.node.get_closest_marker("needs")
    if marker is not None:
        require_companions(request.getfixturevalue("server"), *marker.args)


@pytest.fixture
def database(server: Server) -> Iterator[str]:
    """URL of a new, empty database, dropped after the test."""
    yield from _empty_database(server)


@pytest.fixture
def other_database(server: Server) -> Iterator[str]:
    """A second empty database on the same server, dropped after the test."""
    yield from _empty_database(server)


@pytest.fixture
def counted() -> Iterator[dict[str, int]]:
    """What the run's metrics count during the test (connections, round trips, answers of
    a second connection), by name."""
    recorder = metrics.enable()
    try:
        yield recorder.counts
    finally:
        metrics.disable()


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


@pytest.fixture
def database_on_18(servers: ServerPool) -> Iterator[tuple[str, str]]:
    """The suite's PostgreSQL 18 server and a new, empty database on it (dropped after):
    for what only PostgreSQL 18 has, whatever ``--pg-versions`` says."""
    newest = servers.get(18)
    name = f"t18_{secrets.token_hex(5)}"
    with psycopg.connect(newest.url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    yield newest.url, conninfo.make_conninfo(newest.url, dbname=name)
    with psycopg.connect(newest.url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
