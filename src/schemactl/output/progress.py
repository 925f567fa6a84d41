"""Showing apply's progress: a live display on a terminal, plain lines elsewhere.

On a terminal, a bar counts the statements done, and a line below it shows the
statement running now with its elapsed time; ``verbose`` also leaves a line per
finished statement. Without a terminal (CI logs, pipes), one plain line per finished
statement: its number, duration and first line, with how many statements follow
where a step holds several (the whole step with ``verbose``). ``quiet`` shows nothing.
"""

from __future__ import annotations

import time

from rich.console import Console, Group
from rich.live import Live
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from schemactl.apply.progress import SILENT, StepProgress
from schemactl.plan.headline import headline

STATEMENT_WIDTH = 72  # characters of a running statement shown on the live line
LOGGED_WIDTH = 200  # characters of a finished statement's line


class LiveProgress:
    """A rich display: the run's bar, and below it the statement running with its
    elapsed time."""

    def __init__(self, console: Console, verbose: bool = False) -> None:
        self.console, self.verbose = console, verbose
        self.live: Live | None = None
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        )
        self.running = Progress(
            SpinnerColumn(), TimeElapsedColumn(), TextColumn("{task.description}"), console=console
        )
        self.run: TaskID | None = None
        self.current: TaskID | None = None
        self.total, self.sql = 0, ""

    def begin(self, title: str, total: int) -> None:
        self.total = total
        self.run = self.bar.add_task(title, total=total)
        self.live = Live(Group(self.bar, self.running), console=self.console)
        self.live.start()

    def step(self, number: int, sql: str) -> None:
        self.sql = sql
        if self.current is not None:
            self.running.remove_task(self.current)
        self.current = self.running.add_task(
            f"{number}/{self.total} {headline(sql, STATEMENT_WIDTH)}"
        )

    def done(self, number: int, duration_ms: int) -> None:
        if self.run is not None:
            self.bar.advance(self.run)
        if self.verbose and self.live is not None:
            line = Text(f"{number}/{self.total} ", style="dim")
            line.append(f"{duration_ms} ms ", style="cyan")
            line.append(headline(self.sql, LOGGED_WIDTH))
            self.live.console.print(line, soft_wrap=True)

    def retry(self, attempt: int, delay_seconds: float, reason: str) -> None:
        if self.live is not None:
            self.live.console.print(
                Text(f"retry {attempt} in {delay_seconds:g}s: {reason}", style="yellow")
            )

    def end(self) -> None:
        """Leave the finished bar on screen; the running statement's line goes."""
        if self.current is not None:
            self.running.remove_task(self.current)
        if self.live is not None:
            self.live.stop()
        if self.run is not None:
            self.bar.remove_task(self.run)
        self.live = self.run = self.current = None


class PlainProgress:
    """One line per finished statement, for logs: ``[3/80] 12 ms CREATE TABLE ...``."""

    def __init__(self, console: Console, verbose: bool = False) -> None:
        self.console, self.verbose = console, verbose
        self.total, self.sql, self.title = 0, "", ""
        self.started = 0.0

    def begin(self, title: str, total: int) -> None:
        self.title, self.total = title, total
        self.started = time.monotonic()
        self.console.print(f"{title}: {total} statement(s)", soft_wrap=True, highlight=False)

    def step(self, number: int, sql: str) -> None:
        self.sql = sql

    def done(self, number: int, duration_ms: int) -> None:
        text = self.sql.strip() if self.verbose else headline(self.sql, LOGGED_WIDTH)
        self.console.print(
            f"[{number}/{self.total}] {duration_ms} ms {text}", soft_wrap=True, highlight=False,
            markup=False,
        )  # fmt: skip

    def retry(self, attempt: int, delay_seconds: float, reason: str) -> None:
        self.console.print(
            f"retry {attempt} in {delay_seconds:g}s: {reason}", soft_wrap=True, markup=False
        )

    def end(self) -> None:
        pass


def progress_for(console: Console, quiet: bool = False, verbose: bool = False) -> StepProgress:
    """The display that suits where the output goes."""
    if quiet:
        return SILENT
    if console.is_terminal:
        return LiveProgress(console, verbose)
    return PlainProgress(console, verbose)
