"""``verify`` for people: each check with its verdict, and every failure by name."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from schemactl.migrations.verify import FAILED, OK, VerifyReport

MARKS = {OK: ("ok", "green"), FAILED: ("FAILED", "bold red")}


def show_verify(console: Console, report: VerifyReport) -> None:
    for check in report.checks:
        word, style = MARKS.get(check.status, (check.status, "dim"))
        line = Text(f"{check.name}: ", style="bold")
        line.append(word, style=style)
        if check.note:
            line.append(f"  ({check.note})", style="dim")
        console.print(line)
        for failure in check.failures:
            console.print(Text(f"  - {failure}", style="red"))
    if report.failed:
        console.print(Text("verify: mismatches found", style="bold red"))
    else:
        console.print(Text("verify: everything matches", style="green"))
