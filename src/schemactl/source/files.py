"""Finding the SQL files that describe the desired state."""

from __future__ import annotations

from pathlib import Path

from schemactl.errors import SchemactlError


def find_schema_files(schema_dir: Path, allow_empty: bool = False) -> list[Path]:
    """Every ``*.sql`` below ``schema_dir``, recursively, in path order.

    A missing or empty folder is an error unless ``allow_empty``: a mistyped path
    must never turn into a plan that drops the whole database.
    """
    if not schema_dir.exists():
        raise SchemactlError(f"schema folder {schema_dir} does not exist")
    if not schema_dir.is_dir():
        raise SchemactlError(f"schema path {schema_dir} is not a folder")
    files = sorted(p for p in schema_dir.rglob("*.sql") if p.is_file())
    if not files and not allow_empty:
        raise SchemactlError(
            f"schema folder {schema_dir} holds no .sql files "
            "(pass --allow-empty to plan an empty database on purpose)"
        )
    return files
