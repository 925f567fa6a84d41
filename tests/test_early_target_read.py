"""``plan`` and ``drift`` read the target from the moment they know it, when the files
look unchanged since the last parse.

The guess is made from modification times and decides only what starts early: the plan
is the one the command would have made, and errors are reported as they were.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from schemactl.config import Scope
from schemactl.live_reads import LiveDatabase, LiveReads
from schemactl.unchanged_files import FACTS_FOLDER, looks_unchanged
from tests.support import Server, execute, run_cli, write_schema
from tests.test_live_reads import UNREACHABLE, schemactl_sessions

Capsys = pytest.CaptureFixture[str]

SCHEMA = """
CREATE TABLE account (id bigint PRIMARY KEY, email text NOT NULL CHECK (email LIKE '%@%'));
CREATE INDEX account_email ON account (lower(email));
"""


@pytest.fixture(autouse=True)
def own_cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("SCHEMACTL_NO_CACHE", raising=False)
    return tmp_path / "cache" / "schemactl"


@pytest.fixture
def early_reads(monkeypatch: pytest.MonkeyPatch) -> list[LiveReads]:
    """The early reads the commands begin, as they begin them."""
    begun: list[LiveReads] = []
    original = LiveReads.__init__

    def recorded(self: LiveReads, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        begun.append(self)

    monkeypatch.setattr(LiveReads, "__init__", recorded)
    return begun


def _kept_facts_at(cache: Path, seconds: float) -> None:
    folder = cache / FACTS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    entry = folder / "0.facts"
    entry.write_bytes(b"")
    os.utime(entry, (seconds, seconds))


def test_files_older_than_the_newest_kept_facts_look_unchanged(
    schema_dir: Path, own_cache_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nested = schema_dir / "10_tables"
    nested.mkdir()
    for path in (write_schema(schema_dir, SCHEMA), write_schema(nested, SCHEMA, "more.sql")):
        os.utime(path, (1_000, 1_000))
    assert not looks_unchanged(schema_dir)  # nothing kept yet: a first run

    _kept_facts_at(own_cache_folder, 2_000)
    assert looks_unchanged(schema_dir)
    assert not looks_unchanged(schema_dir, cache=False)
    monkeypatch.setenv("SCHEMACTL_NO_CACHE", "1")
    assert not looks_unchanged(schema_dir)
    monkeypatch.delenv("SCHEMACTL_NO_CACHE")

    os.utime(nested / "more.sql", (3_000, 3_000))  # edited since
    assert not looks_unchanged(schema_dir)


def test_an_empty_or_missing_folder_never_looks_unchanged(
    tmp_path: Path, schema_dir: Path, own_cache_folder: Path
) -> None:
    _kept_facts_at(own_cache_folder, 2_000)
    assert not looks_unchanged(schema_dir)
    assert not looks_unchanged(tmp_path / "missing")


def test_a_plan_of_unchanged_files_reads_the_target_early_and_plans_as_before(
    server: Server, database: str, schema_dir: Path, capsys: Capsys, early_reads: list[LiveReads]
) -> None:
    write_schema(schema_dir, SCHEMA)
    execute(database, "CREATE TABLE account (id bigint PRIMARY KEY)")
    args = ["--schema", str(schema_dir), "--database-url", database, "--dev-url", server.url]

    first = run_cli(capsys, "plan", *args, "--format", "sql")
    assert first.code == 0 and "ADD COLUMN email" in first.stdout, first.stderr
    assert not early_reads  # the files were parsed: the target was read beside the load

    again = run_cli(capsys, "plan", *args, "--format", "sql")
    assert len(early_reads) == 1
    assert again.code == 0 and again.stdout == first.stdout

    assert run_cli(capsys, "drift", *args).code == 2
    assert len(early_reads) == 2
    assert schemactl_sessions(database) == 0


def test_an_early_read_of_an_unreachable_target_fails_in_one_line_without_the_password(
    schema_dir: Path, capsys: Capsys, early_reads: list[LiveReads]
) -> None:
    write_schema(schema_dir, SCHEMA)
    args = ["plan", "--schema", str(schema_dir), "--database-url", UNREACHABLE]
    assert run_cli(capsys, *args).code == 1  # the files were read, and their facts kept

    result = run_cli(capsys, *args)

    assert len(early_reads) == 1
    assert result.code == 1 and result.stderr.count("error:") == 1
    assert result.stderr.startswith("error: cannot connect to the target database at 127.0.0.1:1")
    assert "Sekr3t" not in result.stdout + result.stderr


def test_reads_left_untaken_are_abandoned_and_their_connections_closed(database: str) -> None:
    with LiveReads([LiveDatabase(database)], Scope()) as reads:
        pass  # as when bad input is reported before the target is taken
    reads._pool.shutdown(wait=True)  # the connection was made, and the read done
    assert schemactl_sessions(database) == 0
