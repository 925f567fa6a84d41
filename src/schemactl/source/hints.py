"""Rename hints: ``-- @renamed from=old_name`` where an object is defined.

A rename is declared beside the object's definition, under its new name, so the hint
can stay in the file after it has done its work (a hint whose old name no longer
exists changes nothing). pglast drops comments, so hints are read from the tokens
of the file text (the scanner keeps comments, with positions) and placed by position:

- a hint on the line of a column or table constraint inside ``CREATE TABLE``, or on
  the lines just above it, renames that column or constraint;
- a hint on the statement's first line (``CREATE TABLE people ( -- @renamed
  from=users``), on its last line, or above the statement, renames what the
  statement creates: a table, index, view, materialized view, function, procedure,
  type, domain or sequence; ``ALTER TABLE ... ADD COLUMN`` / ``ADD CONSTRAINT``
  name a column or a constraint.

``schemactl.toml`` may declare the same for one release, where editing the
definition is not wanted: ``[renamed_from.column] "public.users.full_name" =
"fullname"`` (kinds: table, column, index, constraint, view, function, type,
sequence).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemactl.errors import SchemactlError, SchemaSourceError
from schemactl.source.pglast_modules import ast, parser
from schemactl.source.statements import Statement, location_of

DEFAULT_SCHEMA = "public"
KINDS = ("table", "column", "index", "constraint", "view", "function", "type", "sequence")
# Kinds whose name is qualified by a table as well as a schema.
TABLE_PARTS = frozenset({"column", "constraint"})

_HINT = re.compile(r"@renamed\b(?P<rest>.*)", re.S)
_FROM = re.compile(r'^\s+from=(?P<name>"(?:[^"]|"")+"|[^\s"*/]+)')
_COMMENTS = frozenset({"SQL_COMMENT", "C_COMMENT"})
_SEMICOLON = "ASCII_59"
_OPEN, _CLOSE = "ASCII_40", "ASCII_41"
USAGE = "a rename hint reads: -- @renamed from=old_name"


@dataclass(frozen=True)
class RenameHint:
    """``kind`` ``schema.[table.]name`` was called ``old`` (same schema, same table)."""

    kind: str
    schema: str
    name: str
    old: str
    table: str | None = None  # for columns and constraints: the table's (new) name
    origin: str = ""  # where it was declared, for messages

    @property
    def qualified(self) -> str:
        return ".".join(p for p in (self.schema, self.table, self.name) if p)


def rename_hints(statements: Iterable[Statement]) -> list[RenameHint]:
    """Every ``@renamed`` hint of the files these statements come from."""
    by_file: dict[Path, list[Statement]] = {}
    for statement in statements:
        by_file.setdefault(statement.path, []).append(statement)
    hints: list[RenameHint] = []
    for path, in_file in by_file.items():
        hints += _hints_of_file(path, in_file[0].source, sorted(in_file, key=lambda s: s.offset))
    return hints


def _hints_of_file(path: Path, text: str, statements: list[Statement]) -> list[RenameHint]:
    if "@renamed" not in text:
        return []
    tokens = parser.scan(text)
    code = [t for t in tokens if t.name not in _COMMENTS]
    hints = []
    for token in tokens:
        if token.name not in _COMMENTS:
            continue
        comment = text[token.start : token.end + 1]
        match = _HINT.search(comment)
        if not match:
            continue
        where = location_of(path, text, token.start + match.start())
        found = _FROM.match(match["rest"])
        old = _identifier(found["name"]) if found else None
        if old is None:
            raise SchemaSourceError(
                where, f"{USAGE} (without schema or table: a rename keeps both)"
            )
        anchor = _anchor(text, code, token.start)
        statement = (
            None
            if anchor is None
            else next((s for s in statements if s.offset <= anchor < s.offset + len(s.sql)), None)
        )
        if anchor is None or statement is None:
            raise SchemaSourceError(where, "a rename hint must stand by the definition it renames")
        hints.append(_hint_for(statement, anchor, code, old, str(where)))
    return hints


def _identifier(text: str) -> str | None:
    """A bare name as SQL reads it: folded to lower case unless double-quoted; None for
    a qualified one."""
    if len(text) > 1 and text.startswith('"') and text.endswith('"'):
        return text[1:-1].replace('""', '"')
    return None if "." in text or '"' in text else text.lower()


def _anchor(text: str, code: list[Any], position: int) -> int | None:
    """Where the code a comment belongs to starts: the last token before it on its line
    (the statement's, when only its semicolon stands there), else the next token."""
    line_start = text.rfind("\n", 0, position) + 1
    on_line = [t for t in code if line_start <= t.start < position]
    if on_line:
        earlier = [t for t in code if t.start < position and t.name != _SEMICOLON]
        return int(earlier[-1].start) if earlier else None
    after = next((t for t in code if t.start > position), None)
    return None if after is None else int(after.start)


def _hint_for(
    statement: Statement, anchor: int, code: list[Any], old: str, origin: str
) -> RenameHint:
    node = statement.node
    if isinstance(node, ast.CreateStmt | ast.AlterTableStmt):
        schema, table = _qualified(node.relation)
        elements = _elements(node)
        element = _element_at(statement, elements, anchor, code)
        if element is None and isinstance(node, ast.AlterTableStmt) and len(elements) == 1:
            element = elements[0]
        if isinstance(element, ast.ColumnDef):
            return RenameHint("column", schema, str(element.colname), old, table, origin)
        if isinstance(element, ast.Constraint):
            if not element.conname:
                raise SchemaSourceError(
                    location_of(statement.path, statement.source, int(element.location or 0)),
                    "name the constraint to rename it",
                )
            return RenameHint("constraint", schema, str(element.conname), old, table, origin)
        if isinstance(node, ast.CreateStmt):
            return RenameHint("table", schema, table, old, None, origin)
        raise SchemaSourceError(
            statement.location(), "put the rename hint on the line of the column or constraint"
        )
    named = _statement_object(node)
    if named is None:
        raise SchemaSourceError(
            statement.location(),
            "rename hints apply to tables, columns, indexes, constraints, views, "
            "functions, types and sequences",
        )
    kind, names = named
    if not names or not names[-1]:
        raise SchemaSourceError(statement.location(), f"name the {kind} to rename it")
    schema = names[0] if len(names) > 1 else DEFAULT_SCHEMA
    return RenameHint(kind, schema, names[-1], old, None, origin)


def _elements(node: ast.CreateStmt | ast.AlterTableStmt) -> list[Any]:
    if isinstance(node, ast.CreateStmt):
        return [e for e in node.tableElts or () if isinstance(e, ast.ColumnDef | ast.Constraint)]
    return [
        cmd.def_
        for cmd in node.cmds or ()
        if isinstance(getattr(cmd, "def_", None), ast.ColumnDef | ast.Constraint)
    ]


def _element_at(
    statement: Statement, elements: list[Any], anchor: int, code: list[Any]
) -> Any | None:
    """The column or constraint whose text holds ``anchor`` (positions in the file, as
    pglast gives them): from its start to the next one's; the last one reaches the
    parenthesis that closes CREATE TABLE's list, or the end of ALTER TABLE."""
    starts = [(e.location, e) for e in elements if e.location is not None and e.location >= 0]
    if not starts or anchor < starts[0][0]:
        return None
    end = statement.offset + len(statement.sql)
    if isinstance(statement.node, ast.CreateStmt):
        end = _list_end(statement, code)
    if anchor >= end:
        return None
    return [e for start, e in starts if start <= anchor][-1]


def _list_end(statement: Statement, code: list[Any]) -> int:
    """Where the parenthesized element list of CREATE TABLE closes, in the file."""
    depth = 0
    end = statement.offset + len(statement.sql)
    for token in code:
        if token.start < statement.offset:
            continue
        if token.start >= end:
            break
        if token.name == _OPEN:
            depth += 1
        elif token.name == _CLOSE:
            depth -= 1
            if depth == 0:
                return int(token.start)
    return end


def _qualified(relation: ast.RangeVar | None) -> tuple[str, str]:
    if relation is None:
        return DEFAULT_SCHEMA, ""
    return str(relation.schemaname or DEFAULT_SCHEMA), str(relation.relname or "")


def _strings(nodes: Any) -> list[str]:
    return [str(n.sval) for n in nodes or () if isinstance(n, ast.String)]


def _statement_object(node: Any) -> tuple[str, list[str]] | None:
    """The kind and (schema-qualified) name of what a statement creates."""
    if isinstance(node, ast.IndexStmt):
        return "index", [_qualified(node.relation)[0], str(node.idxname or "")]
    if isinstance(node, ast.ViewStmt):
        return "view", list(_qualified(node.view))
    if isinstance(node, ast.CreateTableAsStmt) and node.into is not None:
        return "view", list(_qualified(node.into.rel))
    if isinstance(node, ast.CreateFunctionStmt):
        return "function", _strings(node.funcname)
    if isinstance(node, ast.CompositeTypeStmt):
        return "type", list(_qualified(node.typevar))
    if isinstance(node, ast.CreateEnumStmt | ast.CreateRangeStmt):
        return "type", _strings(node.typeName)
    if isinstance(node, ast.CreateDomainStmt):
        return "type", _strings(node.domainname)
    if isinstance(node, ast.CreateSeqStmt):
        return "sequence", list(_qualified(node.sequence))
    return None


def hints_from_config(renamed_from: Mapping[str, Mapping[str, str]], path: str) -> list[RenameHint]:
    """``[renamed_from.KIND] "schema.[table.]name" = "old_name"`` of schemactl.toml."""
    hints = []
    for kind, entries in renamed_from.items():
        if kind not in KINDS:
            raise SchemactlError(
                f"{path}: [renamed_from.{kind}]: unknown kind (kinds: {', '.join(KINDS)})"
            )
        for qualified, old in entries.items():
            origin = f'{path} [renamed_from.{kind}] "{qualified}"'
            shape = "schema.table.name" if kind in TABLE_PARTS else "schema.name"
            parts = [_identifier(p) for p in re.findall(r'"(?:[^"]|"")+"|[^."]+', qualified)]
            names = [p for p in parts if p is not None]
            wanted = 3 if kind in TABLE_PARTS else 2
            if len(names) == wanted - 1:
                names.insert(0, DEFAULT_SCHEMA)
            old_name = _identifier(old)
            if len(names) != wanted or len(parts) > wanted or old_name is None:
                raise SchemactlError(
                    f'{origin}: write "{shape}" = "old_name" (the old name without schema or table)'
                )
            table = names[1] if kind in TABLE_PARTS else None
            hints.append(RenameHint(kind, names[0], names[-1], old_name, table, origin))
    return hints
