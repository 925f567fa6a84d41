"""Running a plan: one transaction, under an advisory lock, with lock_timeout.

The advisory lock (``apply/lock.py``) is taken before the target is read, so the
plan a DBA approves is computed from the state it will run against, and two
applies can never interleave. When the caller already holds a transaction open
(through a transaction pooler), each group runs in a savepoint inside it.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field

import psycopg

from schemactl.apply.history import HistoryEntry, ensure_history_table, new_version, record
from schemactl.apply.lock import ADVISORY_LOCK_KEY as ADVISORY_LOCK_KEY
from schemactl.apply.progress import SILENT, StepProgress
from schemactl.apply.session import migration_settings, reset_migration_settings
from schemactl.config import Scope
from schemactl.diff.changes import HazardKind
from schemactl.errors import SchemactlError
from schemactl.plan.model import Plan, Step

LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout expired
DEADLOCK_DETECTED = "40P01"
# What a rollback cannot undo: dropped data, a conversion with no way back.
IRREVERSIBLE = frozenset({HazardKind.DATA_LOSS, HazardKind.NOT_REVERSIBLE})


@dataclass(frozen=True)
class ApplyOptions:
    lock_timeout: str = "5s"
    statement_timeout: str | None = None
    lock_retries: int = 3
    retry_backoff_seconds: float = 0.5
    name: str = ""
    scope: Scope | None = None  # what the history entry's fingerprint covers
    progress: StepProgress = field(default=SILENT, compare=False)


@dataclass(frozen=True)
class ApplyResult:
    version: str
    steps: int
    duration_ms: int


@dataclass(frozen=True)
class StepGroup:
    """Steps that run together: one transaction, or one statement outside any."""

    steps: tuple[Step, ...]
    transactional: bool


def group_steps(steps: tuple[Step, ...]) -> list[StepGroup]:
    """As much as possible in one transaction; a non-transactional step stands alone
    between groups; a separate step (a validation) starts a transaction of its own."""
    groups: list[StepGroup] = []
    pending: list[Step] = []
    pending_separate = False

    def flush() -> None:
        if pending:
            groups.append(StepGroup(tuple(pending), True))
            pending.clear()

    for step in steps:
        if not step.transactional:
            flush()
            groups.append(StepGroup((step,), False))
        elif not pending or step.separate == pending_separate:
            pending.append(step)
            pending_separate = step.separate
        else:
            flush()
            pending.append(step)
            pending_separate = step.separate
    flush()
    return groups


def steps_beyond_one_transaction(steps: tuple[Step, ...]) -> list[str]:
    """The steps that keep a plan from running as one transaction, each with why."""
    if len(group_steps(steps)) <= 1 and all(s.transactional for s in steps):
        return []
    return [
        f"{s.action} {s.kind} {s.name}: "
        + (
            "runs outside any transaction (CONCURRENTLY)"
            if not s.transactional
            else "runs in a transaction of its own, after what came before it is committed"
        )
        for s in steps
        if not s.transactional or s.separate
    ]


class StepFailed(SchemactlError):
    """A step failed; says what was committed before it, so a rerun can resume."""


def _is_lock_timeout(exc: psycopg.Error) -> bool:
    return exc.sqlstate == LOCK_NOT_AVAILABLE


def _is_retryable(exc: psycopg.Error) -> bool:
    """A lock timeout or a deadlock rolled the whole group back: running it again is safe."""
    return exc.sqlstate in (LOCK_NOT_AVAILABLE, DEADLOCK_DETECTED)


def _session_settings(conn: psycopg.Connection, options: ApplyOptions, local: bool) -> None:
    migration_settings(conn, options.lock_timeout, options.statement_timeout, local)


def irreversible_reasons(plan: Plan) -> list[str]:
    """Why the plan's rollback cannot restore what it changes, each once: the data it
    drops (which table, column, sequence), or a conversion with no way back."""
    reasons: list[str] = []
    for step in plan.steps:
        for hazard in step.hazards:
            if hazard.kind in IRREVERSIBLE and hazard.reason not in reasons:
                reasons.append(hazard.reason)
    return reasons


class _Runner:
    """Runs groups with retries on lock timeouts, and records the history entry."""

    def __init__(self, conn: psycopg.Connection, plan: Plan, options: ApplyOptions) -> None:
        self.conn, self.plan, self.options = conn, plan, options
        self.version = new_version()
        self.started = time.monotonic()
        self.completed = 0
        self.current: Step | None = None
        self.progress = options.progress

    def entry(self) -> HistoryEntry:
        reasons = irreversible_reasons(self.plan)
        return HistoryEntry(
            version=self.version,
            name=self.options.name,
            kind="apply",
            up_sql=self.plan.up_sql(),
            down_sql=self.plan.down_sql(),
            reversible=not reasons,
            duration_ms=int((time.monotonic() - self.started) * 1000),
            scope=self.options.scope,
            irreversible_reason="; ".join(reasons) or None,
        )

    def run_group(self, group: StepGroup, record_history: bool) -> None:
        for attempt in range(self.options.lock_retries + 1):
            try:
                if group.transactional:
                    self._run_transaction(group, record_history)
                else:
                    self._run_outside_transaction(group.steps[0])
                self.completed += len(group.steps)
                return
            except psycopg.Error as exc:
                if not _is_retryable(exc) or attempt == self.options.lock_retries:
                    raise
                delay = self.options.retry_backoff_seconds * (2**attempt)
                reason = " ".join((exc.diag.message_primary or str(exc)).split())
                self.progress.retry(attempt + 1, delay, reason)
                time.sleep(delay)

    def _run_transaction(self, group: StepGroup, record_history: bool) -> None:
        with self.conn.transaction():
            _session_settings(self.conn, self.options, local=True)
            for offset, step in enumerate(group.steps):
                self._execute(self.completed + offset + 1, step)
            self.current = None
            if record_history:
                ensure_history_table(self.conn)
                record(self.conn, self.entry())

    def _run_outside_transaction(self, step: Step) -> None:
        _session_settings(self.conn, self.options, local=False)
        try:
            self._execute(self.completed + 1, step)
        except psycopg.Error:
            if step.kind == "index" and step.action == "create":
                # An interrupted concurrent build leaves an INVALID index behind,
                # which would block the retry (and the next run) under its name.
                with contextlib.suppress(psycopg.Error):
                    self.conn.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {step.name}".encode())
            raise
        finally:
            reset_migration_settings(self.conn)
        self.current = None

    def _execute(self, number: int, step: Step) -> None:
        self.current = step
        self.progress.step(number, step.sql)
        started = time.monotonic()
        self.conn.execute(step.sql.encode())
        self.progress.done(number, int((time.monotonic() - started) * 1000))

    def record_separately(self) -> None:
        with self.conn.transaction():
            ensure_history_table(self.conn)
            record(self.conn, self.entry())


def apply_plan(conn: psycopg.Connection, plan: Plan, options: ApplyOptions) -> ApplyResult:
    """Run the plan's groups in order and record it in the history.

    A plan without non-transactional steps is one transaction, history included:
    all or nothing. Otherwise each group commits on its own, and a failure says
    what was committed, so that the next run (which plans from the live state)
    resumes after it.
    """
    runner = _Runner(conn, plan, options)
    groups = group_steps(plan.steps)
    history_in_last_group = bool(groups) and groups[-1].transactional
    options.progress.begin("apply", len(plan.steps))
    try:
        for index, group in enumerate(groups):
            runner.run_group(
                group, record_history=history_in_last_group and index == len(groups) - 1
            )
        if not history_in_last_group:
            runner.record_separately()
    except psycopg.Error as exc:
        raise _failure(exc, runner, len(groups)) from None
    finally:
        options.progress.end()
    duration_ms = int((time.monotonic() - runner.started) * 1000)
    return ApplyResult(runner.version, len(plan.steps), duration_ms)


def _failure(exc: psycopg.Error, runner: _Runner, group_count: int) -> StepFailed:
    step = runner.current
    where = f" at step `{step.sql.splitlines()[0]}`" if step else ""
    message = " ".join((exc.diag.message_primary or str(exc)).split())
    if _is_lock_timeout(exc):
        message += (
            f" (lock_timeout {runner.options.lock_timeout}, {runner.options.lock_retries} retries)"
        )
    if runner.completed == 0:
        outcome = "the transaction was rolled back, nothing changed"
    else:
        outcome = (
            f"{runner.completed} of {len(runner.plan.steps)} steps were committed before it; "
            "run apply again to resume"
        )
    return StepFailed(f"apply failed{where}: {message}; {outcome}")
