"""Reading ``schema/``: files, statements with their positions, and load order."""

from dataclasses import dataclass
from pathlib import Path

from schemactl import collector
from schemactl.source.files import find_schema_files
from schemactl.source.order import load_order
from schemactl.source.roles import read_role_declarations
from schemactl.source.statements import Skipped, Statement, read_source_file, read_statements

__all__ = [
    "DesiredState",
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


def read_desired_source(schema_dir: Path, allow_empty: bool = False) -> DesiredState:
    """All statements of a schema folder, in an order PostgreSQL can load them, and
    the lines read but left out (psql meta-commands, a pg_dump --clean prelude)."""
    with collector.paused():  # the trees: see schemactl.collector
        files = [read_source_file(path) for path in find_schema_files(schema_dir, allow_empty)]
        statements = [stmt for file in files for stmt in file.statements]
        read_role_declarations(statements)  # refuses contradictions and passwords now
        ordered = load_order(statements)
    return DesiredState(ordered, [s for file in files for s in file.skipped])


def read_desired_state(schema_dir: Path, allow_empty: bool = False) -> list[Statement]:
    """All statements of a schema folder, in an order PostgreSQL can load them."""
    return read_desired_source(schema_dir, allow_empty).statements
