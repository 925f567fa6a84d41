"""``status`` for people: one table of history entries and pending migration files."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console
from rich.table import Table as RichTable

from schemactl.migrations.status import APPLIED, PARTLY_APPLIED, PENDING, ROLLED_BACK, StatusReport

STATE_STYLE = {
    APPLIED: "green",
    PENDING: "yellow",
    ROLLED_BACK: "dim",
    PARTLY_APPLIED: "bold red",
}


def _when(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def show_status(console: Console, report: StatusReport) -> None:
    if not report.entries:
        console.print("No history and no migration files.")
        return
    table = RichTable(title="schemactl status", show_lines=False)
    for column in ("kind", "version", "name", "state", "applied at", "by", "ms", "note"):
        table.add_column(column, justify="right" if column == "ms" else "left")
    for entry in report.entries:
        style = STATE_STYLE.get(entry.state, "")
        state = f"[{style}]{entry.state}[/{style}]" if style else entry.state
        note = entry.note
        if entry.rolled_back_at:
            note = f"rolled back {_when(entry.rolled_back_at)}" + (f"; {note}" if note else "")
        table.add_row(
            entry.kind,
            entry.version,
            entry.name,
            state,
            _when(entry.applied_at),
            entry.applied_by or "",
            "" if entry.duration_ms is None else str(entry.duration_ms),
            note,
        )
    console.print(table)
    console.print(
        f"{report.count(APPLIED)} applied, {report.count(PENDING)} pending"
        + (
            f", {report.count(PARTLY_APPLIED)} partly applied"
            if report.count(PARTLY_APPLIED)
            else ""
        )
    )
