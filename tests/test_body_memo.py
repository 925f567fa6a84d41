"""What routine bodies name is kept by their text: a database whose routines were read
before is read again without parsing them, and reads the same."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from schemactl.catalog.readers.body_memo import MEMO
from tests.support import catalog_of, execute

ROUTINES = """
CREATE FUNCTION price(n int) RETURNS int LANGUAGE sql AS $$ SELECT n * 2 $$;
CREATE FUNCTION total(n int) RETURNS int LANGUAGE sql AS $$ SELECT price(n) + 1 $$;
CREATE FUNCTION audited() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM total(1); RETURN NEW; END $$;
"""

# Reads the database in a fresh process; says whether PostgreSQL's parser was imported.
PROBE = """
import sys
from schemactl.catalog import introspect
import psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    catalog = introspect(conn)
for signature, function in sorted(catalog.functions.items()):
    print(signature, function.calls)
print("parser imported:", "pglast.parser" in sys.modules, file=sys.stderr)
"""


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("SCHEMACTL_NO_CACHE", raising=False)
    return tmp_path / "cache" / "schemactl" / "routine-bodies"


def read_in_a_new_process(database: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROBE, database],
        capture_output=True, text=True, check=True, env={**os.environ, **env},
    )  # fmt: skip


def test_routines_read_before_are_read_again_without_the_parser(database: str, cache: Path) -> None:
    execute(database, ROUTINES)

    first = read_in_a_new_process(database)
    again = read_in_a_new_process(database)

    assert first.stderr.strip() == "parser imported: True"
    assert again.stderr.strip() == "parser imported: False"
    assert again.stdout == first.stdout
    assert "public.total(n integer) ('public.price(n integer)',)" in again.stdout


def test_a_damaged_memo_is_read_as_none(database: str, cache: Path) -> None:
    execute(database, ROUTINES)
    read_in_a_new_process(database)
    (kept,) = cache.iterdir()
    kept.write_bytes(kept.read_bytes()[:-20] + b"damaged at the end..")

    again = read_in_a_new_process(database)

    assert again.stderr.strip() == "parser imported: True"
    assert "public.total(n integer) ('public.price(n integer)',)" in again.stdout


def test_no_cache_parses_every_body(database: str, cache: Path) -> None:
    execute(database, ROUTINES)
    read_in_a_new_process(database)

    again = read_in_a_new_process(database, SCHEMACTL_NO_CACHE="1")

    assert again.stderr.strip() == "parser imported: True"


def test_the_memo_answers_as_parsing_does(database: str, cache: Path) -> None:
    execute(database, ROUTINES)
    parsed = catalog_of(database).functions
    remembered = catalog_of(database).functions

    assert remembered == parsed
    assert MEMO.answer(("sql", "not parsed"), lambda: "computed") == "computed"
