"""One schemactl at a time per database: the advisory lock, held as the connection allows.

Connected directly (or through a pooler in session mode), the lock belongs to the
session: taken before the target is read, released when the command ends, and
held across the several transactions an online plan may need.

Through a pooler in transaction mode a session belongs to no one: a session lock
stays on whichever backend took it while the work runs on others, and a second
schemactl passes it. There the lock is ``pg_advisory_xact_lock``, taken first
thing in the one transaction that reads the target, plans, applies and records
the history, and released by its commit or rollback. What cannot run inside
that transaction is refused (see :func:`refuse_outside_one_transaction`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import psycopg
from psycopg import sql

from schemactl.errors import PlanRefused, SchemactlError
from schemactl.pooler import Pooling

# pg_advisory_lock key: the bytes of "schemactl" folded into a bigint, stable forever.
ADVISORY_LOCK_KEY = int.from_bytes(b"schemact", "big") & 0x7FFFFFFFFFFFFFFF
LOCK_HELD = "another schemactl apply is running on this database"


class LockHeld(SchemactlError):
    """Another schemactl holds the lock, and we were not asked to wait."""


@contextmanager
def target_lock(conn: psycopg.Connection, wait: bool = False) -> Iterator[None]:
    """Hold schemactl's session advisory lock on the target for the block."""
    if wait:
        conn.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
    else:
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (ADVISORY_LOCK_KEY,)).fetchone()
        if not row or not row[0]:
            raise LockHeld(f"{LOCK_HELD} (pass --wait-lock to wait for it)")
    try:
        yield
    finally:
        # If the session is gone, its lock went with it.
        if not conn.closed:
            with contextlib.suppress(psycopg.Error):
                conn.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))


def transaction_lock(conn: psycopg.Connection, wait: bool, pooling: Pooling) -> None:
    """Take the lock for the transaction open on ``conn``; its end releases it."""
    if wait:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_LOCK_KEY,))
        return
    row = conn.execute("SELECT pg_try_advisory_xact_lock(%s)", (ADVISORY_LOCK_KEY,)).fetchone()
    if not row or not row[0]:
        raise LockHeld(
            f"{LOCK_HELD}: through {pooling.describe()} schemactl holds its lock for the whole "
            "transaction that plans and applies, and another one holds it now "
            "(pass --wait-lock to wait for it)"
        )


@contextmanager
def exclusive(
    conn: psycopg.Connection, pooling: Pooling, wait: bool = False, role: str | None = None
) -> Iterator[None]:
    """Run the block as the only schemactl on the target, under ``role`` if given.

    Directly: a session lock around the block, which opens transactions as it
    needs. Through a transaction pooler: the block is one transaction, lock first;
    it commits when the block ends and rolls back if it raises.
    """
    if not pooling.transaction_pooled:
        if role:
            conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
        with target_lock(conn, wait):
            yield
        return
    with conn.transaction():
        transaction_lock(conn, wait, pooling)
        if role:
            conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(role)))
        yield


class PoolerRefused(PlanRefused):
    """Work that needs more than one transaction, refused through a transaction pooler."""


def refuse_outside_one_transaction(
    pooling: Pooling, what: Sequence[str], remedy: str = "", action: str = "apply"
) -> None:
    """Refuse, through a transaction pooler, work that cannot run in one transaction.

    ``what`` lists each such step and why; ``remedy`` is an alternative besides
    the direct connection. Nothing has changed when this raises."""
    if not pooling.transaction_pooled or not what:
        return
    alternative = f", or {remedy}" if remedy else ""
    raise PoolerRefused(
        f"refusing to {action} through {pooling.describe()} (nothing was changed): its "
        "connections are pooled per transaction, so schemactl's lock lasts one transaction, "
        "and these steps cannot run inside it:\n"
        + "\n".join(f"  {line}" for line in what)
        + f"\nconnect directly instead: {pooling.direct}{alternative}"
    )
