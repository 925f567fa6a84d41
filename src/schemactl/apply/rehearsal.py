"""Rehearsal: run the plan's transactional steps on the target, then roll them back.

The steps run exactly as apply runs them (same statements, same session settings,
``lock_timeout``), inside one transaction that always ends in ROLLBACK: no COMMIT is
ever sent, so however the rehearsal ends (a failing step, an error, the process
killed, the connection lost) PostgreSQL discards all of it. It takes the same locks as
the real apply and holds them until the rollback.

Steps that cannot run in a transaction (``CREATE INDEX CONCURRENTLY``) are not
rehearsed, nor the later steps that name the index such a step builds (a key made of
it, its comment, its attachment to a partitioned index), or, for a unique index, add a
foreign key referencing its table (which may stand on it), nor the steps that name
what a step left out would have made (the foreign key's validation): they would fail
for want of it. A step that needs an earlier one committed first (a new enum value used
later) stops the rehearsal as inconclusive, not as a failure.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

import psycopg

from schemactl.apply.session import migration_settings
from schemactl.plan.headline import headline
from schemactl.plan.model import Plan, Step

UNSAFE_NEW_ENUM_VALUE = "55P04"
_IDENT = r'(?:"(?:[^"]|"")*"|[^\s."(]+)'
_BUILT_INDEX = re.compile(
    rf"^CREATE (?P<unique>UNIQUE )?INDEX CONCURRENTLY (?P<name>{_IDENT}) "
    rf"ON (?:ONLY )?(?P<table>{_IDENT}(?:\.{_IDENT})?) "
)


def _naming(name: str) -> re.Pattern[str]:
    """Where a statement names the index ``name`` (unqualified, as CREATE INDEX says it),
    qualified or not."""
    return re.compile(rf"(?:^|[\s.(]){re.escape(name)}(?:$|[\s;,)])")


# Names a step gives to what it makes: a step left waiting makes them for no later step.
_NAMED = re.compile(rf"(?:ADD CONSTRAINT|RENAME TO) ({_IDENT})")


def _waiting_for(built: re.Match[str]) -> list[re.Pattern[str]]:
    """What names the index a skipped step builds: the index itself, and for a unique
    index, a foreign key referencing its table, which may stand on it."""
    found = [_naming(built["name"])]
    if built["unique"]:
        found.append(re.compile(rf" REFERENCES {re.escape(built['table'])}\("))
    return found


@dataclass(frozen=True)
class Rehearsal:
    rehearsed: int  # steps run before the end (the failing one included)
    skipped: tuple[int, ...] = field(default=())  # step numbers not rehearsed
    waiting: int = 0  # of those, the steps that wait for an index a skipped step builds
    failed_step: int | None = None  # 1-based, in execution order
    failed: Step | None = None
    error: str = ""
    sqlstate: str = ""
    inconclusive: bool = False  # stopped by a step that needs an earlier commit
    duration_ms: int = 0

    @property
    def succeeded(self) -> bool:
        return self.failed is None

    def summary(self) -> str:
        outside = len(self.skipped) - self.waiting
        skipped = (
            f"; {outside} step(s) that run outside a transaction were not rehearsed"
            if self.skipped
            else ""
        )
        if self.waiting:
            skipped += f", nor {self.waiting} that use the indexes they build"
        if self.failed is None:
            return (
                f"rehearsal: all {self.rehearsed} transactional step(s) succeeded on the target "
                f"and were rolled back ({self.duration_ms} ms){skipped}"
            )
        step = headline(self.failed.sql)
        if self.inconclusive:
            return (
                f"rehearsal stopped at step {self.failed_step} `{step}`: it needs an "
                f"earlier step committed first ({self.error}); the {self.rehearsed - 1} "
                f"step(s) before it succeeded and were rolled back{skipped}"
            )
        return (
            f"rehearsal: step {self.failed_step} `{step}` would fail: {self.error}"
            f"{f' (SQLSTATE {self.sqlstate})' if self.sqlstate else ''}; "
            f"the {self.rehearsed - 1} step(s) before it succeeded; all of it was rolled back{skipped}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "succeeded": self.succeeded,
            "inconclusive": self.inconclusive,
            "rehearsed": self.rehearsed,
            "skipped": list(self.skipped),
            "failed_step": self.failed_step,
            "failed_sql": self.failed.sql if self.failed else None,
            "error": self.error or None,
            "sqlstate": self.sqlstate or None,
            "duration_ms": self.duration_ms,
        }


def rehearse(
    conn: psycopg.Connection,
    plan: Plan,
    lock_timeout: str,
    statement_timeout: str | None = None,
) -> Rehearsal:
    """Run ``plan``'s transactional steps in a transaction that is always rolled back."""
    started = time.monotonic()
    skipped: list[int] = []
    unbuilt: list[re.Pattern[str]] = []  # names of the indexes skipped steps build
    waiting = 0
    rehearsed = 0
    failure: tuple[int, Step, psycopg.Error] | None = None
    with conn.transaction(force_rollback=True):
        migration_settings(conn, lock_timeout, statement_timeout, local=True)
        for number, step in enumerate(plan.steps, start=1):
            if not step.transactional:
                skipped.append(number)
                if built := _BUILT_INDEX.match(step.sql):
                    unbuilt += _waiting_for(built)
                continue
            if any(name.search(step.sql) for name in unbuilt):
                skipped.append(number)
                waiting += 1
                unbuilt += [_naming(name) for name in _NAMED.findall(step.sql)]
                continue
            rehearsed += 1
            try:
                conn.execute(step.sql.encode())
            except psycopg.Error as exc:
                failure = (number, step, exc)
                break
    duration_ms = int((time.monotonic() - started) * 1000)
    if failure is None:
        return Rehearsal(rehearsed, tuple(skipped), waiting, duration_ms=duration_ms)
    number, step, error = failure
    message = " ".join((error.diag.message_primary or str(error)).split())
    return Rehearsal(
        rehearsed,
        tuple(skipped),
        waiting,
        failed_step=number,
        failed=step,
        error=message,
        sqlstate=error.sqlstate or "",
        inconclusive=error.sqlstate == UNSAFE_NEW_ENUM_VALUE,
        duration_ms=duration_ms,
    )
