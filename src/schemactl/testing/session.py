"""A test session: the desired state in a dev database, fixtures, then the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from schemactl.config import Scope
from schemactl.db import connect
from schemactl.devdb import dev_database, load_desired_state
from schemactl.pipeline import DesiredSource, external_objects_at, schema_extensions
from schemactl.testing.files import read_test_folder
from schemactl.testing.runner import TestReport, ensure_pgtap, load_fixtures, run_tests


@dataclass(frozen=True)
class TestRequest:
    source: DesiredSource
    tests_dir: Path
    scope: Scope = field(default_factory=Scope)
    # Where objects the schema uses but schemactl does not manage are read from.
    database_url: str | None = None


def run_test_session(request: TestRequest) -> TestReport:
    """Read everything first (bad input is reported before a server starts), then run."""
    statements = request.source.statements
    fixtures, files = read_test_folder(request.tests_dir)
    external = external_objects_at(request.database_url, statements, request.scope)
    with dev_database(
        request.source.dev_url,
        request.source.pg_bin,
        major=request.source.pg_version,
        extensions=schema_extensions(statements, external),
    ) as dev:
        load_desired_state(dev.url, statements, external)
        conn = connect(dev.url, "dev database", autocommit=True)
        try:
            if any(f.is_pgtap for f in files):
                ensure_pgtap(conn)
            load_fixtures(conn, fixtures)
            return run_tests(conn, files)
        finally:
            conn.close()
