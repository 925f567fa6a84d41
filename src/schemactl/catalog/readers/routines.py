"""Reading functions, procedures, window functions and aggregates, and what their bodies name.

``pg_depend`` records what argument defaults, ``BEGIN ATOMIC`` bodies, signatures and
aggregates depend on, but not what a string body (``LANGUAGE sql`` or ``plpgsql``)
names. Those bodies are parsed with PostgreSQL's own grammar (pglast) for the routines
they call and, for SQL bodies, whether they read relations: PostgreSQL checks a SQL body
against the catalog when the function is created, so the diff has to create what it
names first.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import psycopg

from schemactl.catalog.model import Catalog, Function
from schemactl.catalog.readers.body_memo import MEMO
from schemactl.catalog.sqlfiles import rows
from schemactl.source.bodies import parse_nodes, plpgsql_queries
from schemactl.source.pglast_modules import ast

# A routine name as a body writes it: ("f",) or ("schema", "f").
Name = tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class BodyReferences:
    """What a routine's body names: other routines (created first), and whether it reads or
    writes a relation by name."""

    routines: frozenset[Name] = frozenset()
    relations: bool = False  # the body reads or writes a table or view by name


def read_routines(conn: psycopg.Connection, params: dict[str, Any], catalog: Catalog) -> None:
    aggregates = {row["signature"]: row["definition"] for row in rows(conn, "aggregates", params)}
    routines: list[tuple[Function, BodyReferences]] = []
    for row in rows(conn, "functions", params):
        source = row.pop("source") or ""
        function = Function(
            **{
                **row,
                "definition": row["definition"] or "",
                "requires": tuple(row["requires"]),
                "relations": tuple(row["relations"]),
                "columns": tuple(row["columns"]),
                "types": tuple(row["types"]),
            }
        )
        if function.kind == "a":
            function = dataclasses.replace(function, definition=aggregates[function.signature])
        routines.append((function, body_references(function, source)))
    MEMO.keep()
    resolve = _resolver([function for function, _ in routines])
    for function, references in routines:
        calls = sorted(
            {key for name in references.routines for key in resolve(name)} - {function.signature}
        )
        catalog.functions[function.signature] = dataclasses.replace(
            function, calls=tuple(calls), body_relations=references.relations
        )


def body_references(function: Function, source: str) -> BodyReferences:
    """What a string body names. ``BEGIN ATOMIC`` bodies have no source: pg_depend has
    them. Answers are kept by the body's text (see :mod:`.body_memo`)."""
    if function.language == "sql" and source.strip():
        return MEMO.answer(("sql", source), lambda: _sql_references(source))
    if function.language == "plpgsql":
        definition = function.definition
        return MEMO.answer(("plpgsql", definition), lambda: _plpgsql_references(definition))
    return BodyReferences()


def _plpgsql_references(definition: str) -> BodyReferences:
    routines: set[Name] = set()
    for query in plpgsql_queries(definition):
        routines |= _sql_references(query, expression=True).routines
    return BodyReferences(frozenset(routines))


def _sql_references(text: str, expression: bool = False) -> BodyReferences:
    nodes = parse_nodes(text, expression)
    if nodes is None:
        return BodyReferences()
    ctes = {str(n.ctename) for n in nodes if isinstance(n, ast.CommonTableExpr)}
    routines = {
        tuple(str(part.sval) for part in n.funcname or () if isinstance(part, ast.String))
        for n in nodes
        if isinstance(n, ast.FuncCall)
    }
    relations = any(
        isinstance(n, ast.RangeVar) and (n.schemaname or n.relname not in ctes) for n in nodes
    )
    return BodyReferences(frozenset(routines), relations)


def _resolver(functions: list[Function]) -> Callable[[Name], set[str]]:
    """Maps a name as written in a body to the signatures it may mean. An unqualified
    name may mean a routine in any schema (it depends on the search_path at call time):
    ordering by every candidate is safe."""
    by_name: dict[Name, set[str]] = {}
    for function in functions:
        by_name.setdefault((function.name,), set()).add(function.signature)
        by_name.setdefault((function.schema, function.name), set()).add(function.signature)

    def resolve(name: Name) -> set[str]:
        return by_name.get(name, set()) if len(name) <= 2 else set()

    return resolve
