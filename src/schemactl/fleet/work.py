"""What a fleet command does on one target: the single-target pipeline, once per target.

The desired state is loaded once per PostgreSQL major version the fleet runs
(one dev database each, kept for the whole run, external objects read from the
first target of that version); each target is then read and planned on its own,
so a target that is behind or has drifted gets its own plan. An apply takes the
target's advisory lock, checks the same refusals as ``schemactl apply`` and runs
in the target's own transaction, recording its own history row.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from schemactl.apply.allowance import refuse_missing_roles, refuse_unallowed
from schemactl.apply.executor import ApplyOptions, apply_plan, steps_beyond_one_transaction
from schemactl.apply.history import read_history
from schemactl.apply.lock import exclusive, refuse_outside_one_transaction
from schemactl.config import Scope
from schemactl.db import connect
from schemactl.devdb.versions import connection_major
from schemactl.fleet.runner import Outcome, Work
from schemactl.fleet.targets import Target
from schemactl.migrations.deploy import deploy_pending, plan_deploy
from schemactl.migrations.files import read_folder
from schemactl.migrations.runner import RunOptions
from schemactl.migrations.status import PENDING, build_status
from schemactl.pipeline import DesiredSource, PreparedState, prepared_state
from schemactl.plan import Plan
from schemactl.pooler import detect_pooling

APPLIED, NO_CHANGES, CHANGES, IN_SYNC, DRIFT, OK = (
    "applied",
    "no changes",
    "changes",
    "in sync",
    "drift",
    "ok",
)


def plan_id(plan: Plan) -> str:
    """Equal plans, equal ids: the fleet groups targets by the plan they got."""
    if not plan.has_changes:
        return ""
    text = "\n".join(step.sql for step in plan.steps)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass
class FleetContext:
    """The desired state shared by every target of one run, and what the run learned."""

    source: DesiredSource
    scope: Scope
    stack: ExitStack
    online: bool = True
    template_schema: str | None = None  # schema-per-tenant
    plans: dict[str, Plan] = field(default_factory=dict)  # by plan id
    _prepared: dict[int, PreparedState] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def prepared_for(self, conn: psycopg.Connection) -> PreparedState:
        major = connection_major(conn)
        with self._lock:
            if major not in self._prepared:
                self._prepared[major] = self.stack.enter_context(
                    prepared_state(
                        self.source,
                        self.scope,
                        major=major,
                        external_from=conn,
                        template_schema=self.template_schema,
                    )
                )
            return self._prepared[major]

    def plan(self, conn: psycopg.Connection, target: Target) -> Plan:
        plan = self.prepared_for(conn).plan(conn, self.online, target.schema)
        with self._lock:
            self.plans.setdefault(plan_id(plan), plan)
        return plan


def _hazard_counts(plan: Plan) -> dict[str, int]:
    return dict(Counter(h.kind for step in plan.steps for h in step.hazards))


def _planned(target: Target, plan: Plan, states: tuple[str, str]) -> Outcome:
    changed, same = states
    return Outcome(
        target,
        changed if plan.has_changes else same,
        steps=len(plan.steps),
        plan_id=plan_id(plan),
        notes=list(plan.warnings),
        detail={"hazards": _hazard_counts(plan)} if plan.has_changes else {},
    )


def plan_work(ctx: FleetContext, states: tuple[str, str] = (CHANGES, NO_CHANGES)) -> Work:
    def work(target: Target) -> Outcome:
        conn = connect(target.url, "target database")
        try:
            return _planned(target, ctx.plan(conn, target), states)
        finally:
            conn.close()

    return work


def drift_work(ctx: FleetContext) -> Work:
    return plan_work(ctx, (DRIFT, IN_SYNC))


@dataclass(frozen=True)
class ApplyPolicy:
    allowed: frozenset[str]
    required: frozenset[str]
    options: ApplyOptions
    wait_lock: bool = False
    role: str | None = None


def apply_work(ctx: FleetContext, policy: ApplyPolicy) -> Work:
    """Plan and apply on each target under its lock, refusing what ``apply`` refuses.
    The refusal for a given plan is decided once and holds for every target that
    gets that plan."""
    decisions: dict[str, str] = {}

    def decide(plan: Plan) -> None:
        key = plan_id(plan)
        if key not in decisions:
            try:
                refuse_missing_roles(plan)
                refuse_unallowed(plan, policy.allowed, policy.required)
                decisions[key] = ""
            except Exception as exc:  # noqa: BLE001 - remembered, raised for each target
                decisions[key] = str(exc)
        if decisions[key]:
            raise RuntimeError(decisions[key])

    def work(target: Target) -> Outcome:
        conn = connect(target.url, "target database")
        try:
            pooling = detect_pooling(conn, target.url)
            # Tenants share a database, and with it the lock: they take turns applying.
            wait = policy.wait_lock or target.schema is not None
            with exclusive(conn, pooling, wait, policy.role):
                plan = ctx.plan(conn, target)
                if not plan.has_changes:
                    return _planned(target, plan, (CHANGES, NO_CHANGES))
                decide(plan)
                refuse_outside_one_transaction(
                    pooling,
                    steps_beyond_one_transaction(plan.steps),
                    "plan with --no-online to run them in that transaction instead",
                )
                name = f"tenant {target.schema}" if target.schema else policy.options.name
                options = dataclasses.replace(policy.options, name=name)
                result = apply_plan(conn, plan, options)
        finally:
            conn.close()
        outcome = _planned(target, plan, (APPLIED, NO_CHANGES))
        outcome.version = result.version
        outcome.duration_ms = result.duration_ms
        return outcome

    return work


def status_work(migrations: Path) -> Work:
    folder = read_folder(migrations)

    def work(target: Target) -> Outcome:
        conn = connect(target.url, "target database")
        try:
            rows = read_history(conn)
        finally:
            conn.close()
        report = build_status(rows, folder)
        latest = next((e for e in reversed(report.entries) if e.state != PENDING), None)
        return Outcome(
            target,
            OK if not report.count(PENDING) else "pending",
            detail={
                "applied": report.count("applied"),
                "pending": report.count(PENDING),
                "latest": f"{latest.version} {latest.name}".strip() if latest else "",
            },
        )

    return work


def migrate_work(migrations: Path, options: RunOptions, wait_lock: bool = False) -> Work:
    folder = read_folder(migrations)

    def work(target: Target) -> Outcome:
        conn = connect(target.url, "target database")
        try:
            pooling = detect_pooling(conn, target.url)
            with exclusive(conn, pooling, wait_lock):
                plan = plan_deploy(folder, read_history(conn), None)
                if not plan.pending:
                    return Outcome(target, NO_CHANGES)
                done = deploy_pending(conn, plan, options, pooling.transaction_pooled)
        finally:
            conn.close()
        return Outcome(
            target,
            APPLIED,
            steps=len(done),
            version=done[-1].migration.version if done else "",
        )

    return work
