"""Reading ``schema/``: files, statements with their positions, and load order."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from schemactl import collector
from schemactl.source.files import find_schema_files
from schemactl.source.order import load_order
from schemactl.source.roles import read_role_declarations
from schemactl.source.statements import Skipped, Statement, read_source_file, read_statements

__all__ = [
    "DesiredState",
    "ReadingWatcher",
    "Skipped",
    "Statement",
    "find_schema_files",
    "load_order",
    "read_desired_source",
    "read_desired_state",
    "read_statements",
]


@dataclass(frozen=True)
class DesiredState:
    """A schema folder read: its statements in load order, and what was skipped."""

    statements: list[Statement]
    skipped: list[Skipped]


class ReadingWatcher(Protocol):
    """Told of the statements as they are read (see ``devdb.early_load``)."""

    def offer(self, statements: Sequence[Statement]) -> None: ...

    def ordered(self, statements: Sequence[Statement]) -> None: ...


def read_desired_source(
    schema_dir: Path, allow_empty: bool = False, watcher: ReadingWatcher | None = None
) -> DesiredState:
    """All statements of a schema folder, in an order PostgreSQL can load them, and
    the lines read but left out (psql meta-commands, a pg_dump --clean prelude).
    ``watcher`` is given each file's statements once parsed, then the load order."""
    with collector.paused():  # the trees: see schemactl.collector
        files = []
        for path in find_schema_files(schema_dir, allow_empty):
            files.append(read_source_file(path))
            if watcher is not None:
                watcher.offer(files[-1].statements)
        statements = [stmt for file in files for stmt in file.statements]
        read_role_declarations(statements)  # refuses contradictions and passwords now
        ordered = load_order(statements)
        if watcher is not None:
            watcher.ordered(ordered)
    return DesiredState(ordered, [s for file in files for s in file.skipped])


def read_desired_state(schema_dir: Path, allow_empty: bool = False) -> list[Statement]:
    """All statements of a schema folder, in an order PostgreSQL can load them."""
    return read_desired_source(schema_dir, allow_empty).statements
