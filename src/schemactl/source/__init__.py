"""Reading ``schema/``: files, statements with their positions, and load order."""

from pathlib import Path

from schemactl.source.files import find_schema_files
from schemactl.source.order import load_order
from schemactl.source.statements import Statement, read_statements

__all__ = ["Statement", "find_schema_files", "load_order", "read_desired_state", "read_statements"]


def read_desired_state(schema_dir: Path, allow_empty: bool = False) -> list[Statement]:
    """All statements of a schema folder, in an order PostgreSQL can load them."""
    files = find_schema_files(schema_dir, allow_empty=allow_empty)
    statements = [stmt for path in files for stmt in read_statements(path)]
    return load_order(statements)
