"""What pg_dump prints is what schemactl compares: a rich schema built from empty by
``schemactl apply`` dumps exactly like the same file loaded as psql loads it.

Everything ``pg_dump --schema-only`` would print differently between two databases is
either compared (and so planned) or listed in the README as deliberately ignored. This
specification holds schemactl to it on a schema with what real applications use:
extensions (PostGIS), collations, casts, operators and operator classes, text search,
statistics targets, storage and compression, storage parameters, CLUSTER ON, extended
statistics, unlogged tables and sequences, partitions, inheritance, views, routines,
triggers, event triggers, row security, grants, publications and comments.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from schemactl.devdb.loader import ensure_roles
from tests.conformance.dump import canonical_schema, normalized_schema, pg_dump_schema
from tests.support import ICU, Server, execute, makes_icu_collations, run_cli

RICH_SCHEMA = Path(__file__).with_name("dump") / "rich_schema.sql"
ROLES = ("rich_app_reader",)
NEEDS = re.compile(r"--\s*needs:\s*(\w+)\s*$")

pytestmark = pytest.mark.version_matrix  # once per PostgreSQL major version (tests/conftest.py)


def _features(url: str) -> set[str]:
    """What the server offers of what some lines of the schema need."""
    offered = set()
    with psycopg.connect(url) as conn:
        if conn.info.server_version >= 150000:
            offered.add("pg15")
        if conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'").fetchone():
            offered.add("postgis")
        if makes_icu_collations(conn):
            offered.add(ICU)
    return offered


@pytest.fixture
def rich_schema(server: Server) -> str:
    """The schema's text without the lines that need what this server lacks."""
    offered = _features(server.url)
    return "\n".join(
        line
        for line in RICH_SCHEMA.read_text().splitlines()
        if (needs := NEEDS.search(line)) is None or needs.group(1) in offered
    )


@pytest.fixture
def loaded_by_psql(server: Server, database: str, rich_schema: str) -> Iterator[str]:
    """A second database with the rich schema loaded statement by statement, as psql does."""
    name = psycopg.conninfo.conninfo_to_dict(database)["dbname"] + "_psql"
    with psycopg.connect(server.url, autocommit=True) as conn:
        ensure_roles(conn, ROLES)
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    url = psycopg.conninfo.make_conninfo(database, dbname=name)
    execute(url, rich_schema)
    yield url
    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _schema_folder(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "schema"
    folder.mkdir()
    (folder / "schema.sql").write_text(text)
    return folder


def test_a_rich_schema_applied_from_empty_dumps_like_the_file_loaded_by_psql(
    server: Server,
    database: str,
    loaded_by_psql: str,
    rich_schema: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = _schema_folder(tmp_path, rich_schema)
    common = ["--schema", str(folder), "--database-url", database, "--dev-url", server.url]
    applied = run_cli(capsys, "apply", *common, "--auto-approve")
    assert applied.code == 0, applied.stderr or applied.stdout

    if normalized_schema(database) != normalized_schema(loaded_by_psql):
        applied_dump = canonical_schema(server.url, database)
        psql_dump = canonical_schema(server.url, loaded_by_psql)
        assert _difference(applied_dump, psql_dump) == ([], [])


def _difference(applied: list[str], psql: list[str]) -> tuple[list[str], list[str]]:
    """What only the applied database's dump has, and what only psql's has."""
    return sorted(set(applied) - set(psql)), sorted(set(psql) - set(applied))


def test_a_database_loaded_by_psql_shows_no_drift_against_its_own_file(
    server: Server,
    loaded_by_psql: str,
    rich_schema: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = _schema_folder(tmp_path, rich_schema)
    common = ["--schema", str(folder), "--database-url", loaded_by_psql, "--dev-url", server.url]
    drift = run_cli(capsys, "drift", *common, "--format", "json")
    assert drift.code == 0, drift.stdout + drift.stderr


def test_schemactl_dump_of_the_rich_schema_plans_empty_against_it(
    server: Server, loaded_by_psql: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dumped"
    dumped = run_cli(capsys, "dump", "--database-url", loaded_by_psql, "--out", str(out))
    assert dumped.code == 0, dumped.stderr
    common = ["--schema", str(out), "--database-url", loaded_by_psql, "--dev-url", server.url]
    planned = run_cli(capsys, "plan", *common, "--exit-code")
    assert planned.code == 0, planned.stdout + planned.stderr


def test_pg_dump_of_the_rich_schema_is_a_schema_folder_that_plans_empty_against_it(
    server: Server, loaded_by_psql: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "from_pg_dump"
    folder.mkdir()
    (folder / "dump.sql").write_text(pg_dump_schema(loaded_by_psql))
    common = ["--schema", str(folder), "--database-url", loaded_by_psql, "--dev-url", server.url]
    planned = run_cli(capsys, "plan", *common, "--exit-code")
    assert planned.code == 0, planned.stdout + planned.stderr
