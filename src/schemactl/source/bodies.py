"""Routine bodies written as strings, parsed with PostgreSQL's own grammar.

A ``LANGUAGE sql`` or ``plpgsql`` body is a string to PostgreSQL's parser, so
what it names appears neither in the statement's syntax tree nor in
``pg_depend``. Both the load order of schema files and the catalog reader of
routines need to know what such bodies use; they share these helpers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from schemactl.source.pglast_modules import ast, parser, pglast
from schemactl.source.syntax import walk


def parse_nodes(text: str, expression: bool = False) -> list[Any] | None:
    """Every syntax node of ``text``; an expression (as PL/pgSQL writes them) is read
    as ``SELECT <expression>``. None when it does not parse."""
    try:
        return list(walk(pglast.parse_sql(text)))
    except parser.ParseError:
        if not expression:
            return None
    try:
        return list(walk(pglast.parse_sql("SELECT " + text.replace(":=", "=", 1))))
    except parser.ParseError:
        return None


def plpgsql_queries(definition: str) -> Iterator[str]:
    """The SQL expressions and statements inside a PL/pgSQL routine, as its parser splits
    them. ``definition`` is the whole CREATE FUNCTION statement."""
    try:
        tree = pglast.parse_plpgsql(definition)
    except parser.ParseError:
        return
    stack: list[Any] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            query = node.get("query")
            if isinstance(query, str):
                yield query
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _option(node: ast.CreateFunctionStmt, name: str) -> Any:
    for option in node.options or ():
        if isinstance(option, ast.DefElem) and option.defname == name:
            return option.arg
    return None


def body_nodes(node: Any, statement_sql: str) -> list[Any]:
    """The syntax nodes of a CREATE FUNCTION statement's string body (none for other
    statements, for ``BEGIN ATOMIC`` bodies, already part of the tree, and for other
    languages)."""
    if not isinstance(node, ast.CreateFunctionStmt):
        return []
    language = _option(node, "language")
    language = str(language.sval).lower() if isinstance(language, ast.String) else "sql"
    body = _option(node, "as")
    if not isinstance(body, tuple) or not body or not isinstance(body[0], ast.String):
        return []
    if language == "sql":
        return parse_nodes(str(body[0].sval)) or []
    if language == "plpgsql":
        nodes: list[Any] = []
        for query in plpgsql_queries(statement_sql):
            nodes += parse_nodes(query, expression=True) or []
        return nodes
    return []
