"""A dump: the plan from an empty database to the live one, grouped into files.

The statements are the plan's own, rendered by the same templates, so a dump says
exactly what schemactl would run to build the database, in PostgreSQL's printouts.
Each file keeps the plan's order, which is a valid load order on its own; across
files, the schema folder's reader orders statements by dependency.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from schemactl.catalog.model import Catalog
from schemactl.diff import diff_catalogs
from schemactl.diff.changes import Change
from schemactl.dump.homes import Homes
from schemactl.dump.layout import FileKey, Layout, distinct_paths, file_key, path_of
from schemactl.plan.render import render


@dataclass(frozen=True)
class DumpFile:
    path: PurePosixPath
    statements: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(self.statements) + "\n"


@dataclass(frozen=True)
class Dump:
    files: tuple[DumpFile, ...]

    @property
    def statement_count(self) -> int:
        return sum(len(f.statements) for f in self.files)


def creation_changes(empty: Catalog, live: Catalog) -> list[Change]:
    """What builds ``live`` from ``empty``, in the plan's order.

    Routines are written whole: a migration may create one with its body unchecked
    (``SET LOCAL check_function_bodies``) when something needs it before the relations
    its body names exist; a schema folder is loaded with bodies unchecked anyway."""
    changes = diff_catalogs(empty, live, online=False)
    return [
        dataclasses.replace(c, params={**c.params, "unchecked": False})
        if c.operation == "function.create"
        else c
        for c in changes
    ]


def build_dump(empty: Catalog, live: Catalog, layout: Layout = Layout.by_table) -> Dump:
    """The files of ``live``'s dump: the plan from ``empty``, each statement in its home's file."""
    homes = Homes(live)
    grouped: dict[FileKey, list[str]] = {}
    paths: dict[FileKey, PurePosixPath] = {}
    for change in creation_changes(empty, live):
        home = homes.of(change)
        path = path_of(layout, home, change)
        key = file_key(layout, home, path)
        paths[key] = path
        grouped.setdefault(key, []).append(render(change))
    final = distinct_paths(paths)
    return Dump(_sorted(DumpFile(final[key], tuple(sql)) for key, sql in grouped.items()))


def _sorted(files: Iterable[DumpFile]) -> tuple[DumpFile, ...]:
    return tuple(sorted(files, key=lambda f: str(f.path)))
