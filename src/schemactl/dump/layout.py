"""Where each statement of a dump is written, for each layout.

- ``by-table`` (default): a folder per schema; a file per table (its columns,
  constraints, indexes, triggers, policies, comments, grants), per view,
  materialized view, function name (overloads together), type and sequence;
  extensions, event triggers, roles and pg_cron jobs in files of their own at the top.
- ``by-kind``: a folder per schema, a file per kind of statement
  (``tables.sql``, ``indexes.sql``, ``policies.sql``, ...).
- ``single``: everything in ``schema.sql``.

Names are the objects' own names, made safe for every file system; two names that
would collide (``Users`` and ``users`` on a case-insensitive disk) are told apart by
a numbered suffix, assigned in sorted order, so the same database always gives the
same paths.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import PurePosixPath

from schemactl.diff.changes import Change
from schemactl.dump.homes import Home, Kind


class Layout(StrEnum):
    by_table = "by-table"
    by_kind = "by-kind"
    single = "single"


SINGLE_FILE = "schema.sql"

# by-table: the folder of each kind of home inside its schema's folder.
_FOLDERS = {
    Kind.TABLE: "tables",
    Kind.VIEW: "views",
    Kind.MATERIALIZED_VIEW: "materialized_views",
    Kind.FUNCTION: "functions",
    Kind.TYPE: "types",
    Kind.SEQUENCE: "sequences",
}
# Homes that belong to no schema, at the top of the dump.
_TOP_FOLDERS = {Kind.EXTENSION: "extensions", Kind.EVENT_TRIGGER: "event_triggers"}

# by-kind: the file of each template (the first part of a change's operation).
_KIND_FILES = {
    "schema": "schema",
    "extension": "extensions",
    "type": "types",
    "domain": "types",
    "sequence": "sequences",
    "table": "tables",
    "column": "tables",
    "partition": "tables",
    "constraint": "constraints",
    "index": "indexes",
    "function": "functions",
    "trigger": "triggers",
    "policy": "policies",
    "comment": "comments",
    "grant": "privileges",
}
_VIEW_FILES = {Kind.VIEW: "views", Kind.MATERIALIZED_VIEW: "materialized_views"}

_UNSAFE = re.compile(r"[^\w.-]+")


def safe_name(name: str) -> str:
    """A file or folder name for an object name: word characters, dots and dashes."""
    cleaned = _UNSAFE.sub("_", name).lstrip(".")
    return cleaned or "_"


def _schema_folder(home: Home) -> PurePosixPath:
    return PurePosixPath(safe_name(home.schema or "_"))


def by_table_path(home: Home) -> PurePosixPath:
    if home.kind in _FOLDERS:
        return _schema_folder(home) / _FOLDERS[home.kind] / f"{safe_name(home.name)}.sql"
    if home.kind in _TOP_FOLDERS:
        return PurePosixPath(_TOP_FOLDERS[home.kind]) / f"{safe_name(home.name)}.sql"
    if home.kind == Kind.SCHEMA:
        return _schema_folder(home) / "schema.sql"
    if home.kind == Kind.DEFAULT_PRIVILEGES:
        if home.schema is None:
            return PurePosixPath("default_privileges.sql")
        return _schema_folder(home) / "default_privileges.sql"
    if home.kind == Kind.ROLE:
        return PurePosixPath("roles.sql")
    if home.kind == Kind.JOB:
        return PurePosixPath("jobs.sql")
    return PurePosixPath("other.sql")


def by_kind_path(home: Home, change: Change) -> PurePosixPath:
    template = change.operation.split(".", 1)[0]
    if home.kind in (Kind.EXTENSION, Kind.EVENT_TRIGGER, Kind.ROLE, Kind.JOB, Kind.OTHER):
        return by_table_path(home)
    if home.kind == Kind.DEFAULT_PRIVILEGES:
        return by_table_path(home)
    if template == "view" or (template == "index" and home.kind in _VIEW_FILES):
        name = _VIEW_FILES.get(home.kind, "views")
    else:
        name = _KIND_FILES.get(template, "other")
    return _schema_folder(home) / f"{name}.sql"


def path_of(layout: Layout, home: Home, change: Change) -> PurePosixPath:
    if layout is Layout.single:
        return PurePosixPath(SINGLE_FILE)
    if layout is Layout.by_kind:
        return by_kind_path(home, change)
    return by_table_path(home)


FileKey = Home | PurePosixPath


def file_key(layout: Layout, home: Home, path: PurePosixPath) -> FileKey:
    """What makes a file one file: its object, where the layout gives each object a file
    of its own (so two objects whose names clean up alike still get two files)."""
    if layout is Layout.by_table and home.kind in _FOLDERS | _TOP_FOLDERS:
        return home
    return path


def distinct_paths(files: dict[FileKey, PurePosixPath]) -> dict[FileKey, PurePosixPath]:
    """Number the paths of files that would collide, letter case ignored, in sorted order."""
    taken: set[str] = set()
    result: dict[FileKey, PurePosixPath] = {}
    for key, path in sorted(files.items(), key=lambda item: (str(item[1]), str(item[0]))):
        candidate, number = path, 1
        while str(candidate).casefold() in taken:
            number += 1
            candidate = path.with_name(f"{path.stem}_{number}{path.suffix}")
        taken.add(str(candidate).casefold())
        result[key] = candidate
    return result
