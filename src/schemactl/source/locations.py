"""Where each object of the schema folder is defined: file and line, for annotations.

Every statement knows its file and the character offset of each node (pglast), so a
table's columns, constraints, indexes, policies and triggers, a function, a type or a
view can be traced to the line that defines it. A plan's subjects are matched against
that index by name, as PostgreSQL would resolve them (unqualified names in ``public``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from schemactl.diff.changes import Subject
from schemactl.errors import SourceLocation
from schemactl.source.order import DEFAULT_SCHEMA
from schemactl.source.pglast_modules import ast
from schemactl.source.statements import Statement, location_of

WILDCARD = "*"
# What a reviewer calls an object -> the namespace its name lives in.
NAMESPACES = {
    "table": "relation",
    "view": "relation",
    "materialized view": "relation",
    "sequence": "relation",
    "function": "routine",
    "procedure": "routine",
    "aggregate": "routine",
    "type": "type",
    "domain": "type",
}

Key = tuple[str, str, str, str]  # namespace, qualified name, part kind, part name (raw)


@dataclass
class SourceIndex:
    """Definitions by name: the first statement that defines each object or part."""

    places: dict[Key, SourceLocation] = field(default_factory=dict)

    @classmethod
    def of(cls, statements: Iterable[Statement]) -> SourceIndex:
        index = cls()
        for statement in statements:
            for key, offset in _definitions(statement.node, statement.offset):
                if key not in index.places:
                    index.places[key] = location_of(statement.path, statement.source, offset)
        return index

    def find(self, subject: Subject) -> SourceLocation | None:
        """The line that defines the subject's part, else the object itself."""
        namespace = NAMESPACES.get(subject.kind, subject.kind)
        name = ".".join(raw_name(subject.name))
        if subject.kind in ("function", "procedure", "aggregate"):
            name = ".".join(raw_name(_without_arguments(subject.name)))
        if subject.part_kind:
            part = ".".join(raw_name(subject.part))
            for key in (
                (namespace, name, subject.part_kind, part),
                (namespace, name, subject.part_kind, WILDCARD),
            ):
                if key in self.places:
                    return self.places[key]
        return self.places.get((namespace, name, "", ""))


def raw_name(ident: str) -> list[str]:
    """``public."My Table"`` -> ``['public', 'My Table']``; an unqualified name gets
    ``public``. Identifiers unquoted as PostgreSQL reads them."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    i = 0
    while i < len(ident):
        char = ident[i]
        if char == '"':
            if quoted and ident[i + 1 : i + 2] == '"':
                current.append('"')
                i += 2
                continue
            quoted = not quoted
        elif char == "." and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    parts.append("".join(current))
    return parts


def _without_arguments(signature: str) -> str:
    return signature.split("(", 1)[0]


def _qualified(schema: str | None, name: str) -> str:
    return f"{schema or DEFAULT_SCHEMA}.{name}"


def _names(nodes: Any) -> list[str]:
    return [str(n.sval) for n in nodes or () if isinstance(n, ast.String)]


def _qualified_list(names: list[str]) -> str:
    return _qualified(names[0], names[1]) if len(names) == 2 else _qualified(None, names[-1])


def _relation(rel: Any) -> str:
    return _qualified(rel.schemaname, rel.relname)


def _definitions(node: Any, start: int) -> list[tuple[Key, int]]:
    """(key, offset) of what a statement defines; ``start`` where no node says better."""
    found: list[tuple[Key, int]] = []

    def add(namespace: str, name: str, part_kind: str, part: str, at: Any = None) -> None:
        offset = at if isinstance(at, int) and at >= 0 else start
        found.append(((namespace, name, part_kind, part), offset))

    n: Any = node
    kind = type(node).__name__
    if kind == "CreateStmt":
        _table_definitions(n, add)
    elif kind == "AlterTableStmt":
        table = _relation(n.relation)
        for command in n.cmds or ():
            subtype = getattr(getattr(command, "subtype", None), "name", "")
            definition: Any = getattr(command, "def_", None)
            if isinstance(definition, ast.Constraint) and definition.conname:
                add("relation", table, "constraint", definition.conname, definition.location)
            elif isinstance(definition, ast.ColumnDef):
                add("relation", table, "column", str(definition.colname), definition.location)
            elif "RowSecurity" in subtype:
                add("relation", table, "row security", WILDCARD, n.relation.location)
    elif kind == "IndexStmt" and n.idxname:
        add("relation", _relation(n.relation), "index", n.idxname, n.relation.location)
    elif kind == "CreatePolicyStmt":
        add("relation", _relation(n.table), "policy", n.policy_name, n.table.location)
    elif kind == "CreateTrigStmt":
        add("relation", _relation(n.relation), "trigger", n.trigname, n.relation.location)
    elif kind == "ViewStmt":
        add("relation", _relation(n.view), "", "", n.view.location)
    elif kind == "CreateTableAsStmt" and n.into is not None:
        add("relation", _relation(n.into.rel), "", "", n.into.rel.location)
    elif kind == "CreateSeqStmt":
        add("relation", _relation(n.sequence), "", "", n.sequence.location)
    elif kind == "GrantStmt":
        for target in n.objects or ():
            if isinstance(target, ast.RangeVar):
                add("relation", _relation(target), "grant", WILDCARD, target.location)
    elif kind == "CreateFunctionStmt":
        add("routine", _qualified_list(_names(n.funcname)), "", "")
    elif kind in ("CreateEnumStmt", "CreateRangeStmt"):
        add("type", _qualified_list(_names(n.typeName)), "", "")
    elif kind == "CreateDomainStmt":
        add("type", _qualified_list(_names(n.domainname)), "", "")
    elif kind == "CompositeTypeStmt":
        add("type", _relation(n.typevar), "", "", n.typevar.location)
    elif kind == "CreateSchemaStmt" and n.schemaname:
        add("schema", n.schemaname, "", "")
    elif kind == "CreateExtensionStmt":
        add("extension", n.extname, "", "")
    return found


def _table_definitions(node: Any, add: Any) -> None:
    """A table, its columns and named constraints, and the partition it is of a parent."""
    table = _relation(node.relation)
    add("relation", table, "", "", node.relation.location)
    if node.partbound is not None:
        for parent in node.inhRelations or ():
            if isinstance(parent, ast.RangeVar):
                add("relation", _relation(parent), "partition", node.relation.relname,
                    node.relation.location)  # fmt: skip
    for element in node.tableElts or ():
        if isinstance(element, ast.ColumnDef):
            add("relation", table, "column", element.colname, element.location)
            for constraint in element.constraints or ():
                if getattr(constraint, "conname", None):
                    add("relation", table, "constraint", constraint.conname, constraint.location)
        elif isinstance(element, ast.Constraint) and element.conname:
            add("relation", table, "constraint", element.conname, element.location)
