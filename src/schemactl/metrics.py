"""Phase timings and counts of one run: where the time goes, for ``bench/``.

Off unless ``SCHEMACTL_METRICS`` is set in the environment; then every phase of the
pipeline (parse, load, introspect, reconcile, diff, render, ...) adds its wall-clock
time here, connections and round trips to PostgreSQL are counted, and the command
line writes one JSON object to stderr (``SCHEMACTL_METRICS=1``) or to the file the
variable names when the command ends. Nothing below the command line prints them.
Phases that run at the same time on two threads (the two catalog reads) both count.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

ENV = "SCHEMACTL_METRICS"
T = TypeVar("T")
TO_STDERR = ("1", "stderr", "-")


class Recorder:
    """What one run measured."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.phases: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def add_time(self, name: str, seconds: float) -> None:
        with self._lock:
            self.phases[name] = self.phases.get(name, 0.0) + seconds

    def add_count(self, name: str, n: int) -> None:
        with self._lock:
            self.counts[name] = self.counts.get(name, 0) + n

    def report(self) -> dict[str, Any]:
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        return {
            "wall_seconds": round(time.perf_counter() - self.started, 4),
            "phases": {name: round(seconds, 4) for name, seconds in self.phases.items()},
            "counts": dict(sorted(self.counts.items())),
            "peak_memory_mb": round(peak_kb / 1024, 1),
        }


_recorder: Recorder | None = Recorder() if os.environ.get(ENV) else None


def enable() -> Recorder:
    """Start recording (as the environment variable does at import)."""
    global _recorder
    _recorder = Recorder()
    return _recorder


def restart() -> None:
    """Start the clock again (the command line, once its imports are done), when on."""
    if _recorder is not None:
        _recorder.started = time.perf_counter()


def disable() -> None:
    global _recorder
    _recorder = None


def enabled() -> bool:
    return _recorder is not None


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Time the block as (part of) phase ``name``."""
    recorder = _recorder
    if recorder is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        recorder.add_time(name, time.perf_counter() - started)


@contextmanager
def entered(name: str, manager: AbstractContextManager[T]) -> Iterator[T]:
    """Enter ``manager`` for the block, timing its setup and teardown (not the block)
    as phase ``name``: a dev database's creation and removal, say."""
    with phase(name):
        value = manager.__enter__()
    try:
        yield value
    except BaseException as exc:
        with phase(name):
            if not manager.__exit__(type(exc), exc, exc.__traceback__):
                raise
    else:
        with phase(name):
            manager.__exit__(None, None, None)


def count(name: str, n: int = 1) -> None:
    if _recorder is not None:
        _recorder.add_count(name, n)


def report() -> dict[str, Any] | None:
    return None if _recorder is None else _recorder.report()


def write_report() -> None:
    """Write the report where ``SCHEMACTL_METRICS`` says (the command line calls this
    once, as the command ends)."""
    document = report()
    if document is None:
        return
    text = json.dumps({"schemactl_metrics": document})
    target = os.environ.get(ENV, "1")
    if target in TO_STDERR:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()
    else:
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
