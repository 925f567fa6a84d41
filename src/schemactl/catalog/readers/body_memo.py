"""What routine bodies name, kept between runs by the bodies' text.

Reading a database's routines parses every string body with PostgreSQL's grammar
(``routines.body_references``): at a hundred routines some 85 ms a read, twice in a
``diff`` of two databases, and the parser's import (40 ms) besides. What a body names
depends only on its text, schemactl's code and the installed pglast, so the answers are
kept in the user's cache folder under all three (``routine-bodies/``): a warm plan,
a drift check or a diff of routines seen before parses none of them, and does not
import the parser. An entry of other code or another pglast is not read
(:mod:`schemactl.cache_files` checks both, and the payload's digest);
``SCHEMACTL_NO_CACHE=1`` parses every body.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from collections.abc import Callable
from typing import TypeVar

from schemactl.cache_files import CacheFile, code_digest
from schemactl.cache_home import cache_home, disabled_by_environment

WHAT = "routine body references"
# Beyond this many bodies the file is started afresh.
MOST_BODIES = 50_000

T = TypeVar("T")


class BodyMemo:
    """Answers by body text, shared by the threads that read two databases at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entry: CacheFile | None = None
        self._known: dict[bytes, object] | None = None
        self._added = False

    def answer(self, parts: tuple[str, ...], compute: Callable[[], T]) -> T:
        """``compute()``'s value for the text ``parts``, kept or computed now."""
        if disabled_by_environment():
            return compute()
        key = hashlib.sha256("\0".join(parts).encode()).digest()
        with self._lock:
            known = self._loaded()
            if key in known:
                return known[key]  # type: ignore[return-value]  # stored by compute() for this key
        value = compute()
        with self._lock:
            known[key] = value
            self._added = True
        return value

    def keep(self) -> None:
        """Write the answers again where some were added."""
        with self._lock:
            if not self._added or self._entry is None or self._known is None:
                return
            known = self._known if len(self._known) <= MOST_BODIES else {}
            self._entry.store(dict(known))
            self._added = False

    def _loaded(self) -> dict[bytes, object]:
        path = cache_home() / "routine-bodies" / "references.pickle"
        if self._known is None or self._entry is None or self._entry.path != path:
            self._entry = CacheFile(
                path,
                WHAT,
                f"schemactl {code_digest()} pglast {_installed_parser()}",
            )
            stored = self._entry.load()
            self._known = stored if isinstance(stored, dict) else {}
        return self._known


def _installed_parser() -> str:
    """Which pglast is installed, without importing it (that is what the memo saves):
    its package file's path, size and time, which an upgrade changes."""
    spec = importlib.util.find_spec("pglast")
    origin = spec.origin if spec is not None else None
    if origin is None:
        return "none"
    stat = os.stat(origin)
    return f"{origin} {stat.st_size} {stat.st_mtime_ns}"


MEMO = BodyMemo()
