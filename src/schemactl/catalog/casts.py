"""Asking PostgreSQL how a column's values convert when its type changes.

``ALTER COLUMN ... TYPE`` converts with an assignment cast when it has no USING;
PostgreSQL refuses without one (text to integer: only an explicit cast; bigint to
timestamp: none at all). Which it is depends on the server's casts, extensions and
domains, so the server is asked, inside a transaction that is always rolled back:
an empty temporary column is altered (``auto``), else ``NULL::old::new`` is tried
(``explicit``), else there is ``none``. Declared conversions (schema/'s
``@using``) and the answers are put on the desired catalog's columns for the
diff (diff/conversions.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import psycopg

from schemactl.catalog.equivalence import Answers
from schemactl.catalog.model import Catalog, Column, TypeConversion
from schemactl.source.conversions import Conversion

AUTO, EXPLICIT, NONE, UNKNOWN = "auto", "explicit", "none", ""
PROBE_TABLE = "schemactl_cast_probe"


def _succeeds(conn: psycopg.Connection, sql: str) -> bool:
    try:
        with conn.transaction():
            conn.execute(sql.encode())
    except psycopg.Error:
        return False
    return True


def _probe(conn: psycopg.Connection, source: str, target: str) -> str:
    """How ``source`` values convert to ``target`` on this server (see the module docs)."""
    answer = UNKNOWN
    try:
        with conn.transaction():
            row = conn.execute(
                "SELECT to_regtype(%s) IS NOT NULL AND to_regtype(%s) IS NOT NULL",
                (source, target),
            ).fetchone()
            if row and row[0]:
                conn.execute(f"CREATE TEMPORARY TABLE {PROBE_TABLE} (c {source})".encode())
                answer = NONE
                for found, sql in (
                    (AUTO, f"ALTER TABLE {PROBE_TABLE} ALTER c TYPE {target}"),
                    (EXPLICIT, f"SELECT NULL::{source}::{target}"),
                ):
                    if _succeeds(conn, sql):
                        answer = found
                        break
            raise psycopg.Rollback()  # nothing of the probe stays
    except psycopg.Error:
        return UNKNOWN
    return answer


def _same_types(before: tuple[Column, ...], after: tuple[Column, ...]) -> bool:
    """Whether two tables' columns are the same names of the same types, in the same
    order: what most tables of a comparison are, told without looking a column up by
    name (which, over every column of a large schema, took most of the time here)."""
    return len(before) == len(after) and all(
        old.name == new.name and old.type == new.type
        for old, new in zip(before, after, strict=True)
    )


def with_conversions(
    conn: psycopg.Connection,
    current: Catalog,
    desired: Catalog,
    declared: Iterable[Conversion] = (),
    answers: Answers | None = None,
) -> Catalog:
    """``desired`` with a :class:`TypeConversion` on every column whose type changes from
    ``current``'s, asked of the server behind ``conn`` (which has the desired types).
    ``answers``: what that server answered before (see catalog.equivalence.Answers)."""
    wanted = {(c.schema, c.table, c.column): c for c in declared}
    known: Answers = {} if answers is None else answers

    def ask(source: str, target: str) -> str:
        question = ("cast", source, target)
        if question not in known:
            known[question] = _probe(conn, source, target)
        return known[question] or UNKNOWN

    tables = dict(desired.tables)
    for ident, table in desired.tables.items():
        before = current.tables.get(ident)
        if before is None or _same_types(before.columns, table.columns):
            continue
        columns: list[Column] = []
        changed = False
        for column in table.columns:
            old = before.column(column.name)
            if old is None or old.type == column.type:
                columns.append(column)
                continue
            declaration = wanted.get((table.schema, table.name, column.name))
            conversion = TypeConversion(
                using=declaration.using if declaration else None,
                rollback_using=declaration.rollback_using if declaration else None,
                cast=ask(old.type, column.type),
                rollback_cast=ask(column.type, old.type),
            )
            columns.append(dataclasses.replace(column, conversion=conversion))
            changed = True
        if changed:
            tables[ident] = dataclasses.replace(table, columns=tuple(columns))
    return dataclasses.replace(desired, tables=tables)
