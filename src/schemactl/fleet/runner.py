"""Scheduling a fleet: canaries first, then the rest with bounded concurrency.

Every target's work is independent (its own connection, lock and transaction),
so the scheduler only decides when each starts: the canaries first, and the rest
only if every canary succeeded; at most ``parallel`` at a time; no new start
once ``max_failures`` targets failed or the user pressed Ctrl-C. Targets that
never started are reported as skipped, with the reason; those running finish
(or roll back) on their own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from schemactl.config import redact
from schemactl.fleet.targets import Target

FAILED = "failed"
SKIPPED = "skipped"


@dataclass(frozen=True)
class Schedule:
    parallel: int = 4
    canary: int = 0
    max_failures: int | None = None  # None: never stop launching because of failures


@dataclass
class Outcome:
    """What happened on one target."""

    target: Target
    state: str  # applied, no changes, changes, in sync, drift, ok, failed, skipped
    steps: int = 0
    duration_ms: int = 0
    error: str = ""
    plan_id: str = ""  # identifies the plan's SQL: equal plans, equal ids
    version: str = ""  # history version an apply recorded
    notes: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.state == FAILED

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target.label,
            "schema": self.target.schema,
            "state": self.state,
            "steps": self.steps,
            "duration_ms": self.duration_ms,
            "error": self.error,
            "plan_id": self.plan_id,
            "version": self.version,
            "notes": list(self.notes),
            **({"detail": self.detail} if self.detail else {}),
        }


Work = Callable[[Target], Outcome]


def guarded(work: Work) -> Work:
    """``work`` that never raises: any error is the target's failure, in one line."""

    def run(target: Target) -> Outcome:
        started = time.monotonic()
        try:
            outcome = work(target)
        except Exception as exc:  # noqa: BLE001 - one target's failure must not stop the others
            message = redact(" ".join(str(exc).split()) or type(exc).__name__)
            outcome = Outcome(target, FAILED, error=message)
        if not outcome.duration_ms:
            outcome.duration_ms = int((time.monotonic() - started) * 1000)
        return outcome

    return run


@dataclass
class FleetRun:
    outcomes: list[Outcome]
    interrupted: bool = False

    @property
    def failures(self) -> int:
        return sum(1 for o in self.outcomes if o.failed)


def run_fleet(
    targets: Sequence[Target],
    work: Work,
    schedule: Schedule,
    on_done: Callable[[Outcome], None] = lambda outcome: None,
    on_start: Callable[[Target], None] = lambda target: None,
) -> FleetRun:
    """Run ``work`` on every target as ``schedule`` says; outcomes in target order."""
    safe = guarded(work)
    results: dict[int, Outcome] = {}
    stop = threading.Event()
    reason = {"text": ""}
    failures = 0

    def launchable() -> bool:
        return not stop.is_set() and (
            schedule.max_failures is None or failures < schedule.max_failures
        )

    def wave(indexes: list[int]) -> None:
        nonlocal failures
        pending = list(indexes)
        running: dict[Future[Outcome], int] = {}
        with ThreadPoolExecutor(max_workers=max(1, schedule.parallel)) as pool:
            while pending or running:
                while pending and len(running) < schedule.parallel and launchable():
                    index = pending.pop(0)
                    on_start(targets[index])
                    running[pool.submit(safe, targets[index])] = index
                if not running:
                    break
                try:
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                except KeyboardInterrupt:
                    stop.set()
                    reason["text"] = "interrupted (Ctrl-C) before it started"
                    continue
                for future in done:
                    index = running.pop(future)
                    outcome = future.result()
                    results[index] = outcome
                    failures += outcome.failed
                    on_done(outcome)
                if not launchable() and not reason["text"]:
                    reason["text"] = f"not started: {failures} target(s) failed (--max-failures)"

    order = list(range(len(targets)))
    canaries, rest = order[: schedule.canary], order[schedule.canary :]
    try:
        if canaries:
            wave(canaries)
            if any(results[i].failed for i in canaries if i in results):
                stop.set()
                reason["text"] = reason["text"] or "not started: a canary failed"
        if launchable():
            wave(rest)
    except KeyboardInterrupt:
        stop.set()
        reason["text"] = "interrupted (Ctrl-C) before it started"
    for index in order:
        if index not in results:
            results[index] = Outcome(targets[index], SKIPPED, error=reason["text"] or "not started")
    interrupted = reason["text"].startswith("interrupted")
    return FleetRun([results[i] for i in order], interrupted)
