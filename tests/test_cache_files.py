"""Cache entries are keyed by schemactl's own code: other code never reads them.

The key counts each code file by its path, size and modification time, as CPython's
own ``.pyc`` files do; a file edited, added, removed or merely touched is other code.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from schemactl.cache_files import CacheFile, code_digest, folder_digest


@pytest.fixture
def package(tmp_path: Path) -> Path:
    folder = tmp_path / "package"
    (folder / "catalog" / "queries").mkdir(parents=True)
    (folder / "__init__.py").write_text("VERSION = 1\n")
    (folder / "catalog" / "queries" / "tables.sql").write_text("SELECT 1\n")
    return folder


def test_the_same_files_give_the_same_digest(package: Path) -> None:
    assert folder_digest(str(package), "1.0") == folder_digest(str(package), "1.0")


def test_another_version_number_is_other_code(package: Path) -> None:
    assert folder_digest(str(package), "1.0") != folder_digest(str(package), "1.1")


def test_an_edited_file_is_other_code(package: Path) -> None:
    before = folder_digest(str(package), "1.0")
    (package / "catalog" / "queries" / "tables.sql").write_text("SELECT 2, 3\n")
    assert folder_digest(str(package), "1.0") != before


def test_a_file_touched_with_the_same_size_is_other_code(package: Path) -> None:
    query = package / "catalog" / "queries" / "tables.sql"
    before = folder_digest(str(package), "1.0")
    stat = query.stat()
    os.utime(query, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert folder_digest(str(package), "1.0") != before


def test_an_added_or_removed_code_file_is_other_code(package: Path) -> None:
    before = folder_digest(str(package), "1.0")
    added = package / "catalog" / "model.py"
    added.write_text("")
    with_added = folder_digest(str(package), "1.0")
    added.unlink()
    assert with_added != before
    assert folder_digest(str(package), "1.0") == before


def test_compiled_files_and_other_files_do_not_count(package: Path) -> None:
    before = folder_digest(str(package), "1.0")
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    (package / "notes.txt").write_text("not code")
    assert folder_digest(str(package), "1.0") == before


def test_an_entry_written_under_another_code_digest_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "entry"
    CacheFile(path, "facts", "key-" + code_digest()).store({"tables": 3})
    assert CacheFile(path, "facts", "key-other").load() is None
    assert not path.exists()  # removed, to be written again
