"""The embedded dev server: found, started on loopback, and always stopped."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from schemactl.devdb.binaries import find_server_binaries
from schemactl.devdb.embedded import EmbeddedServer
from schemactl.errors import DevDatabaseError


def test_an_embedded_server_starts_on_loopback_and_is_removed_when_stopped() -> None:
    with EmbeddedServer() as server:
        folder = server.folder
        with psycopg.connect(server.url) as conn:
            assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
    assert folder is not None and not folder.exists()


def test_a_named_folder_without_server_binaries_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DevDatabaseError, match="holds no PostgreSQL server binaries"):
        find_server_binaries(str(tmp_path))


def test_missing_binaries_say_how_to_get_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PG_BIN", raising=False)
    monkeypatch.setattr("schemactl.devdb.binaries.candidate_dirs", lambda: [])
    with pytest.raises(
        DevDatabaseError, match="apt-get install postgresql.*brew install postgresql.*--dev-url"
    ):
        find_server_binaries()
