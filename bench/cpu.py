"""CPU seconds a command costs: its own processes' and the server backends' that served it.

Wall-clock ratios hide how a tool gets its time: one that keeps its own process and the
servers' backends busy at once wins by the clock with as much work, and on a machine of
two cores that lead shrinks as soon as something else wants a core. CPU seconds add up
the work itself, whichever cores did it. They are not free of the machine's load either:
on a virtual machine, time its host takes the cores away is counted as used.

A command's own CPU time is what ``wait4`` reports for it (its threads, and the children
it waited for, such as an embedded server it started). The server's share is read from
the postmaster: when it reaps a backend, Linux adds the backend's CPU time to the
postmaster's total for reaped children (``cutime`` and ``cstime`` in
``/proc/<pid>/stat``). So after a command, its backends are waited for until they are
gone, and the difference in that total is what they used. An autovacuum worker that
ends meanwhile counts too (rarely, and the medians keep it out): the server keeps its
defaults, as the databases the tools meet do. Without ``/proc`` (not Linux) the server's
figure is None.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

# How long backends may take to exit after their client did, before the figure is read.
REAPED_WITHIN_SECONDS = 2.0
POLL_SECONDS = 0.01
# cutime and cstime, fields 16 and 17 of /proc/<pid>/stat, as counted from field 3 (what
# follows the command name).
CUTIME_FIELD, CSTIME_FIELD = 13, 14


@dataclass(frozen=True)
class Mark:
    """The postmaster's children's CPU total and its children, before a command."""

    reaped: float
    children: frozenset[int]


class ServerCpu:
    """The CPU time of the backends a command's connections started, on one server."""

    def __init__(self, postmaster: int) -> None:
        self.stat = Path(f"/proc/{postmaster}/stat")
        self.children_file = Path(f"/proc/{postmaster}/task/{postmaster}/children")
        self.ticks = os.sysconf("SC_CLK_TCK")

    def available(self) -> bool:
        return self.stat.exists() and self.children_file.exists()

    def mark(self) -> Mark | None:
        if not self.available():
            return None
        return Mark(self._reaped(), self._children())

    def since(self, mark: Mark | None) -> float | None:
        """The CPU seconds of the backends started since ``mark``, once they are gone."""
        if mark is None or not self.available():
            return None
        deadline = time.monotonic() + REAPED_WITHIN_SECONDS
        while self._children() - mark.children and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
        return round(self._reaped() - mark.reaped, 3)

    def _reaped(self) -> float:
        fields = self.stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[CUTIME_FIELD]) + int(fields[CSTIME_FIELD])) / self.ticks

    def _children(self) -> frozenset[int]:
        return frozenset(int(pid) for pid in self.children_file.read_text().split())
