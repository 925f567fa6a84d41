"""``schemactl test`` on a terminal: a line per test, then a summary."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from schemactl.testing.runner import TestReport


def show_test_report(console: Console, report: TestReport) -> None:
    for outcome in report.outcomes:
        if outcome.skipped:
            console.print(
                Text(f"SKIP  {outcome.file}: {outcome.name}", style="yellow"), soft_wrap=True
            )
        elif outcome.passed:
            console.print(
                Text(f"PASS  {outcome.file}: {outcome.name}", style="green"), soft_wrap=True
            )
        else:
            console.print(
                Text(f"FAIL  {outcome.file}: {outcome.name}", style="bold red"), soft_wrap=True
            )
            console.print(Text(f"      {outcome.message}", style="red"), soft_wrap=True)
    summary = f"{report.passed} passed, {report.failed} failed"
    if report.skipped:
        summary += f", {report.skipped} skipped"
    console.print(Text(summary, style="bold green" if report.ok else "bold red"))
