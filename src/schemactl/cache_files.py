"""Entries of schemactl's caches on disk: written atomically, checked before trusted.

Every entry starts with a header naming what it holds and the key it was written for,
then the sha256 of its payload (a pickle of schemactl's own values). Anything else
(truncated, corrupt, another format or key) is removed and reported as absent, so it is
rebuilt, never trusted. A cache that cannot be written is no error: it is a cache.
Entries live in the user's cache folder (``$XDG_CACHE_HOME/schemactl``,
``~/.cache/schemactl``, ``/var/cache/schemactl`` for root).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from schemactl import __version__, collector

FORMAT = 1
CODE_SUFFIXES = frozenset({".py", ".sql", ".toml", ".j2", ".json"})


@functools.cache
def code_digest() -> str:
    """A digest of schemactl's own files (code, catalog queries, data): an entry written
    by other code, even of the same version number, is never read.

    Each file counts by its size and modification time, as CPython's own ``.pyc`` files
    do: where those could hide a change, the interpreter would already be running the
    old code. Reading and hashing the files' bytes took 12 to 20 ms of every run."""
    return folder_digest(os.path.dirname(os.path.realpath(__file__)), __version__)


def folder_digest(package: str, version: str) -> str:
    """The digest of ``package``'s code files (their paths, sizes and modification
    times) and ``version``."""
    digest = hashlib.sha256(version.encode())
    for relative, size, modified in _code_files(package):
        digest.update(f"{relative}\0{size}\0{modified}\0".encode())
    return digest.hexdigest()


def _code_files(package: str) -> list[tuple[str, int, int]]:
    """(path relative to the package, size, modification time in ns) of its code files,
    sorted. With ``os.scandir`` and plain strings: every run that keeps anything
    computes the digest, and walks with ``pathlib`` or ``os.walk`` and ``relpath`` took
    three times as long (8 ms for some three hundred files)."""
    found: list[tuple[str, int, int]] = []

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir():  # symbolic links to folders are not followed, as os.walk
                    if entry.name != "__pycache__" and not entry.is_symlink():
                        walk(entry.path, prefix + entry.name + os.sep)
                elif os.path.splitext(entry.name)[1] in CODE_SUFFIXES:
                    stat = entry.stat()
                    found.append((prefix + entry.name, stat.st_size, stat.st_mtime_ns))

    walk(package, "")
    return sorted(found)


@dataclasses.dataclass(frozen=True)
class CacheFile:
    """One entry: ``what`` it holds (in its header) for ``key``, at ``path``."""

    path: Path
    what: str
    key: str

    @property
    def header(self) -> bytes:
        return f"schemactl {self.what} {FORMAT}\n{self.key}\n".encode()

    def load(self) -> object | None:
        """The value stored, or None when there is none to trust (a damaged entry is
        removed, to be written again)."""
        try:
            data = self.path.read_bytes()
        except OSError:
            return None
        value = self._decoded(data)
        if value is None:
            self.path.unlink(missing_ok=True)
        return value

    def _decoded(self, data: bytes) -> object | None:
        if not data.startswith(self.header):
            return None
        digest, _, payload = data[len(self.header) :].partition(b"\n")
        if hashlib.sha256(payload).hexdigest().encode() != digest:
            return None
        try:
            with collector.paused():  # a catalog's objects, and no cycle among them
                return pickle.loads(payload)  # type: ignore[no-any-return]  # noqa: S301 - our own entry, digest checked
        except Exception:  # noqa: BLE001 - any damage means: rebuild
            return None

    def store(self, value: object) -> None:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        digest = hashlib.sha256(payload).hexdigest().encode()
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                out.write(self.header + digest + b"\n" + payload)
            os.replace(temporary, self.path)
        except OSError:
            return


def prune(folder: Path, pattern: str, keep: int, companions: tuple[str, ...] = ()) -> None:
    """Remove all but the ``keep`` newest entries matching ``pattern`` (and the files
    beside each with the same stem and a suffix of ``companions``)."""
    try:
        entries = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for old in entries[keep:]:
        old.unlink(missing_ok=True)
        for suffix in companions:
            old.with_suffix(suffix).unlink(missing_ok=True)
