"""Two live databases read from the moment ``schemactl diff`` knows them.

The reads run beside the rest of the command's start; what the comparison takes over is
what it would have read itself, and a failure is reported as it would have been.
"""

from __future__ import annotations

import time
from contextlib import ExitStack

import psycopg
import pytest

from schemactl.config import Scope
from schemactl.db import ConnectionFailed
from schemactl.live_reads import LiveDatabase, LiveReads
from tests.support import catalog_of, execute, run_cli

Capsys = pytest.CaptureFixture[str]
UNREACHABLE = "postgresql://u:Sekr3t@127.0.0.1:1/db"


def test_the_catalogs_taken_over_are_those_each_database_reads_as(
    database: str, other_database: str
) -> None:
    execute(database, "CREATE TABLE a (id int PRIMARY KEY, note text DEFAULT 'x')")
    execute(other_database, "CREATE TABLE b (id bigint); CREATE INDEX ON b (id)")
    reads = LiveReads([LiveDatabase(database), LiveDatabase(other_database)], Scope())
    with ExitStack() as stack:
        (first, current), (second, desired) = reads.take(stack)
        assert current == catalog_of(database) and desired == catalog_of(other_database)
        assert not first.closed and not second.closed
    assert first.closed and second.closed


def test_a_database_that_cannot_be_reached_fails_the_take_and_the_other_is_closed(
    database: str,
) -> None:
    reads = LiveReads([LiveDatabase(database), LiveDatabase(UNREACHABLE, "--to database")], Scope())
    with ExitStack() as stack, pytest.raises(ConnectionFailed, match="--to database") as failure:
        reads.take(stack)
    assert "Sekr3t" not in str(failure.value)
    assert schemactl_sessions(database) == 0


def schemactl_sessions(url: str) -> int:
    """schemactl's sessions on ``url``'s database, once closed ones have ended."""
    with psycopg.connect(url, autocommit=True) as conn:
        for _ in range(100):
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND application_name = 'schemactl'"
            ).fetchone()
            if row is not None and row[0] == 0:
                return 0
            time.sleep(0.02)
        return int(row[0]) if row else -1


def test_of_two_unreachable_databases_the_origin_is_reported(capsys: Capsys) -> None:
    result = run_cli(capsys, "diff", "--from", UNREACHABLE, "--to", UNREACHABLE.replace("1/", "2/"))
    assert result.code == 1
    assert result.stderr.count("error:") == 1
    assert result.stderr.startswith(
        "error: cannot connect to the --from database at 127.0.0.1:1/db"
    )
    assert "Sekr3t" not in result.stdout + result.stderr
