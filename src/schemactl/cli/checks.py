"""What plan and apply ask the target about a plan: preflight, and the rehearsal.

The apply package is imported only for a plan with changes: a plan without any asks
nothing and does not load it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from schemactl.cli.options import err
from schemactl.config import PREFLIGHT_TIMEOUT
from schemactl.errors import PlanRefused, RehearsalFailed

if TYPE_CHECKING:
    import psycopg

    from schemactl.apply.preflight import PreflightReport
    from schemactl.apply.rehearsal import Rehearsal
    from schemactl.plan import Plan


@dataclass(frozen=True)
class TargetChecks:
    """What to ask the target about a plan before (or instead of) applying it."""

    preflight: bool = True
    preflight_timeout: str = PREFLIGHT_TIMEOUT
    rehearse: bool = False
    lock_timeout: str = "5s"
    statement_timeout: str | None = None


@dataclass(frozen=True)
class Checked:
    """What the checks before an apply found: the preflight's report and the rehearsal's
    outcome, either None where it did not run."""

    preflight: PreflightReport | None = None
    rehearsal: Rehearsal | None = None

    def refuse_failed_rehearsal(self) -> None:
        if self.rehearsal is not None and not self.rehearsal.succeeded:
            raise RehearsalFailed(self.rehearsal.summary())

    def refuse_failing_rows(self) -> None:
        report = self.preflight
        if report is None or not report.blocking:
            return
        raise PlanRefused(
            "refusing to apply: the target's rows would make these steps fail "
            "(nothing was changed):\n"
            + "\n".join(f"  {finding.message()}" for finding in report.blocking)
            + "\n--no-preflight skips the check (apply then fails on the server instead)"
        )


def check_target(
    conn: psycopg.Connection, plan: Plan, checks: TargetChecks, announce: bool = True
) -> Checked:
    """Preflight (reads only) and, if asked, the rehearsal (always rolled back)."""
    if not plan.has_changes:
        return Checked()
    from schemactl.apply.preflight import preflight

    report = preflight(conn, plan, checks.preflight_timeout) if checks.preflight else None
    rehearsal = None
    if checks.rehearse:
        from schemactl.apply.rehearsal import rehearse

        if announce:
            from schemactl.output.plan_view import rehearsal_notice  # loads pygments

            err.print(rehearsal_notice(checks.lock_timeout))
        rehearsal = rehearse(conn, plan, checks.lock_timeout, checks.statement_timeout)
    return Checked(report, rehearsal)
