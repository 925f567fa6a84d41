"""Reading test files: statements with the directives written above them.

A test file is plain SQL. Comment lines directly above a statement say how to
run it and what must happen::

    -- test: a user sees only their own trips
    -- as: app_user
    -- set: app.user_id = '00000000-0000-0000-0000-00000000000a'
    -- expect: 1 row
    SELECT * FROM trips;

``-- test: NAME`` starts a test (statements before the first one form a test named
after the file). ``-- as:`` and ``-- set:`` hold for the rest of the test
(``-- as: owner`` goes back to the connecting role). ``-- expect:`` holds for the
next statement only; a statement without one must succeed. Expectations:
``N rows`` / ``rows = N`` / ``rows >= N`` / ``rows > N`` / ``rows <= N`` /
``rows < N``, ``ok``, ``error`` / ``error 42501`` / ``error insufficient_privilege``,
``value = TEXT`` (the single value the statement returns, as text).

A file that calls pgTAP's ``plan()`` or ``no_plan()`` is a pgTAP file instead:
its assertions are the tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from schemactl.errors import SchemaSourceError, SourceLocation
from schemactl.source.pglast_modules import ast
from schemactl.source.statements import Statement, location_of, read_statements_unchecked
from schemactl.source.syntax import walk

FIXTURES_FOLDER = "fixtures"
OWNER_ROLE = "owner"  # `-- as: owner` runs as the connecting role again

_DIRECTIVE = re.compile(r"^\s*--\s*(test|as|set|expect)\s*:\s*(.*?)\s*$", re.I)
_SETTING = re.compile(r"^(?P<name>[A-Za-z_][\w.]*)\s*(=|\bto\b)\s*(?P<value>.*)$", re.I)
_ROW_COUNT = re.compile(
    r"^(?:(?P<n>\d+|no)\s+rows?|rows\s*(?P<op>=|>=|<=|>|<)\s*(?P<m>\d+))$", re.I
)
_ERROR = re.compile(r"^error(?:\s+(?P<code>[\w]+))?$", re.I)
_VALUE = re.compile(r"^value\s*=\s*(?P<value>.*)$", re.I)


@dataclass(frozen=True)
class Expectation:
    """What must happen when a statement runs."""

    kind: str  # "ok" | "rows" | "error" | "value"
    operator: str = "="
    count: int = 0
    error: str = ""  # SQLSTATE or condition name; empty: any error
    value: str = ""

    def describe(self) -> str:
        if self.kind == "rows":
            return f"rows {self.operator} {self.count}"
        if self.kind == "error":
            return f"error {self.error}".strip()
        if self.kind == "value":
            return f"value = {self.value}"
        return "ok"


@dataclass(frozen=True)
class SqlStep:
    """One statement of a test, with the role and settings it runs under."""

    sql: str
    location: SourceLocation
    role: str | None
    settings: tuple[tuple[str, str], ...]
    expect: Expectation


@dataclass
class SqlTest:
    name: str
    location: SourceLocation
    steps: list[SqlStep] = field(default_factory=list)


@dataclass(frozen=True)
class TestFile:
    path: Path
    tests: tuple[SqlTest, ...] = ()
    pgtap_statements: tuple[tuple[str, SourceLocation], ...] = ()

    @property
    def is_pgtap(self) -> bool:
        return bool(self.pgtap_statements)


def parse_expectation(text: str, where: SourceLocation) -> Expectation:
    """The expectation spelled after ``-- expect:``; anything else is a clear error."""
    spelled = " ".join(text.split())
    if spelled.lower() == "ok":
        return Expectation("ok")
    if match := _ROW_COUNT.match(spelled):
        if match["op"]:
            return Expectation("rows", match["op"], int(match["m"]))
        count = 0 if match["n"].lower() == "no" else int(match["n"])
        return Expectation("rows", "=", count)
    if match := _ERROR.match(spelled):
        return Expectation("error", error=match["code"] or "")
    if match := _VALUE.match(spelled):
        return Expectation("value", value=_unquote(match["value"]))
    raise SchemaSourceError(
        where,
        f"unknown expectation {text!r} (use: N rows, rows >= N, ok, error [SQLSTATE|name], "
        "value = TEXT)",
    )


def _unquote(value: str) -> str:
    value = value.strip().rstrip(";").strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1].replace(value[0] * 2, value[0])
    return value


def _directives(
    text: str, start: int, end: int, path: Path
) -> list[tuple[str, str, SourceLocation]]:
    """The directive comments between two statements, in order, with their places."""
    found = []
    offset = start
    for line in text[start:end].splitlines(keepends=True):
        if match := _DIRECTIVE.match(line):
            found.append((match[1].lower(), match[2], location_of(path, text, offset)))
        offset += len(line)
    return found


def _calls_pgtap_plan(tree: object) -> bool:
    return any(
        isinstance(node, ast.FuncCall)
        and node.funcname
        and getattr(node.funcname[-1], "sval", "") in ("plan", "no_plan")
        for node in walk(tree)
    )


def read_test_file(path: Path) -> TestFile:
    """Parse one test file; a syntax error names file:line:column."""
    statements = read_statements_unchecked(path)
    if any(_calls_pgtap_plan(s.node) for s in statements):
        return TestFile(
            path,
            pgtap_statements=tuple(
                (s.sql, s.location())
                for s in statements
                if not isinstance(s.node, ast.TransactionStmt)  # the runner owns the transaction
            ),
        )
    return TestFile(path, tests=tuple(_sql_tests(path, statements)))


def _sql_tests(path: Path, statements: list[Statement]) -> list[SqlTest]:
    tests: list[SqlTest] = []
    current: SqlTest | None = None
    role: str | None = None
    settings: dict[str, str] = {}
    previous_end = 0
    for statement in statements:
        text = statement.source
        expect = Expectation("ok")
        for name, value, where in _directives(text, previous_end, statement.offset, path):
            if name == "test":
                current = SqlTest(value or path.stem, where)
                tests.append(current)
                role, settings = None, {}
            elif name == "as":
                role = None if value.lower() == OWNER_ROLE else value.strip('"')
            elif name == "set":
                match = _SETTING.match(value)
                if not match:
                    raise SchemaSourceError(
                        where, f"expected `-- set: name = value`, got {value!r}"
                    )
                settings[match["name"]] = _unquote(match["value"])
            else:
                expect = parse_expectation(value, where)
        previous_end = statement.offset + len(statement.sql)
        where = statement.location()
        if current is None:
            current = SqlTest(path.stem, where)
            tests.append(current)
        current.steps.append(SqlStep(statement.sql, where, role, tuple(settings.items()), expect))
    return tests


def read_test_folder(folder: Path) -> tuple[list[Path], list[TestFile]]:
    """Fixture files (``fixtures/*.sql``) and test files (every other ``*.sql``, recursively),
    each in name order."""
    if not folder.is_dir():
        raise SchemaSourceError(SourceLocation(str(folder), 1, 1), "tests folder does not exist")
    fixtures_dir = folder / FIXTURES_FOLDER
    fixtures = sorted(fixtures_dir.glob("*.sql")) if fixtures_dir.is_dir() else []
    test_paths = sorted(
        p for p in folder.rglob("*.sql") if fixtures_dir not in p.parents and p.is_file()
    )
    return fixtures, [read_test_file(p) for p in test_paths]
