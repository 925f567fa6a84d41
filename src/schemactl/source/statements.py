"""Splitting schema files into statements, with file:line:column for every error.

pglast (the PostgreSQL parser itself) splits the files, so what we accept is
exactly what the server's grammar accepts. Statements that do not describe a
declarative schema (data changes, drops, transaction control) are refused here,
before anything reaches a database. What pg_dump output holds besides declarations
(psql meta-commands, its --clean prelude, a framework's bookkeeping rows) is
skipped with a reason instead (see ``psql`` and ``dumps``).
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from psycopg import sql

from schemactl.errors import SchemaSourceError, SourceLocation
from schemactl.source.calls import is_declared_call
from schemactl.source.dumps import (
    is_session_setting,
    public_schema_owner,
    skip_reason,
    written_by_pg_dump,
)
from schemactl.source.pglast_modules import ast, parser
from schemactl.source.psql import blank_meta_commands
from schemactl.source.roles import DO_ROLE_HINT, is_role_statement
from schemactl.source.syntax import walked

if TYPE_CHECKING:
    from schemactl.source.order import StatementNames


# Statement node types that describe schema objects.
DECLARATIVE = frozenset(
    {
        "AlterDefaultPrivilegesStmt",
        "AlterDomainStmt",
        "AlterEnumStmt",
        "AlterExtensionStmt",
        "AlterFunctionStmt",
        "AlterObjectSchemaStmt",
        "AlterOwnerStmt",
        "AlterPolicyStmt",
        "AlterSeqStmt",
        "AlterTableStmt",
        "AlterEventTrigStmt",
        "CommentStmt",
        "CompositeTypeStmt",
        "CreateCastStmt",
        "CreateDomainStmt",
        "CreateEnumStmt",
        "CreateEventTrigStmt",
        "CreateExtensionStmt",
        "CreateFunctionStmt",
        "CreatePolicyStmt",
        "CreateRangeStmt",
        "CreateSchemaStmt",
        "CreateSeqStmt",
        "CreateStmt",
        "CreateTableAsStmt",
        "CreateTrigStmt",
        "DefineStmt",
        "GrantStmt",
        "IndexStmt",
        "RuleStmt",
        "ViewStmt",
        "AlterStatsStmt",
        "CreateStatsStmt",
        "AlterOpFamilyStmt",
        "AlterOperatorStmt",
        "AlterPublicationStmt",
        "AlterTSConfigurationStmt",
        "AlterTSDictionaryStmt",
        "CreateOpClassStmt",
        "CreateOpFamilyStmt",
        "CreatePublicationStmt",
    }
)

_REFUSED_REASON = {
    "InsertStmt": "data changes (INSERT) do not belong in a declarative schema",
    "UpdateStmt": "data changes (UPDATE) do not belong in a declarative schema",
    "DeleteStmt": "data changes (DELETE) do not belong in a declarative schema",
    "MergeStmt": "data changes (MERGE) do not belong in a declarative schema",
    "TruncateStmt": "TRUNCATE does not belong in a declarative schema",
    "CopyStmt": "COPY does not belong in a declarative schema",
    "DropStmt": "DROP does not belong in a declarative schema: remove the object's definition instead "
    "(a pg_dump --clean prelude is read when dumped with --if-exists too)",
    "TransactionStmt": "transaction control does not belong in a schema file: schemactl runs its own transactions",
    "SelectStmt": "queries do not belong in a declarative schema",
    "DoStmt": DO_ROLE_HINT,
    "CallStmt": "CALL runs code; a declarative schema may only define objects",
    "CreatedbStmt": "databases are not part of a schema",
    "DropdbStmt": "DROP does not belong in a declarative schema",
    "AlterRoleSetStmt": "per-role settings (ALTER ROLE ... SET) are not managed by schemactl: set them on the server",
    "RenameStmt": "renames are changes, not definitions: write the object under its new name",
}


@dataclass(frozen=True)
class Statement:
    """One statement of a schema file, with where it came from."""

    path: Path
    index: int
    sql: str
    offset: int
    source: str = field(repr=False)
    node: Any = field(repr=False, compare=False)
    # Its file is pg_dump output: a restore script, whose grants are complete as
    # written and whose default privileges, written last, are for what comes later.
    from_pg_dump: bool = field(default=False, compare=False)

    @property
    def kind(self) -> str:
        return type(self.node).__name__

    @cached_property
    def _walked(self) -> tuple[dict[type, list[Any]], tuple[Any, ...]]:
        return walked(self.node)

    @property
    def node_groups(self) -> dict[type, list[Any]]:
        """The syntax nodes below this statement its readers look at, grouped by class
        (see syntax.read_classes): the tree is walked once, and each reader visits only the
        classes it needs."""
        return self._walked[0]

    @property
    def nodes(self) -> tuple[Any, ...]:
        """Every syntax node below this statement, from the same walk."""
        return self._walked[1]

    @cached_property
    def names(self) -> StatementNames:
        """The names this statement creates and references (load order, external names)."""
        from schemactl.source.order import names_in  # order reads statements

        return names_in(self.node, self.node_groups)

    def location(self, position_in_statement: int = 0) -> SourceLocation:
        """file:line:column of a 0-based character position inside this statement."""
        return location_of(self.path, self.source, self.offset + position_in_statement)


@dataclass(frozen=True)
class Skipped:
    """A statement or psql meta-command read and deliberately left out, and why."""

    location: SourceLocation
    reason: str


@dataclass(frozen=True)
class SourceFile:
    """One schema file: the statements that declare the schema, and what was skipped."""

    statements: list[Statement]
    skipped: list[Skipped]


def location_of(path: Path, text: str, offset: int) -> SourceLocation:
    """Turn a 0-based character offset into a 1-based line and column."""
    offset = max(0, min(offset, len(text)))
    if len(text) < _LONG_FILE:
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        return SourceLocation(str(path), line, column)
    newlines = _newlines(text)
    before = bisect_left(newlines, offset)  # newlines before the offset
    column = offset - (newlines[before - 1] if before else -1)
    return SourceLocation(str(path), before + 1, column)


# Every place in a file asks for its line (definitions, hints, errors); counting lines
# from the top each time grows with the square of a long file (a pg_dump of thousands
# of tables is one file of megabytes), so long files' newlines are found once.
_LONG_FILE = 1 << 16


@lru_cache(maxsize=16)
def _newlines(text: str) -> list[int]:
    """The offsets of a long file's newlines."""
    return [match.start() for match in _NEWLINE.finditer(text)]


_NEWLINE = re.compile("\n")


def _start_of_code(text: str, offset: int) -> int:
    """Skip the whitespace and comments pglast counts as part of a statement."""
    i = offset
    while i < len(text):
        if text[i].isspace():
            i += 1
        elif text.startswith("--", i):
            newline = text.find("\n", i)
            i = len(text) if newline < 0 else newline + 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = len(text) if end < 0 else end + 2
        else:
            break
    return i


def read_statements(path: Path) -> list[Statement]:
    """Parse a file into statements, refusing anything that is not declarative DDL."""
    return read_source_file(path).statements


def read_source_file(path: Path) -> SourceFile:
    """Parse a schema file into the statements that declare the schema and what was
    skipped, refusing anything else with its file:line:column."""
    text, meta_commands = blank_meta_commands(path, _read_text(path))
    parsed = _parse(path, text)
    pg_dump = written_by_pg_dump(text, [statement.node for statement in parsed])
    statements: list[Statement] = []
    skipped = [Skipped(m.location, m.reason) for m in meta_commands]
    for statement in parsed:
        reason = skip_reason(statement.node)
        if reason is not None:
            skipped.append(Skipped(statement.location(), reason))
            continue
        _refuse_non_declarative(statement)
        if pg_dump:
            statement = dataclasses.replace(statement, from_pg_dump=True)
        statements.append(_as_declared(statement))
    return SourceFile(
        statements, sorted(skipped, key=lambda s: (s.location.line, s.location.column))
    )


def read_statements_unchecked(path: Path) -> list[Statement]:
    """Parse a file into statements with their positions, whatever they do (fixture
    data, tests); a syntax error names file:line:column."""
    return _parse(path, _read_text(path))


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SchemaSourceError(SourceLocation(str(path), 1, 1), f"not UTF-8 text: {exc}") from None


def _parse(path: Path, text: str) -> list[Statement]:
    try:
        raw_statements = parser.parse_sql(text)
    except parser.ParseError as exc:
        message, position = exc.args[0], exc.args[1] if len(exc.args) > 1 else 0
        raise SchemaSourceError(location_of(path, text, position), str(message)) from None
    statements: list[Statement] = []
    for index, raw in enumerate(raw_statements or ()):
        location = raw.stmt_location or 0
        length = raw.stmt_len or (len(text) - location)
        start = _start_of_code(text, location)
        end = location + length
        statements.append(Statement(path, index, text[start:end].strip(), start, text, raw.stmt))
    return statements


def _as_declared(statement: Statement) -> Statement:
    """The statement to run for what it declares: ``CREATE SCHEMA public AUTHORIZATION r``
    states the owner of a schema every database has."""
    owner = public_schema_owner(statement.node)
    if owner is None:
        return statement
    text = sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(owner)).as_string()
    return dataclasses.replace(statement, sql=text, node=parser.parse_sql(text)[0].stmt)


def _refuse_non_declarative(statement: Statement) -> None:
    kind = statement.kind
    node = statement.node
    if is_declared_call(node):
        return  # read as a declaration by source/jobs.py, never loaded
    if is_role_statement(node):
        return  # read as a declaration by source/roles.py, never loaded
    if kind in DECLARATIVE or is_session_setting(node):
        if isinstance(node, ast.AlterTableStmt):
            _refuse_drop_subcommands(statement, node)
        return
    reason = _REFUSED_REASON.get(kind, f"{kind} is not a declarative schema statement")
    raise SchemaSourceError(statement.location(), reason)


def _refuse_drop_subcommands(statement: Statement, node: ast.AlterTableStmt) -> None:
    for command in node.cmds or ():
        subtype = getattr(command, "subtype", None)
        name = getattr(subtype, "name", str(subtype))
        if name in ("AT_DropColumn", "AT_DropConstraint"):
            raise SchemaSourceError(
                statement.location(),
                "ALTER TABLE ... DROP does not belong in a declarative schema: "
                "remove the definition instead",
            )
