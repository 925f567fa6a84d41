"""Declared type conversions, in a comment on a column's line or just above it::

    CREATE TABLE events (
        id         bigint,
        created_at timestamptz NOT NULL,  -- @using to_timestamp(created_at)
        -- @using round(amount * 100)
        -- @rollback-using amount / 100.0
        amount     integer
    );

When a column changes type and PostgreSQL has no cast from the old type to the new
one (bigint to timestamp, one enum to another) or only an explicit one (text to
integer), ``ALTER COLUMN ... TYPE ... USING`` needs an expression over the old value.
``@using EXPR`` gives it for the migration, ``@rollback-using EXPR`` for its rollback,
back to the old type. A directive belongs to the column whose line it ends, or to the
column below the comment lines it stands on, so it moves with the column and shows in
review. It applies whenever that column changes type; elsewhere it is inert.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from schemactl.errors import SchemaSourceError, SourceLocation
from schemactl.source.pglast_modules import ast, parser
from schemactl.source.statements import Statement

DIRECTIVE = re.compile(r"^--\s*@(?P<name>using|rollback-using)(?![\w-])\s*(?P<expr>.*?)\s*$")
DEFAULT_SCHEMA = "public"
COMMENT = "SQL_COMMENT"
SEPARATORS = {"ASCII_44", "ASCII_40"}  # , (


@dataclass(frozen=True)
class Conversion:
    """How a column's values convert when its type changes, as schema/ declares it."""

    schema: str
    table: str
    column: str
    using: str | None
    rollback_using: str | None
    location: SourceLocation


@dataclass(frozen=True)
class _Token:
    """A token of a statement's text, by character offsets."""

    start: int  # character offsets in the statement's text, end excluded
    end: int
    name: str


def _tokens(sql: str) -> list[_Token]:
    """The statement's tokens, comments included (pglast gives character offsets)."""
    return [_Token(t.start, t.end + 1, t.name) for t in parser.scan(sql)]


def _line(sql: str, offset: int) -> int:
    return sql.count("\n", 0, offset)


def _column_comments(sql: str, tokens: list[_Token], location: int) -> list[_Token]:
    """Comments of the column definition starting at ``location``: comment lines directly
    above it (not trailing the line before), and those after it on its last line."""
    first = next(i for i, t in enumerate(tokens) if t.start >= location)
    found = []
    before = first - 1
    while before >= 0 and tokens[before].name == COMMENT:
        before -= 1
    separator_line = _line(sql, tokens[before].start) if before >= 0 else -1
    found += [t for t in tokens[before + 1 : first] if _line(sql, t.start) > separator_line]
    depth, last = 0, first
    index = first
    while index < len(tokens):
        token = tokens[index]
        if token.name == "ASCII_40":
            depth += 1
        elif token.name == "ASCII_41":
            if depth == 0:
                break
            depth -= 1
        elif token.name == "ASCII_44" and depth == 0:
            break
        if token.name != COMMENT:
            last = index
        index += 1
    end_line = _line(sql, tokens[last].start)
    for token in tokens[last + 1 :]:
        if token.name == COMMENT and _line(sql, token.start) == end_line:
            found.append(token)
        elif (
            token.name not in SEPARATORS | {"ASCII_41", COMMENT}
            or _line(sql, token.start) > end_line
        ):
            break
    return found


def _column_definitions(node: object) -> tuple[ast.RangeVar, list[ast.ColumnDef]] | None:
    """The table and the columns a CREATE TABLE or ALTER TABLE ... ADD COLUMN defines."""
    if isinstance(node, ast.CreateStmt) and node.relation is not None:
        return node.relation, [e for e in node.tableElts or () if isinstance(e, ast.ColumnDef)]
    if isinstance(node, ast.AlterTableStmt) and node.relation is not None:
        added = [c.def_ for c in node.cmds or () if isinstance(c.def_, ast.ColumnDef)]
        return node.relation, added
    return None


def _checked(expression: str, where: SourceLocation, name: str) -> str:
    if not expression:
        raise SchemaSourceError(where, f"@{name} needs an expression")
    try:
        parsed = parser.parse_sql(f"SELECT {expression}")
    except parser.ParseError as exc:
        raise SchemaSourceError(where, f"@{name} {expression}: {exc.args[0]}") from None
    if len(parsed) != 1:
        raise SchemaSourceError(where, f"@{name} takes one expression")
    return expression


def read_conversions(statements: Iterable[Statement]) -> list[Conversion]:
    conversions: list[Conversion] = []
    for statement in statements:
        if "@using" not in statement.sql and "@rollback-using" not in statement.sql:
            continue
        found = _column_definitions(parser.parse_sql(statement.sql)[0].stmt)
        if found is None:
            continue
        relation, columns = found
        tokens = _tokens(statement.sql)
        for column in columns:
            declared: dict[str, tuple[str, SourceLocation]] = {}
            for comment in _column_comments(statement.sql, tokens, column.location or 0):
                text = statement.sql[comment.start : comment.end]
                match = DIRECTIVE.match(text)
                if match is None:
                    continue
                where = statement.location(comment.start)
                if match["name"] in declared:
                    raise SchemaSourceError(where, f"@{match['name']} is given twice")
                declared[match["name"]] = (_checked(match["expr"], where, match["name"]), where)
            if declared:
                using, rollback = declared.get("using"), declared.get("rollback-using")
                conversions.append(
                    Conversion(
                        schema=str(relation.schemaname or DEFAULT_SCHEMA),
                        table=str(relation.relname),
                        column=str(column.colname),
                        using=using[0] if using else None,
                        rollback_using=rollback[0] if rollback else None,
                        location=next(iter(declared.values()))[1],
                    )
                )
    return conversions
