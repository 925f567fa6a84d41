"""``rollback``: undo the newest history entries with the down SQL they recorded.

Declarative applies and migrations are entries of the same history, undone the
same way: newest first, all in one transaction (unless a down script holds a
statement that cannot run in one), with a ``rollback`` entry recording what ran
and the entries marked rolled back.

A down script fits the schema its entry left behind, nothing else. Every entry
(rollbacks included) stores a fingerprint of the schema right after it; when
the live schema no longer matches the newest one, someone changed the database
since, and the rollback is refused (``--force`` overrides), naming what changed.
Entries that are not reversible (dropped data, a down script that did not test
clean) are refused the same way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import psycopg

from schemactl.apply.history import (
    RUNNING,
    HistoryEntry,
    HistoryRow,
    SchemaFingerprint,
    mark_rolled_back,
    new_version,
    record,
    schema_fingerprint,
)
from schemactl.config import Scope
from schemactl.migrations.errors import MigrationError
from schemactl.migrations.fingerprint import differences
from schemactl.migrations.runner import RunOptions, run_script
from schemactl.migrations.script import Script, parse_script

MAX_LISTED = 10
ROLLBACK_NOT_UNDONE = "a rollback is undone by applying again, not by another rollback"


@dataclass(frozen=True)
class RollbackPlan:
    entries: tuple[HistoryRow, ...]  # newest first
    previous: HistoryRow | None  # the entry before the oldest one undone: the state to return to
    drift: tuple[str, ...]  # what changed in the live schema since the newest entry
    drift_unchecked: bool  # the newest entry recorded no fingerprint

    @property
    def irreversible(self) -> tuple[HistoryRow, ...]:
        return tuple(e for e in self.entries if not e.reversible)

    @property
    def partial(self) -> tuple[HistoryRow, ...]:
        return tuple(e for e in self.entries if e.state == RUNNING)

    def refusals(self, force: bool) -> list[str]:
        """Why the rollback must not run; ``force`` waives drift and irreversibility."""
        found = [
            f"{e.label} is only partly applied ({e.progress} statements): finish it with "
            "`schemactl migrate apply` first"
            for e in self.partial
        ]
        if force:
            return found
        found += [
            f"{e.label} is NOT REVERSIBLE: {e.irreversible_reason or 'marked so when applied'}"
            for e in self.irreversible
        ]
        if self.drift:
            listed = "; ".join(self.drift[:MAX_LISTED])
            more = len(self.drift) - MAX_LISTED
            found.append(
                f"the live schema changed since {self.entries[0].label} was recorded, so its down "
                f"script may not fit: {listed}" + (f"; and {more} more" if more > 0 else "")
            )
        return found


@dataclass(frozen=True)
class RollbackResult:
    version: str
    entries: tuple[HistoryRow, ...]
    duration_ms: int
    one_transaction: bool
    # How the schema after the rollback differs from the one recorded before the
    # oldest undone entry; empty when it is the same (or nothing was recorded).
    mismatch: tuple[str, ...]


def _select(
    active: list[HistoryRow], steps: int | None, to_version: str | None
) -> list[HistoryRow]:
    newest_first = list(reversed(active))
    if to_version is not None:
        keep = next((i for i, e in enumerate(newest_first) if e.version == to_version), None)
        if keep is None:
            raise MigrationError(
                f"--to {to_version}: no applied entry with that version in the history "
                "(see `schemactl status`)"
            )
        return newest_first[:keep]
    count = 1 if steps is None else steps
    if count < 1:
        raise MigrationError("--steps must be at least 1")
    if not newest_first:
        raise MigrationError("nothing to roll back: the history has no applied entries")
    if count > len(newest_first):
        raise MigrationError(
            f"--steps {count}: only {len(newest_first)} applied entr"
            f"{'y' if len(newest_first) == 1 else 'ies'} can be rolled back"
        )
    return newest_first[:count]


def _drift(rows: list[HistoryRow], live: SchemaFingerprint) -> tuple[tuple[str, ...], bool]:
    newest = rows[-1] if rows else None
    if newest is None or (newest.fingerprint_objects is None and newest.fingerprint is None):
        return (), True
    if newest.fingerprint_objects is not None:
        return tuple(differences(newest.fingerprint_objects, live.objects)), False
    if newest.fingerprint != live.overall:
        return ("the schema's fingerprint differs (no per-object record to name what)",), False
    return (), False


def plan_rollback(
    conn: psycopg.Connection,
    rows: list[HistoryRow],
    steps: int | None = None,
    to_version: str | None = None,
    scope: Scope | None = None,
) -> RollbackPlan:
    """Which entries a rollback would undo, and what stands in its way."""
    if steps is not None and to_version is not None:
        raise MigrationError("pass either --steps or --to, not both")
    active = [r for r in rows if r.active]
    entries = _select(active, steps, to_version)
    if not entries:
        return RollbackPlan((), None, (), False)
    oldest = entries[-1]
    before = [r for r in rows if r.id < oldest.id]
    drift, unchecked = _drift(rows, schema_fingerprint(conn, scope))
    return RollbackPlan(tuple(entries), before[-1] if before else None, drift, unchecked)


def _scripts(plan: RollbackPlan) -> list[Script]:
    return [parse_script(e.down_sql, f"down script of {e.label}") for e in plan.entries]


def beyond_one_transaction(plan: RollbackPlan) -> list[str]:
    """Down scripts that cannot run inside one transaction, each with why."""
    return [
        f"{script.label}: holds statements that cannot run in a transaction"
        for script in _scripts(plan)
        if not script.transactional
    ]


def _mismatch(plan: RollbackPlan, after: SchemaFingerprint) -> tuple[str, ...]:
    previous = plan.previous
    if previous is None or previous.fingerprint_objects is None:
        return ()
    return tuple(differences(previous.fingerprint_objects, after.objects))


def execute_rollback(
    conn: psycopg.Connection, plan: RollbackPlan, options: RunOptions
) -> RollbackResult:
    """Run the down scripts newest first and record the rollback."""
    scripts = _scripts(plan)
    started = time.monotonic()
    one_transaction = all(s.transactional for s in scripts)
    version = new_version()
    labels = ", ".join(e.label for e in plan.entries)

    def finish(tx: psycopg.Connection) -> SchemaFingerprint:
        after = schema_fingerprint(tx, options.scope)
        rollback_id = record(
            tx,
            HistoryEntry(
                version=version,
                name=f"undoes {labels}",
                kind="rollback",
                up_sql="\n".join(e.down_sql for e in plan.entries),
                down_sql="",
                reversible=False,
                duration_ms=int((time.monotonic() - started) * 1000),
                irreversible_reason=ROLLBACK_NOT_UNDONE,
                fingerprint=after,
                scope=options.scope,
            ),
        )
        mark_rolled_back(tx, [e.id for e in plan.entries], rollback_id)
        return after

    if one_transaction:
        holder: list[SchemaFingerprint] = []
        try:
            with conn.transaction():
                for script in scripts:
                    run_in_open_transaction(conn, script, options)
                holder.append(finish(conn))
        except psycopg.Error as exc:
            raise MigrationError(
                f"rollback failed: {' '.join(str(exc).split())}; nothing was changed"
            ) from None
        after = holder[0]
    else:
        for script in scripts:
            run_script(conn, script, options)
        with conn.transaction():
            after = finish(conn)
    return RollbackResult(
        version,
        plan.entries,
        int((time.monotonic() - started) * 1000),
        one_transaction,
        _mismatch(plan, after),
    )


def run_in_open_transaction(conn: psycopg.Connection, script: Script, options: RunOptions) -> None:
    """Run every statement of ``script`` inside the transaction the caller opened."""
    if options.lock_timeout:
        conn.execute("SELECT set_config('lock_timeout', %s, true)", (options.lock_timeout,))
    if options.statement_timeout:
        conn.execute(
            "SELECT set_config('statement_timeout', %s, true)", (options.statement_timeout,)
        )
    for statement in script.statements:
        try:
            conn.execute(statement.sql.encode())
        except psycopg.Error as exc:
            message = " ".join((exc.diag.message_primary or str(exc)).split())
            raise MigrationError(
                f"rollback failed in the {script.label}, line {statement.line} "
                f"(`{statement.summary}`): {message}; nothing was changed"
            ) from None
