"""Running test files in a database: each test in a transaction that is rolled back.

Every statement runs in a savepoint, so an expected error does not end the test;
the role and settings a test states are applied (``SET LOCAL ROLE``,
``set_config(..., true)``) before each statement. Nothing a test does survives
it: fixtures are the only data loaded for good.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import errors, sql

from schemactl.errors import SchemactlError, SchemaSourceError, SourceLocation
from schemactl.source.statements import read_statements_unchecked
from schemactl.testing.files import Expectation, SqlStep, SqlTest, TestFile
from schemactl.testing.tap import TapResult, parse_tap


@dataclass(frozen=True)
class TestOutcome:
    """One test's result: a named SQL test, or one pgTAP assertion."""

    file: str
    name: str
    location: SourceLocation
    passed: bool
    message: str = ""
    duration_ms: int = 0
    skipped: bool = False


@dataclass
class TestReport:
    outcomes: list[TestOutcome] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(1 for o in self.outcomes if o.passed and not o.skipped)

    @property
    def failed(self) -> int:
        return sum(1 for o in self.outcomes if not o.passed)

    @property
    def skipped(self) -> int:
        return sum(1 for o in self.outcomes if o.skipped)

    @property
    def ok(self) -> bool:
        return self.failed == 0

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "failed": self.failed,
            "skipped": self.skipped,
            "tests": [
                {
                    "file": o.file,
                    "name": o.name,
                    "location": str(o.location),
                    "status": "skipped" if o.skipped else "passed" if o.passed else "failed",
                    "message": o.message,
                    "duration_ms": o.duration_ms,
                }
                for o in self.outcomes
            ],
        }


def load_fixtures(conn: psycopg.Connection, fixtures: Iterable[Path]) -> None:
    """Run fixture files as the connecting role and keep what they insert."""
    for path in fixtures:
        for statement in read_statements_unchecked(path):
            try:
                with conn.transaction():
                    conn.execute(statement.sql.encode())
            except psycopg.Error as exc:
                message = exc.diag.message_primary or str(exc).strip()
                raise SchemaSourceError(
                    statement.location(), f"fixture failed: {message}"
                ) from None


def run_tests(conn: psycopg.Connection, files: Iterable[TestFile]) -> TestReport:
    """Run every test of every file; a failing test never stops the others."""
    report = TestReport()
    for test_file in files:
        if test_file.is_pgtap:
            report.outcomes.extend(_run_pgtap(conn, test_file))
        else:
            report.outcomes.extend(_run_sql_test(conn, test_file.path, t) for t in test_file.tests)
    return report


def _apply_context(conn: psycopg.Connection, step: SqlStep) -> None:
    if step.role:
        conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(step.role)))
    else:
        conn.execute("RESET ROLE")
    for name, value in step.settings:
        conn.execute("SELECT set_config(%s, %s, true)", (name, value))


def _run_sql_test(conn: psycopg.Connection, path: Path, test: SqlTest) -> TestOutcome:
    started = time.monotonic()
    failure = ""
    try:
        with conn.transaction(force_rollback=True):
            for step in test.steps:
                failure = _run_step(conn, step)
                if failure:
                    failure = f"{step.location}: {failure}"
                    break
    except psycopg.Error as exc:  # the role or a setting could not be applied
        failure = f"{test.location}: {' '.join(str(exc).split())}"
    duration = int((time.monotonic() - started) * 1000)
    return TestOutcome(str(path), test.name, test.location, not failure, failure, duration)


def _run_step(conn: psycopg.Connection, step: SqlStep) -> str:
    """Run one statement; the reason it did not meet its expectation, or ''."""
    _apply_context(conn, step)
    try:
        with conn.transaction():
            cursor = conn.execute(step.sql.encode())
            rows = cursor.fetchall() if cursor.description else None
            count = len(rows) if rows is not None else max(cursor.rowcount, 0)
    except psycopg.Error as exc:
        return _check_error(step.expect, exc)
    return _check_result(step.expect, rows, count)


def _check_error(expect: Expectation, exc: psycopg.Error) -> str:
    state = exc.diag.sqlstate or ""
    message = " ".join((exc.diag.message_primary or str(exc)).split())
    if expect.kind != "error":
        return f"expected {expect.describe()}, got error {state}: {message}"
    if not expect.error:
        return ""
    wanted = expect.error
    if not (len(wanted) == 5 and wanted[:2].isalnum() and wanted.upper() == wanted):
        try:
            wanted = errors.lookup(wanted.upper()).sqlstate or wanted
        except KeyError:
            return f"unknown error condition {expect.error!r}"
    if state == wanted:
        return ""
    return f"expected error {expect.error}, got error {state}: {message}"


_COMPARE = {
    "=": lambda a, b: a == b,
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
}


def _check_result(expect: Expectation, rows: list[Any] | None, count: int) -> str:
    if expect.kind == "error":
        return f"expected {expect.describe()}, but the statement succeeded ({count} rows)"
    if expect.kind == "rows" and not _COMPARE[expect.operator](count, expect.count):
        return f"expected {expect.describe()}, got {count}"
    if expect.kind == "value":
        if not rows or len(rows) != 1 or len(rows[0]) < 1:
            return f"expected {expect.describe()}, got {count} rows"
        got = _as_text(rows[0][0])
        if got != expect.value:
            return f"expected {expect.describe()}, got {got}"
    return ""


def _as_text(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _run_pgtap(conn: psycopg.Connection, test_file: TestFile) -> list[TestOutcome]:
    lines: list[str] = []
    error = ""
    first = test_file.pgtap_statements[0][1]
    try:
        with conn.transaction(force_rollback=True):
            for statement, where in test_file.pgtap_statements:
                try:
                    cursor = conn.execute(statement.encode())
                except psycopg.Error as exc:
                    error = f"{where}: {' '.join(str(exc).split())}"
                    break
                for row in cursor.fetchall() if cursor.description else ():
                    lines.extend(str(v) for v in row if isinstance(v, str))
    except psycopg.Error as exc:
        error = error or f"{first}: {' '.join(str(exc).split())}"
    result = parse_tap("\n".join(lines))
    return _tap_outcomes(test_file.path, first, result, error)


def _tap_outcomes(
    path: Path, where: SourceLocation, result: TapResult, error: str
) -> list[TestOutcome]:
    outcomes = [
        TestOutcome(
            str(path),
            a.description or f"assertion {a.number}",
            where,
            a.ok,
            a.diagnostics,
            skipped=a.skipped,
        )
        for a in result.assertions
    ]
    problem = error or result.problem
    if problem:
        outcomes.append(TestOutcome(str(path), "pgTAP plan", where, False, problem))
    return outcomes


def ensure_pgtap(conn: psycopg.Connection) -> None:
    """pgTAP files need the extension in the dev database."""
    row = conn.execute(
        "SELECT installed_version IS NOT NULL, true FROM pg_available_extensions "
        "WHERE name = 'pgtap'"
    ).fetchone()
    if row is None:
        version = conn.execute("SHOW server_version").fetchone()
        major = str(version[0]).split(".")[0] if version else "NN"
        raise SchemactlError(
            f"the tests include pgTAP files, and pgTAP is not available on the dev server "
            f"(PostgreSQL {major}): install it there (Debian: postgresql-{major}-pgtap) "
            "or pass --dev-url to a server that has it"
        )
    if not row[0]:
        conn.execute("CREATE EXTENSION pgtap")
