"""Proof under faults: concurrent applies, held locks, a killed client, a killed backend.

Each case checks what the fault leaves behind: the database exactly as before
(and a history that agrees with it), never half a migration.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from schemactl.apply.executor import ADVISORY_LOCK_KEY
from tests.support import Server, catalog_of, comparable, execute, run_cli, write_schema

Capsys = pytest.CaptureFixture[str]

OLD = "CREATE TABLE accounts (id int PRIMARY KEY, balance numeric); INSERT INTO accounts VALUES (1, 10);"
NEW = "CREATE TABLE accounts (id int PRIMARY KEY, balance numeric, owner text); CREATE TABLE audit (id int);"


def common(schema_dir: Path, database: str, server: Server) -> list[str]:
    return ["--schema", str(schema_dir), "--database-url", database, "--dev-url", server.url]


def history_rows(url: str) -> int:
    with psycopg.connect(url) as conn:
        exists = conn.execute("SELECT to_regclass('schemactl.history')").fetchone()
        if not exists or exists[0] is None:
            return 0
        row = conn.execute("SELECT count(*) FROM schemactl.history").fetchone()
        return int(row[0]) if row else 0


def schemactl_process(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "schemactl", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def wait_for_lock_wait(url: str, timeout: float = 30) -> int:
    """The pid of the schemactl backend once it waits for a lock."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'schemactl' "
                "AND wait_event_type = 'Lock' AND datname = current_database()"
            ).fetchone()
            if row:
                return int(row[0])
            time.sleep(0.05)
    raise AssertionError("schemactl never waited for the lock")


def test_a_second_apply_fails_fast_while_another_holds_the_lock(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, OLD)
    write_schema(schema_dir, NEW)
    with psycopg.connect(database, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
        result = run_cli(capsys, "apply", *common(schema_dir, database, server), "--auto-approve")
    assert result.code == 1
    assert "another schemactl apply is running" in result.stderr
    assert "public.audit" not in catalog_of(database).tables


def test_two_concurrent_applies_with_wait_lock_never_apply_twice(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(database, OLD)
    write_schema(schema_dir, NEW)
    args = ["apply", *common(schema_dir, database, server), "--auto-approve", "--wait-lock"]
    first, second = schemactl_process(*args), schemactl_process(*args)
    outputs = [p.communicate(timeout=120) for p in (first, second)]
    assert (first.returncode, second.returncode) == (0, 0), outputs
    assert sum("Applied" in out for out, _ in outputs) == 1
    assert sum("No changes" in out for out, _ in outputs) == 1
    assert history_rows(database) == 1


@contextmanager
def apply_blocked_on_a_lock(
    server: Server, database: str, schema_dir: Path
) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """An apply (its process and backend pid) stuck mid-transaction behind a table lock
    that another session holds, having already run the steps before that table's."""
    execute(database, OLD)
    write_schema(schema_dir, NEW)
    with psycopg.connect(database) as blocker:
        blocker.execute("LOCK TABLE accounts IN ACCESS SHARE MODE")
        apply = schemactl_process(
            "apply",
            *common(schema_dir, database, server),
            "--auto-approve",
            "--lock-timeout",
            "60s",
        )
        yield apply, wait_for_lock_wait(database)
        blocker.rollback()


def test_a_held_table_lock_times_out_retries_and_leaves_nothing_half_done(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, OLD)
    before = comparable(catalog_of(database))
    write_schema(schema_dir, NEW)
    with psycopg.connect(database) as blocker:
        blocker.execute("LOCK TABLE accounts IN ACCESS SHARE MODE")  # blocks ALTER TABLE
        started = time.monotonic()
        result = run_cli(
            capsys,
            "apply",
            *common(schema_dir, database, server),
            "--auto-approve",
            "--lock-timeout",
            "200ms",
            "--lock-retries",
            "2",
        )
        elapsed = time.monotonic() - started
        blocker.rollback()
    assert result.code == 1
    assert "lock timeout" in result.stderr and "2 retries" in result.stderr
    assert "nothing changed" in result.stderr
    assert elapsed >= 0.6  # three attempts of 200 ms, plus backoff
    assert comparable(catalog_of(database)) == before
    assert history_rows(database) == 0


def test_a_killed_schemactl_mid_apply_leaves_the_database_as_before(
    server: Server, database: str, schema_dir: Path
) -> None:
    with apply_blocked_on_a_lock(server, database, schema_dir) as (apply, _):
        before = comparable(catalog_of(database))  # the apply's work is not visible yet
        os.kill(apply.pid, signal.SIGKILL)  # CREATE TABLE audit already ran in its transaction
        apply.wait()
    time.sleep(0.5)  # the server notices the closed socket and rolls back
    assert comparable(catalog_of(database)) == before
    assert history_rows(database) == 0


def test_a_backend_terminated_mid_apply_is_a_clean_error_and_changes_nothing(
    server: Server, database: str, schema_dir: Path
) -> None:
    with apply_blocked_on_a_lock(server, database, schema_dir) as (apply, pid):
        before = comparable(catalog_of(database))
        with psycopg.connect(database, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        _, stderr = apply.communicate(timeout=60)
    assert apply.returncode == 1
    assert stderr.startswith("error: ") and "Traceback" not in stderr
    assert comparable(catalog_of(database)) == before
    assert history_rows(database) == 0


def test_wait_lock_proceeds_once_the_other_apply_finishes(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, OLD)
    write_schema(schema_dir, NEW)
    other = psycopg.connect(database, autocommit=True)
    other.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
    threading.Timer(1.0, other.close).start()
    result = run_cli(
        capsys, "apply", *common(schema_dir, database, server), "--auto-approve", "--wait-lock"
    )
    assert result.code == 0, result.stderr
    assert "public.audit" in catalog_of(database).tables
