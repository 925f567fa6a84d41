"""Reading what ``ALTER ... SET`` adds to tables and indexes after their creation.

Statistics targets, storage and compression of columns, attribute options, statistics
targets of index expressions, and the index a table is clustered on: ``pg_dump`` prints
each as an ``ALTER`` of its own, and each changes planner or storage behaviour.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import psycopg

from schemactl.catalog.model import STORAGE_KEYWORDS, Catalog, ColumnSettings
from schemactl.catalog.sqlfiles import rows


def read_column_settings(
    conn: psycopg.Connection, params: dict[str, Any], catalog: Catalog
) -> None:
    settings: dict[str, list[ColumnSettings]] = {}
    for row in rows(conn, "column_settings", params):
        table = row.pop("table")
        storage = row["storage"]
        settings.setdefault(table, []).append(
            ColumnSettings(
                **{
                    **row,
                    "storage": STORAGE_KEYWORDS[storage] if storage else None,
                    "options": tuple(row["options"]),
                    "type_storage": STORAGE_KEYWORDS[row["type_storage"]],
                }
            )
        )
    for ident, columns in settings.items():
        if (table := catalog.tables.get(ident)) is not None:
            catalog.tables[ident] = dataclasses.replace(table, column_settings=tuple(columns))


def read_index_settings(conn: psycopg.Connection, params: dict[str, Any], catalog: Catalog) -> None:
    for row in rows(conn, "index_settings", params):
        if row["clustered"] and (table := catalog.tables.get(row["table"])) is not None:
            catalog.tables[table.ident] = dataclasses.replace(table, clustered_on=row["index_name"])
        if row["statistics"] and (index := catalog.indexes.get(row["index"])) is not None:
            statistics = tuple((int(n), int(target)) for n, target in row["statistics"])
            catalog.indexes[index.ident] = dataclasses.replace(index, statistics=statistics)
