"""Where the dev database comes from, and that it never outlives schemactl."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from psycopg import conninfo

from schemactl.devdb import dev_database
from schemactl.devdb.provider import DEV_DATABASE_LOCK
from schemactl.errors import DevDatabaseError
from tests.support import Server, execute


def _temporary_databases(server_url: str) -> set[str]:
    with psycopg.connect(server_url) as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'schemactl_dev_%'")
        return {row[0] for row in rows.fetchall()}


def test_a_dev_url_gets_a_temporary_database_that_is_dropped_afterwards(server: Server) -> None:
    before = _temporary_databases(server.url)
    with dev_database(server.url) as dev:
        name = conninfo.conninfo_to_dict(dev.url)["dbname"]
        assert name in _temporary_databases(server.url)
    assert _temporary_databases(server.url) == before


def _left_behind(server_url: str) -> str:
    """A dev database as a run killed outright leaves it."""
    name = f"schemactl_dev_{secrets.token_hex(6)}"
    execute(server_url, f"CREATE DATABASE {name}")
    return name


def test_the_dev_databases_of_killed_runs_are_dropped_by_the_next_run(server: Server) -> None:
    abandoned = _left_behind(server.url)
    with dev_database(server.url):
        assert abandoned not in _temporary_databases(server.url)


def test_a_live_runs_dev_database_is_never_taken_for_abandoned(server: Server) -> None:
    claimed, in_use = _left_behind(server.url), _left_behind(server.url)
    with (
        psycopg.connect(server.url, autocommit=True) as other_run,
        psycopg.connect(conninfo.make_conninfo(server.url, dbname=in_use)),
    ):
        other_run.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", (DEV_DATABASE_LOCK, claimed))
        with dev_database(server.url):
            assert {claimed, in_use} <= _temporary_databases(server.url)
    for name in (claimed, in_use):
        execute(server.url, f"DROP DATABASE {name}")


def test_without_createdb_an_empty_named_database_is_used_and_emptied(
    server: Server, database: str
) -> None:
    execute(server.url, "DROP ROLE IF EXISTS no_createdb; CREATE ROLE no_createdb LOGIN")
    execute(database, "ALTER SCHEMA public OWNER TO no_createdb")
    url = conninfo.make_conninfo(database, user="no_createdb")
    with dev_database(url) as dev:
        assert dev.url == url
        execute(dev.url, "CREATE TABLE scratch (id int)")
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT to_regclass('public.scratch')").fetchone() == (None,)


def test_a_non_empty_database_is_refused_when_no_temporary_one_can_be_made(
    server: Server, database: str
) -> None:
    execute(server.url, "DROP ROLE IF EXISTS no_createdb2; CREATE ROLE no_createdb2 LOGIN")
    execute(database, "CREATE TABLE precious (id int)")
    url = conninfo.make_conninfo(database, user="no_createdb2")
    with pytest.raises(DevDatabaseError, match="not empty"), dev_database(url):
        pass


def test_the_embedded_server_dies_with_a_killed_owner(tmp_path: Path) -> None:
    owner = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\n"
            "from schemactl.devdb.embedded import EmbeddedServer\n"
            "s = EmbeddedServer(); s.start()\n"
            "print(s.process.pid, flush=True)\n"
            "time.sleep(120)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert owner.stdout is not None
    server_pid = int(owner.stdout.readline())
    os.kill(owner.pid, signal.SIGKILL)
    owner.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.kill(server_pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(server_pid, signal.SIGKILL)
    pytest.fail("the embedded server outlived its killed owner")
