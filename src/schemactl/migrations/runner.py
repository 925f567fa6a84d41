"""Running a script on a database, batch by batch, with a hook after each commit.

The hook is how callers keep the history in step with what was committed: it
runs inside a batch's transaction (so the history row commits with the
statements, or not at all), or right after a statement that ran outside any.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from schemactl.apply.progress import SILENT, StepProgress
from schemactl.apply.session import migration_settings, reset_migration_settings
from schemactl.config import Scope
from schemactl.migrations.errors import ScriptFailed
from schemactl.migrations.script import Batch, Script, ScriptStatement
from schemactl.source.pglast_modules import ast

# (connection, statements of the script done so far, counting this batch)
BatchHook = Callable[[psycopg.Connection, int], None]

_INVALID_INDEX = """
SELECT c.oid::regclass::text
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE NOT i.indisvalid AND c.relname = %(name)s
  AND c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = to_regclass(
        CASE WHEN %(schema)s::text IS NULL THEN quote_ident(%(table)s)
             ELSE quote_ident(%(schema)s) || '.' || quote_ident(%(table)s) END))
"""


@dataclass(frozen=True)
class RunOptions:
    lock_timeout: str | None = None
    statement_timeout: str | None = None
    scope: Scope | None = None  # what history fingerprints cover
    progress: StepProgress = field(default=SILENT, compare=False)


def _execute(
    conn: psycopg.Connection, statement: ScriptStatement, number: int, options: RunOptions
) -> None:
    """One statement, reported to whoever watches (numbered 1-based in its script)."""
    options.progress.step(number, statement.sql)
    started = time.monotonic()
    conn.execute(statement.sql.encode())
    options.progress.done(number, int((time.monotonic() - started) * 1000))


def _set_timeouts(conn: psycopg.Connection, options: RunOptions, local: bool) -> None:
    migration_settings(conn, options.lock_timeout, options.statement_timeout, local)


def _reset_timeouts(conn: psycopg.Connection, options: RunOptions) -> None:
    reset_migration_settings(conn)


def _drop_invalid_leftover(conn: psycopg.Connection, statement: ScriptStatement) -> None:
    """A concurrent index build that failed leaves an INVALID index under its name,
    which blocks the retry (or turns IF NOT EXISTS into a silent no-op): drop it."""
    node = statement.node
    if not (isinstance(node, ast.IndexStmt) and node.concurrent and node.idxname):
        return
    relation = node.relation
    if relation is None:
        return
    row = conn.execute(
        _INVALID_INDEX,
        {"name": node.idxname, "schema": relation.schemaname, "table": relation.relname},
    ).fetchone()
    if row:
        conn.execute(sql.SQL("DROP INDEX CONCURRENTLY {}").format(sql.SQL(str(row[0]))))


def _message(exc: psycopg.Error) -> str:
    diag = exc.diag
    message = diag.message_primary or str(exc).strip()
    if diag.message_detail:
        message += f" ({diag.message_detail})"
    return " ".join(message.split())


def _failure(
    script: Script, statement: ScriptStatement, exc: psycopg.Error, done: int
) -> ScriptFailed:
    committed = f"; {done} statement(s) before it were committed" if done else ""
    return ScriptFailed(
        f"{script.label}:{statement.line}: {_message(exc)} (at `{statement.summary}`){committed}"
    )


def run_script(
    conn: psycopg.Connection,
    script: Script,
    options: RunOptions | None = None,
    start: int = 0,
    after_batch: BatchHook | None = None,
) -> int:
    """Run ``script`` from statement ``start`` on; returns the number of statements done.

    ``conn`` must be in autocommit mode: transactions are opened here, per batch.
    On failure the failing batch is rolled back and ScriptFailed says where."""
    options = options or RunOptions()
    done = start
    for batch in script.batches(start):
        done = _run_batch(conn, script, batch, options, done, after_batch)
    return done


def _run_batch(
    conn: psycopg.Connection,
    script: Script,
    batch: Batch,
    options: RunOptions,
    done: int,
    after_batch: BatchHook | None,
) -> int:
    current = batch.statements[0]
    if not batch.in_transaction:
        _set_timeouts(conn, options, local=False)
        try:
            _drop_invalid_leftover(conn, current)
            _execute(conn, current, done + 1, options)
        except psycopg.Error as exc:
            raise _failure(script, current, exc, done) from None
        finally:
            _reset_timeouts(conn, options)
        if after_batch:
            after_batch(conn, done + 1)
        return done + 1
    try:
        with conn.transaction():
            _set_timeouts(conn, options, local=True)
            for offset, statement in enumerate(batch.statements):
                current = statement
                _execute(conn, statement, done + offset + 1, options)
            if after_batch:
                after_batch(conn, done + len(batch.statements))
    except psycopg.Error as exc:
        raise _failure(script, current, exc, done) from None
    return done + len(batch.statements)


def run_inside_transaction(
    conn: psycopg.Connection, script: Script, options: RunOptions | None = None
) -> int:
    """Run every statement of ``script`` inside the transaction the caller holds open.

    Through a transaction pooler nothing may depend on the session, so the whole
    script (which must be transactional) runs in the caller's transaction, in a
    savepoint of its own. Returns the number of statements run."""
    options = options or RunOptions()
    current = script.statements[0] if script.statements else None
    try:
        with conn.transaction():
            _set_timeouts(conn, options, local=True)
            for number, statement in enumerate(script.statements, start=1):
                current = statement
                _execute(conn, statement, number, options)
    except psycopg.Error as exc:
        assert current is not None
        raise _failure(script, current, exc, 0) from None
    return len(script.statements)
