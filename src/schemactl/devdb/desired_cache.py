"""A content-addressed cache of the desired state as the dev database normalizes it.

Loading the schema into a dev database and reading it back is most of what ``plan``
and ``drift`` cost, and its result depends only on what went in: the statements, the
target's objects the dev database was given (external objects), the scope, the dev
server (its exact version and binaries) and schemactl itself (its files' digest: a
development checkout's edits count). Those are the key (a
sha256); the value is the desired catalog as read, before anything the schema declares
without loading it (jobs, partition rules, roles) joins it: those are applied anew on
every run, with the clock and the target of that run.

An entry is checked before it is trusted: a header, the key it was written for and a
digest of its content; anything else (truncated, corrupt, an older format) is removed
and rebuilt. Entries live in the user's cache folder (``$XDG_CACHE_HOME/schemactl``,
``~/.cache/schemactl``, ``/var/cache/schemactl`` for root), written atomically; the
oldest beyond :data:`KEEP` are pruned. ``--no-cache`` (or ``SCHEMACTL_NO_CACHE=1``)
bypasses it.

A hit is used only where the result is certain to be the cold one: comparing with the
target may need the dev database (definitions that differ as text are re-created there
to compare their printouts, type changes ask it for casts, declared renames run there).
The dev database's answers are a function of the desired state alone, so they are kept
beside it and answered again from there; :data:`OFFLINE` stands in for the dev database
and refuses any question not answered before, and the caller then loads the dev
database as without a cache (and keeps its new answers).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Iterable
from contextlib import nullcontext
from pathlib import Path
from typing import Any, cast

import psycopg

from schemactl import __version__
from schemactl.catalog.equivalence import Answers
from schemactl.catalog.model import Catalog
from schemactl.devdb.binary_cache import cache_root

FORMAT = 1
HEADER = b"schemactl desired state %d\n" % FORMAT
KEEP = 64  # entries kept; the oldest go first
DISABLE_ENV = "SCHEMACTL_NO_CACHE"
CODE_SUFFIXES = frozenset({".py", ".sql", ".toml", ".j2", ".json"})


def cache_folder() -> Path:
    return cache_root().parent / "desired-state"


def cache_enabled(no_cache: bool) -> bool:
    return not no_cache and os.environ.get(DISABLE_ENV, "") in ("", "0")


def stable(value: Any) -> Any:
    """A JSON-able form of any model value with every field, sets sorted: equal values,
    equal text, in every process."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: stable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): stable(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [stable(v) for v in value]
    if isinstance(value, frozenset | set):
        return sorted((stable(v) for v in value), key=lambda v: json.dumps(v, default=str))
    return value


@functools.cache
def code_digest() -> str:
    """A digest of schemactl's own files (code, catalog queries, data): an entry written
    by other code, even of the same version number, is never read."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*")):
        if path.suffix in CODE_SUFFIXES and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def cache_key(statements: Iterable[Any], external: Catalog, scope: Any, dev_server: str) -> str:
    """The sha256 of everything the normalized desired state depends on."""
    digest = hashlib.sha256(HEADER)
    digest.update(f"schemactl {code_digest()}\0dev server {dev_server}\0".encode())
    for text in (stable(scope), stable(external)):
        digest.update(json.dumps(text, sort_keys=True, default=str).encode() + b"\0")
    for statement in statements:
        digest.update(f"{statement.path}\0{statement.sql}\0".encode())
    return digest.hexdigest()


@dataclasses.dataclass(frozen=True)
class DesiredStateCache:
    """One entry of the cache, by key: the desired catalog (``.state``) and what the dev
    database answered when comparisons asked it (``.answers``: printouts of re-created
    definitions, casts), so that a later comparison asking the same needs no dev
    database either."""

    key: str
    folder: Path = dataclasses.field(default_factory=cache_folder)

    @property
    def path(self) -> Path:
        return self.folder / f"{self.key}.state"

    @property
    def answers_path(self) -> Path:
        return self.folder / f"{self.key}.answers"

    def read(self) -> Catalog | None:
        """The cached desired state, or None when there is none to trust (a damaged
        entry is removed, to be written again)."""
        catalog = self._load(self.path)
        return catalog if isinstance(catalog, Catalog) else None

    def read_answers(self) -> Answers:
        """The dev database's answers kept for this desired state (none: empty)."""
        answers = self._load(self.answers_path)
        return answers if isinstance(answers, dict) else {}

    def write(self, catalog: Catalog) -> None:
        """Store ``catalog``; a cache that cannot be written is no error (it is a cache)."""
        self._store(self.path, catalog)

    def write_answers(self, answers: Answers) -> None:
        self._store(self.answers_path, answers)

    def _load(self, path: Path) -> object | None:
        try:
            data = path.read_bytes()
        except OSError:
            return None
        value = self._decoded(data)
        if value is None:
            path.unlink(missing_ok=True)
        return value

    def _decoded(self, data: bytes) -> object | None:
        header = HEADER + self.key.encode() + b"\n"
        if not data.startswith(header):
            return None
        digest, _, payload = data[len(header) :].partition(b"\n")
        if hashlib.sha256(payload).hexdigest().encode() != digest:
            return None
        try:
            return cast(object, pickle.loads(payload))  # noqa: S301 - our own entry, digest checked
        except Exception:  # noqa: BLE001 - any damage means: rebuild
            return None

    def _store(self, path: Path, value: object) -> None:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        digest = hashlib.sha256(payload).hexdigest().encode()
        data = HEADER + self.key.encode() + b"\n" + digest + b"\n" + payload
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
            _prune(self.folder)
        except OSError:
            return


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.state"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)
        old.with_suffix(".answers").unlink(missing_ok=True)


class DevDatabaseNeeded(Exception):  # noqa: N818 - a signal, not an error
    """The comparison needs the dev database: a cached desired state is not enough."""


class _Offline:
    """Stands in for the dev database connection on a cache hit: session settings are
    accepted (there is nothing to set), anything that would ask the server refuses."""

    def transaction(self, *args: object, **kwargs: object) -> nullcontext[None]:
        return nullcontext()

    def execute(self, query: Any, *args: object, **kwargs: object) -> None:
        text = query.decode() if isinstance(query, bytes) else str(query)
        if text.startswith("SET LOCAL "):
            return
        raise DevDatabaseNeeded(text)

    def __getattr__(self, name: str) -> Any:
        raise DevDatabaseNeeded(name)


OFFLINE = cast(psycopg.Connection, _Offline())
