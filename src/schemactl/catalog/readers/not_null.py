"""Reading NOT NULL constraints by name (PostgreSQL 18 on).

A column's NOT NULL stays ``Column.not_null`` on every version. From PostgreSQL 18
on it is also a constraint with a name (``CONSTRAINT x NOT NULL``), which ``CREATE
TABLE ... LIKE``, partitions and inheritance take from the table they copy, and
which may be ``NO INHERIT`` or ``NOT VALID``. Those are kept on the table, one per
column, inherited columns included.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import psycopg

from schemactl.catalog.model import Catalog, NotNullConstraint
from schemactl.catalog.sqlfiles import rows


def read_not_null_constraints(
    conn: psycopg.Connection, params: dict[str, Any], catalog: Catalog
) -> None:
    found: dict[str, list[NotNullConstraint]] = {}
    for row in rows(conn, "not_null_constraints", params):
        found.setdefault(row.pop("table"), []).append(NotNullConstraint(**row))
    for ident, constraints in found.items():
        table = catalog.tables.get(ident)
        if table is not None:
            catalog.tables[ident] = dataclasses.replace(
                table, not_null_constraints=tuple(constraints)
            )
