"""Running a plan: one transaction, under an advisory lock, with lock_timeout.

The advisory lock is taken before the target is read, so the plan a DBA
approves is computed from the state it will run against, and two applies can
never interleave.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg

from schemactl.apply.history import HistoryEntry, ensure_history_table, new_version, record
from schemactl.errors import SchemactlError
from schemactl.plan.model import Plan

# pg_advisory_lock key: the bytes of "schemactl" folded into a bigint, stable forever.
ADVISORY_LOCK_KEY = int.from_bytes(b"schemact", "big") & 0x7FFFFFFFFFFFFFFF
LOCK_POLL_SECONDS = 0.2


@dataclass(frozen=True)
class ApplyOptions:
    lock_timeout: str = "5s"
    statement_timeout: str | None = None
    name: str = ""


@dataclass(frozen=True)
class ApplyResult:
    version: str
    steps: int
    duration_ms: int


@contextmanager
def target_lock(conn: psycopg.Connection, wait: bool = False) -> Iterator[None]:
    """Hold schemactl's session advisory lock on the target for the block."""
    if wait:
        conn.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
    else:
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (ADVISORY_LOCK_KEY,)).fetchone()
        if not row or not row[0]:
            raise SchemactlError(
                "another schemactl apply is running on this database (pass --wait-lock to wait for it)"
            )
    try:
        yield
    finally:
        if not conn.closed:
            try:
                conn.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))
            except psycopg.Error:
                pass  # the session is gone, and its lock with it


def apply_plan(conn: psycopg.Connection, plan: Plan, options: ApplyOptions) -> ApplyResult:
    """Run every step in one transaction and record it in the history; all or nothing."""
    version = new_version()
    started = time.monotonic()
    current_step = None
    try:
        with conn.transaction():
            conn.execute("SELECT set_config('lock_timeout', %s, true)", (options.lock_timeout,))
            if options.statement_timeout:
                conn.execute(
                    "SELECT set_config('statement_timeout', %s, true)", (options.statement_timeout,)
                )
            for step in plan.steps:
                current_step = step
                conn.execute(step.sql.encode())
            current_step = None
            ensure_history_table(conn)
            duration_ms = int((time.monotonic() - started) * 1000)
            record(
                conn,
                HistoryEntry(
                    version=version,
                    name=options.name,
                    kind="apply",
                    up_sql=plan.up_sql(),
                    down_sql=plan.down_sql(),
                    reversible=not any(
                        h.kind == "data_loss" for s in plan.steps for h in s.hazards
                    ),
                    duration_ms=duration_ms,
                ),
            )
    except psycopg.Error as exc:
        where = f" at step `{current_step.sql.splitlines()[0]}`" if current_step else ""
        message = " ".join((exc.diag.message_primary or str(exc)).split())
        raise SchemactlError(
            f"apply failed{where}: {message}; the transaction was rolled back, nothing changed"
        ) from None
    return ApplyResult(version, len(plan.steps), duration_ms)
