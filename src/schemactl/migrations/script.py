"""Migration scripts as statements, each knowing how it must run.

A migration file (or a down script kept in the history) is split with
PostgreSQL's own parser. Most statements run together in one transaction; a
few cannot run in a transaction at all (``CREATE INDEX CONCURRENTLY``), and a
few must be committed before what follows may use them (``ALTER TYPE … ADD
VALUE``). The parser recognizes those, and a comment line right above a
statement says so explicitly where parsing cannot tell (schemactl writes it
for every such step of a generated migration)::

    -- schemactl:no-transaction
    -- schemactl:own-transaction
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from schemactl.migrations.errors import MigrationError
from schemactl.source.pglast_modules import ast, parser

NO_TRANSACTION_MARK = "schemactl:no-transaction"
OWN_TRANSACTION_MARK = "schemactl:own-transaction"


class RunMode(StrEnum):
    TRANSACTION = "transaction"  # with its neighbours, in one transaction
    OWN = "own"  # in a transaction of its own, after what came before was committed
    OUTSIDE = "outside"  # outside any transaction


@dataclass(frozen=True)
class ScriptStatement:
    index: int  # 0-based position in the script
    sql: str
    line: int  # 1-based line of the script where it starts
    mode: RunMode
    node: Any = field(default=None, repr=False, compare=False)

    @property
    def summary(self) -> str:
        """The statement's first line, for messages."""
        first = self.sql.splitlines()[0] if self.sql else ""
        return first if len(first) <= 100 else first[:97] + "..."


@dataclass(frozen=True)
class Batch:
    """Statements that run together: one transaction, or one statement outside any."""

    statements: tuple[ScriptStatement, ...]
    in_transaction: bool


@dataclass(frozen=True)
class Script:
    label: str  # the file name, or the history entry it came from
    statements: tuple[ScriptStatement, ...]

    @property
    def transactional(self) -> bool:
        """Whether the whole script can run as one transaction."""
        return all(s.mode is RunMode.TRANSACTION for s in self.statements)

    def batches(self, start: int = 0) -> list[Batch]:
        """The statements from ``start`` on, grouped the way they must run."""
        batches: list[Batch] = []
        pending: list[ScriptStatement] = []
        for statement in self.statements[start:]:
            if statement.mode is RunMode.TRANSACTION:
                pending.append(statement)
                continue
            if pending:
                batches.append(Batch(tuple(pending), True))
                pending = []
            batches.append(Batch((statement,), statement.mode is RunMode.OWN))
        if pending:
            batches.append(Batch(tuple(pending), True))
        return batches


def _option_names(node: Any) -> set[str]:
    return {str(getattr(p, "defname", "")).lower() for p in getattr(node, "params", None) or ()}


def detected_mode(node: Any) -> RunMode:
    """How a statement must run, as far as its syntax tells."""
    if isinstance(node, ast.IndexStmt | ast.DropStmt) and node.concurrent:
        return RunMode.OUTSIDE
    if isinstance(node, ast.ReindexStmt) and "concurrently" in _option_names(node):
        return RunMode.OUTSIDE
    if isinstance(node, ast.VacuumStmt | ast.AlterSystemStmt | ast.CreatedbStmt | ast.DropdbStmt):
        return RunMode.OUTSIDE
    if isinstance(node, ast.AlterEnumStmt) and node.newVal and not node.oldVal:
        return RunMode.OWN  # a new enum value cannot be used in the transaction that added it
    return RunMode.TRANSACTION


def _marked_mode(gap: str) -> RunMode | None:
    """A mode named in the comments between the previous statement and this one."""
    for line in gap.splitlines():
        text = line.strip()
        if text.startswith("--"):
            comment = text[2:].strip().lower()
            if comment == NO_TRANSACTION_MARK:
                return RunMode.OUTSIDE
            if comment == OWN_TRANSACTION_MARK:
                return RunMode.OWN
    return None


def parse_script(text: str, label: str) -> Script:
    """Split ``text`` into statements with their run modes; refuse transaction control."""
    try:
        raw_statements = parser.parse_sql(text)
    except parser.ParseError as exc:
        position = exc.args[1] if len(exc.args) > 1 else 0
        line = text.count("\n", 0, max(0, position - 1)) + 1
        raise MigrationError(f"{label}:{line}: {exc.args[0]}") from None
    statements: list[ScriptStatement] = []
    previous_end = 0
    for index, raw in enumerate(raw_statements or ()):
        location = raw.stmt_location or 0
        length = raw.stmt_len or (len(text) - location)
        sql = text[location : location + length].strip()
        code = location + (len(text[location:]) - len(text[location:].lstrip()))
        line = text.count("\n", 0, code) + 1
        if isinstance(raw.stmt, ast.TransactionStmt):
            raise MigrationError(
                f"{label}:{line}: transaction control does not belong in a migration script: "
                "schemactl runs each migration in its own transaction"
            )
        mode = _marked_mode(text[previous_end:location]) or detected_mode(raw.stmt)
        statements.append(ScriptStatement(index, sql, line, mode, raw.stmt))
        previous_end = location + length
    return Script(label, tuple(statements))


def leading_comments(text: str) -> list[str]:
    """The comment lines at the top of a script, before its first statement, without ``--``."""
    lines: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("--"):
            break
        lines.append(stripped[2:].strip())
    return lines
