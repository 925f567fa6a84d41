"""The report of a fleet command: a table on a terminal, JSON, or markdown for a PR."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from schemactl.fleet.runner import FleetRun, Outcome

STATE_STYLE = {
    "applied": "green",
    "no changes": "green",
    "in sync": "green",
    "ok": "green",
    "changes": "yellow",
    "drift": "yellow",
    "pending": "yellow",
    "failed": "bold red",
    "skipped": "dim",
}


def _note(outcome: Outcome, canary_plan: str, with_error: bool = True) -> str:
    notes = [outcome.error] if outcome.error and with_error else []
    if outcome.plan_id and canary_plan and outcome.plan_id != canary_plan:
        notes.append(f"plan {outcome.plan_id} differs from the canary's ({canary_plan})")
    if outcome.detail.get("hazards"):
        notes.append(", ".join(f"{n} {k}" for k, n in sorted(outcome.detail["hazards"].items())))
    if "latest" in outcome.detail:
        notes.append(
            f"latest {outcome.detail['latest'] or '-'}; {outcome.detail['pending']} pending"
        )
    return "; ".join(notes)


def canary_plan_id(run: FleetRun) -> str:
    """The plan the first target that planned anything got: others are compared to it."""
    return next((o.plan_id for o in run.outcomes if o.plan_id), "")


def summary_line(command: str, run: FleetRun) -> str:
    counts = Counter(o.state for o in run.outcomes)
    parts = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    distinct = len({o.plan_id for o in run.outcomes if o.plan_id})
    plans = f"; {distinct} distinct plan(s)" if distinct else ""
    return f"fleet {command}: {len(run.outcomes)} target(s): {parts}{plans}"


def show_fleet(console: Console, command: str, run: FleetRun) -> None:
    canary = canary_plan_id(run)
    table = Table(title=None, show_lines=False, expand=False)
    for column in ("target", "state", "steps", "ms", "notes"):
        table.add_column(column, overflow="fold")
    for outcome in run.outcomes:
        table.add_row(
            outcome.target.label,
            Text(outcome.state, style=STATE_STYLE.get(outcome.state, "")),
            str(outcome.steps or ""),
            str(outcome.duration_ms or ""),
            _note(outcome, canary, with_error=False),
        )
    console.print(table)
    # Errors in full, one line each, never folded: they are read and copied.
    reasons = [o for o in run.outcomes if o.error]
    for outcome in reasons:
        console.print(
            Text(f"{outcome.target.label}: {outcome.state}: {outcome.error}",
                 style=STATE_STYLE.get(outcome.state, "")),
            soft_wrap=True,
        )  # fmt: skip
    style = "bold red" if run.failures or run.interrupted else "bold"
    console.print(Text(summary_line(command, run), style=style), soft_wrap=True)


def fleet_json(command: str, run: FleetRun) -> dict[str, Any]:
    canary = canary_plan_id(run)
    return {
        "format_version": 1,
        "command": command,
        "summary": dict(Counter(o.state for o in run.outcomes)),
        "interrupted": run.interrupted,
        "canary_plan": canary,
        "targets": [
            {
                **o.to_json(),
                "differs_from_canary": bool(o.plan_id and canary and o.plan_id != canary),
            }
            for o in run.outcomes
        ],
    }


def fleet_markdown(command: str, run: FleetRun) -> str:
    canary = canary_plan_id(run)
    lines = [
        f"**{summary_line(command, run)}**",
        "",
        "| target | state | steps | notes |",
        "|---|---|---:|---|",
    ]
    for outcome in run.outcomes:
        note = _note(outcome, canary).replace("|", "\\|")
        lines.append(f"| {outcome.target.label} | {outcome.state} | {outcome.steps} | {note} |")
    return "\n".join(lines) + "\n"
