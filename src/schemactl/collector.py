"""Pausing Python's cyclic garbage collector while a large structure is built.

Parsing the schema folder (syntax trees) and reading a catalog (rows, tuples, model
dataclasses) each create hundreds of thousands of small objects and free none of them:
every few hundred allocations the collector walks the young objects, and ever more
often the whole heap, for cycles that are not there. On 5,000 tables that was close to
half of the Python time of a catalog read and a fifth of the source stage. The same
holds, on a smaller scale, for a program's imports and for a cached catalog read back
from disk. None of them holds reference cycles, so nothing is lost by collecting
afterwards. Builds may run in two threads at once: the collector stays paused until
the last ends, and what they built goes straight to the oldest generation (the young
generations' collections would walk it twice more on its way there).
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_pausing = 0  # reads under way that paused the collector
_was_enabled = False


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The cyclic collector off while inside (as it was before once every caller left)."""
    global _pausing, _was_enabled
    with _lock:
        if _pausing == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pausing += 1
    try:
        yield
    finally:
        with _lock:
            _pausing -= 1
            if _pausing == 0 and _was_enabled:
                gc.freeze()
                gc.unfreeze()
                gc.enable()
