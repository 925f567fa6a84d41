"""A rollback for people: which entries it undoes, newest first, and the SQL it runs."""

from __future__ import annotations

from rich.console import Console
from rich.syntax import Syntax
from rich.text import Text

from schemactl.migrations.rollback import RollbackPlan


def show_rollback(console: Console, plan: RollbackPlan) -> None:
    console.print(
        Text(
            f"Rolling back {len(plan.entries)} entr{'y' if len(plan.entries) == 1 else 'ies'}, newest first:",
            style="bold",
        )
    )
    for entry in plan.entries:
        line = Text(f"- {entry.label}", style="yellow")
        line.append(
            f"  applied {entry.applied_at:%Y-%m-%d %H:%M:%S} by {entry.applied_by}", style="dim"
        )
        if not entry.reversible:
            line.append(f"  NOT REVERSIBLE: {entry.irreversible_reason or ''}", style="bold red")
        console.print(line)
    if plan.drift_unchecked:
        console.print(
            Text(
                "warning: the newest history entry recorded no schema fingerprint; "
                "drift since it cannot be checked",
                style="yellow",
            )
        )
    for entry in plan.entries:
        if entry.down_sql.strip():
            console.print(Text(f"-- down script of {entry.label}", style="dim"))
            console.print(Syntax(entry.down_sql.strip(), "sql", theme="ansi_dark", word_wrap=True))
