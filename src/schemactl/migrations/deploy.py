"""``migrate apply``: pending migration files, in order, each recorded in the history.

Before anything runs, the folder must match its manifest and the history must
match the folder: a file applied earlier whose checksum changed since, an
applied version without its file, or a pending file older than an applied one
(added out of order) stops the command. Each file then runs in a transaction of
its own, history row included; a file with statements that cannot run in a
transaction commits in parts, with its progress recorded, and a rerun resumes
after the last committed statement.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg

from schemactl.apply.history import (
    RUNNING,
    HistoryEntry,
    HistoryRow,
    checksum,
    ensure_history_table,
    finish_entry,
    record,
    update_progress,
)
from schemactl.migrations import manifest
from schemactl.migrations.errors import MigrationError
from schemactl.migrations.files import Migration, MigrationFolder
from schemactl.migrations.runner import RunOptions, run_inside_transaction, run_script
from schemactl.migrations.script import parse_script


@dataclass(frozen=True)
class Pending:
    migration: Migration
    resume_entry: HistoryRow | None = None  # a partly applied run to finish

    @property
    def resume_from(self) -> int:
        return self.resume_entry.progress if self.resume_entry else 0


@dataclass(frozen=True)
class DeployPlan:
    applied: tuple[Migration, ...]
    pending: tuple[Pending, ...]


@dataclass(frozen=True)
class Deployed:
    migration: Migration
    statements: int
    duration_ms: int
    resumed_from: int


def applied_migrations(rows: list[HistoryRow]) -> dict[str, HistoryRow]:
    """Version -> the history row of each migration applied (or partly) and not rolled back."""
    return {r.version: r for r in rows if r.kind == "migration" and r.active}


def _same_prefix(recorded: str, current: Migration, count: int) -> bool:
    before = parse_script(recorded, current.up.name).statements[:count]
    now = current.up_script().statements[:count]
    return [s.sql for s in before] == [s.sql for s in now]


def plan_deploy(
    folder: MigrationFolder, rows: list[HistoryRow], to_version: str | None = None
) -> DeployPlan:
    """What ``migrate apply`` would run, or a MigrationError naming why it must not."""
    if folder.problems:
        raise MigrationError(f"{folder.path}: " + "; ".join(folder.problems))
    manifest.require_intact(folder.path)
    applied = applied_migrations(rows)
    problems: list[str] = []
    for version, row in sorted(applied.items(), key=lambda item: int(item[0])):
        migration = folder.find(version)
        if migration is None:
            problems.append(
                f"migration {version}_{row.name} was applied ({row.applied_at:%Y-%m-%d %H:%M}) "
                f"but has no file in {folder.path}"
            )
        elif row.state == RUNNING:
            if not _same_prefix(row.up_sql, migration, row.progress):
                problems.append(
                    f"{migration.up.name} is partly applied ({row.progress} statements) and those "
                    "statements changed since: restore them to resume"
                )
        elif checksum(migration.up_text()) != row.checksum:
            problems.append(
                f"{migration.up.name} changed since it was applied "
                f"({row.applied_at:%Y-%m-%d %H:%M}, {row.checksum[:19]}…): "
                "restore it, or write a new migration for the change"
            )
    if problems:
        raise MigrationError("; ".join(problems))
    done = [
        m for m in folder.migrations if m.version in applied and applied[m.version].state != RUNNING
    ]
    pending = [
        Pending(m, applied.get(m.version))
        for m in folder.migrations
        if m.version not in applied or applied[m.version].state == RUNNING
    ]
    newest = max((int(m.version) for m in done), default=-1)
    out_of_order = [p.migration.id for p in pending if int(p.migration.version) < newest]
    if out_of_order:
        raise MigrationError(
            f"pending migration(s) {', '.join(out_of_order)} are older than the newest applied "
            f"one ({newest}): give them a later version (rename, then `schemactl migrate hash`)"
        )
    if to_version is not None:
        if folder.find(to_version) is None:
            raise MigrationError(
                f"--to {to_version}: no migration with that version in {folder.path}"
            )
        pending = [p for p in pending if int(p.migration.version) <= int(to_version)]
    return DeployPlan(tuple(done), tuple(pending))


def _entry(migration: Migration, duration_ms: int, options: RunOptions) -> HistoryEntry:
    reasons = migration.not_reversible_reasons()
    return HistoryEntry(
        version=migration.version,
        name=migration.name,
        kind="migration",
        up_sql=migration.up_text(),
        down_sql=migration.down_text(),
        reversible=not reasons,
        duration_ms=duration_ms,
        irreversible_reason="; ".join(reasons) or None,
        scope=options.scope,
    )


def deploy_one(conn: psycopg.Connection, pending: Pending, options: RunOptions) -> Deployed:
    """Run one migration file and record it; see the module docstring for transactions."""
    migration = pending.migration
    script = migration.up_script()
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    if script.transactional and pending.resume_entry is None:

        def record_with_batch(tx: psycopg.Connection, done: int) -> None:
            record(tx, _entry(migration, elapsed(), options))

        if script.statements:
            run_script(conn, script, options, after_batch=record_with_batch)
        else:
            with conn.transaction():
                record_with_batch(conn, 0)
        return Deployed(migration, len(script.statements), elapsed(), 0)

    if pending.resume_entry is not None:
        entry_id = pending.resume_entry.id
    else:
        with conn.transaction():
            running = dataclasses.replace(_entry(migration, 0, options), state=RUNNING, progress=0)
            entry_id = record(conn, running)

    def note_progress(tx: psycopg.Connection, done: int) -> None:
        update_progress(tx, entry_id, done)

    run_script(conn, script, options, start=pending.resume_from, after_batch=note_progress)
    with conn.transaction():
        finish_entry(
            conn,
            entry_id,
            migration.up_text(),
            migration.down_text(),
            len(script.statements),
            elapsed(),
            options.scope,
        )
    return Deployed(migration, len(script.statements), elapsed(), pending.resume_from)


def beyond_one_transaction(plan: DeployPlan) -> list[str]:
    """Pending migrations that cannot run inside one transaction, each with why."""
    found = []
    for pending in plan.pending:
        if pending.resume_entry is not None:
            found.append(
                f"{pending.migration.up.name}: partly applied, to be resumed statement by statement"
            )
        elif not pending.migration.up_script().transactional:
            found.append(
                f"{pending.migration.up.name}: holds statements that cannot run in a transaction"
            )
    return found


def deploy_inside_transaction(
    conn: psycopg.Connection, pending: Pending, options: RunOptions
) -> Deployed:
    """Run one (transactional) migration file and record it, inside the transaction the
    caller holds open: through a transaction pooler, every pending file runs in one."""
    migration = pending.migration
    started = time.monotonic()
    statements = run_inside_transaction(conn, migration.up_script(), options)
    duration_ms = int((time.monotonic() - started) * 1000)
    record(conn, _entry(migration, duration_ms, options))
    return Deployed(migration, statements, duration_ms, 0)


def deploy_pending(
    conn: psycopg.Connection,
    plan: DeployPlan,
    options: RunOptions,
    one_transaction: bool,
    on_deployed: Callable[[Deployed], None] = lambda deployed: None,
) -> list[Deployed]:
    """Run every pending migration in order (each in its own transaction, or all inside
    the caller's one when ``one_transaction``, as through a transaction pooler). A
    failure names what was applied before it."""
    ensure_history_table(conn)
    done: list[Deployed] = []
    for pending in plan.pending:
        options.progress.begin(
            pending.migration.up.name, len(pending.migration.up_script().statements)
        )
        try:
            if one_transaction:
                deployed = deploy_inside_transaction(conn, pending, options)
            else:
                deployed = deploy_one(conn, pending, options)
        except MigrationError as exc:
            raise MigrationError(f"{exc}{_what_stayed(len(done), one_transaction)}") from None
        finally:
            options.progress.end()
        done.append(deployed)
        on_deployed(deployed)
    return done


def _what_stayed(applied: int, one_transaction: bool) -> str:
    """What a failed ``migrate apply`` left applied, for its error message."""
    if one_transaction:
        return (
            "; nothing was applied (through a transaction pooler, pending migrations run in "
            "one transaction)"
        )
    return f"; {applied} migration(s) before it were applied" if applied else ""
