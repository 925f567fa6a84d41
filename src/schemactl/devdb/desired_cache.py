"""A content-addressed cache of the desired state as the dev database normalizes it.

Loading the schema into a dev database and reading it back is most of what ``plan``
and ``drift`` cost, and its result depends only on what went in: the schema files, the
target's objects the dev database was given (external objects), the scope, the dev
server (its exact version and binaries) and schemactl itself (its files' digest: a
development checkout's edits count). Those are the key (a
sha256); the value is the desired catalog as read, before anything the schema declares
without loading it (jobs, partition rules, roles) joins it: those are applied anew on
every run, with the clock and the target of that run.

Entries are checked before they are trusted and written atomically
(:mod:`schemactl.cache_files`); the oldest beyond :data:`KEEP` are pruned. ``--no-cache`` (or ``SCHEMACTL_NO_CACHE=1``)
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
import hashlib
import json
from contextlib import nullcontext
from pathlib import Path
from typing import Any, cast

import psycopg

from schemactl.cache_files import CacheFile, code_digest, prune
from schemactl.cache_home import cache_home, disabled_by_environment
from schemactl.catalog.equivalence import Answers
from schemactl.catalog.model import Catalog

KEEP = 64  # entries kept; the oldest go first
WHAT = "desired state"


def cache_folder() -> Path:
    return cache_home() / "desired-state"


def cache_enabled(no_cache: bool) -> bool:
    return not no_cache and not disabled_by_environment()


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


def cache_key(source_digest: str, external: Catalog, scope: Any, dev_server: str) -> str:
    """The sha256 of everything the normalized desired state depends on: the schema
    files (``source_digest``, see source.facts), the target's objects given to the dev
    database, the scope, the dev server and schemactl itself."""
    digest = hashlib.sha256(f"{WHAT}\0schemactl {code_digest()}\0".encode())
    digest.update(f"dev server {dev_server}\0files {source_digest}\0".encode())
    for text in (stable(scope), stable(external)):
        digest.update(json.dumps(text, sort_keys=True, default=str).encode() + b"\0")
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
        """The cached desired state, or None when there is none to trust."""
        catalog = CacheFile(self.path, WHAT, self.key).load()
        return catalog if isinstance(catalog, Catalog) else None

    def read_answers(self) -> Answers:
        """The dev database's answers kept for this desired state (none: empty)."""
        answers = CacheFile(self.answers_path, "answers", self.key).load()
        return answers if isinstance(answers, dict) else {}

    def write(self, catalog: Catalog) -> None:
        CacheFile(self.path, WHAT, self.key).store(catalog)
        prune(self.folder, "*.state", KEEP, companions=(".answers",))

    def write_answers(self, answers: Answers) -> None:
        CacheFile(self.answers_path, "answers", self.key).store(answers)


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
