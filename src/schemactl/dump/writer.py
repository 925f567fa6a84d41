"""Writing a dump to a folder: everything rendered first, then written at once.

A folder that already holds ``.sql`` files is refused unless the caller asks to
replace them: a dump is the whole schema, so files left over from an earlier
dump (a table since dropped) would bring the table back.
"""

from __future__ import annotations

from pathlib import Path

from schemactl.dump.build import Dump
from schemactl.errors import SchemactlError


def existing_sql_files(folder: Path) -> list[Path]:
    if not folder.exists():
        return []
    if not folder.is_dir():
        raise SchemactlError(f"{folder} exists and is not a folder")
    return sorted(p for p in folder.rglob("*.sql") if p.is_file())


def write_dump(dump: Dump, folder: Path, replace: bool = False) -> None:
    """Write ``dump`` into ``folder``; with ``replace``, its old ``.sql`` files go first."""
    existing = existing_sql_files(folder)
    if existing and not replace:
        raise SchemactlError(
            f"{folder} already holds {len(existing)} .sql file(s); "
            "pass --force to replace them with the dump, or choose another --out"
        )
    try:
        for path in existing:
            path.unlink()
        _remove_empty_folders(folder)
        for file in dump.files:
            target = folder.joinpath(*file.path.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(file.text, encoding="utf-8")
    except OSError as exc:
        raise SchemactlError(f"cannot write the dump to {folder}: {exc.strerror}") from None


def _remove_empty_folders(folder: Path) -> None:
    """Folders an earlier dump made and the new one may not need."""
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
