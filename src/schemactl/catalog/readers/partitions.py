"""Reading what a partition declares about its columns beyond what the parent gives.

A partition's columns are its parent's (``attislocal`` is false), so the column
reader leaves them out. Their defaults and NOT NULL can still differ per partition
(``CREATE TABLE p_us PARTITION OF p (priority DEFAULT 10, notes NOT NULL)``, or a
table attached with defaults of its own); those columns are kept on the partition.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import psycopg

from schemactl.catalog.model import Catalog, Column
from schemactl.catalog.sqlfiles import rows


def read_partition_columns(
    conn: psycopg.Connection, params: dict[str, Any], catalog: Catalog
) -> None:
    overrides: dict[str, list[Column]] = {}
    for row in rows(conn, "partition_columns", params):
        overrides.setdefault(row.pop("table"), []).append(Column(**row))
    for ident, columns in overrides.items():
        table = catalog.tables.get(ident)
        if table is not None:
            catalog.tables[ident] = dataclasses.replace(table, column_overrides=tuple(columns))
