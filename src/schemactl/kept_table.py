"""A table of compiled things kept between runs in one ``marshal`` file.

The launcher keeps what every run would otherwise compile again from the same text
(generated dataclass methods, regular expressions; see :mod:`schemactl.launcher`). Both
are tables from a text to what it compiles to, read before anything else is imported, so
this module imports nothing beyond the standard library's start-up modules. A file that
cannot be read, or holds an entry that is not what it should be, is ignored and written
again; one that cannot be written is no error.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any


class KeptTable:
    """Entries by key, read from ``path`` and written back when a run added one.

    ``valid`` judges every entry read back: one bad entry discards the whole file, as a
    file that is not what was written cannot be trusted in part. Beyond ``most`` entries
    the file is started afresh (each version of schemactl adds its own)."""

    def __init__(self, path: Path, valid: Callable[[Any, Any], bool], most: int) -> None:
        self.path = path
        self.most = most
        self.entries = self._read(valid)
        self.added = False

    def _read(self, valid: Callable[[Any, Any], bool]) -> dict[Any, Any]:
        try:
            entries = marshal.loads(self.path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return {}
        if not isinstance(entries, dict) or not all(valid(k, v) for k, v in entries.items()):
            return {}
        return entries

    def put(self, key: Any, value: Any) -> None:
        self.entries[key] = value
        self.added = True

    def forget(self, key: Any) -> None:
        """An entry that turned out unusable: the file is written again without it."""
        if self.entries.pop(key, None) is not None:
            self.added = True

    def keep(self) -> None:
        """Write the file again where this run changed something (at exit)."""
        if not self.added:
            return
        import tempfile  # only on the runs that write: most read and leave

        entries = self.entries if len(self.entries) <= self.most else {}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".kept-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(marshal.dumps(entries))
            os.replace(temporary, self.path)
        except (OSError, ValueError):
            return
