"""What apply and migrate apply tell whoever watches them, step by step.

The runners report each statement as it starts and finishes (and each retry after a
lock timeout) to a :class:`StepProgress`; the command line decides how to show it
(``output/progress.py``: a live display on a terminal, plain lines otherwise). The
runners never print.
"""

from __future__ import annotations

from typing import Protocol


class StepProgress(Protocol):
    def begin(self, title: str, total: int) -> None:
        """A run of ``total`` statements starts (an apply, a migration file)."""

    def step(self, number: int, sql: str) -> None:
        """Statement ``number`` (1-based) starts."""

    def done(self, number: int, duration_ms: int) -> None:
        """Statement ``number`` finished (its transaction may still be open)."""

    def retry(self, attempt: int, delay_seconds: float, reason: str) -> None:
        """A lock timeout or deadlock rolled the group back; it runs again after a pause."""

    def end(self) -> None:
        """The run is over, however it ended."""


class Silent:
    """Progress nobody watches."""

    def begin(self, title: str, total: int) -> None:
        pass

    def step(self, number: int, sql: str) -> None:
        pass

    def done(self, number: int, duration_ms: int) -> None:
        pass

    def retry(self, attempt: int, delay_seconds: float, reason: str) -> None:
        pass

    def end(self) -> None:
        pass


SILENT: StepProgress = Silent()
