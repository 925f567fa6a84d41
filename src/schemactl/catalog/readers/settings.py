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


def column_settings(
    name: str,
    ident: str,
    type_: str,
    statistics: int | None,
    storage: str | None,
    compression: str | None,
    options: list[str] | None,
    type_storage: str,
) -> ColumnSettings:
    """A column's settings as ``queries/columns.sql`` reads them beside its definition
    (storage and the type's as the catalog's letters): read with the columns, they cost
    no scan of pg_attribute of their own."""
    return ColumnSettings(
        name=name,
        ident=ident,
        statistics=statistics,
        storage=STORAGE_KEYWORDS[storage] if storage else None,
        compression=compression,
        options=tuple(options or ()),
        type=type_,
        type_storage=STORAGE_KEYWORDS[type_storage],
    )


def read_index_settings(conn: psycopg.Connection, params: dict[str, Any], catalog: Catalog) -> None:
    for row in rows(conn, "index_settings", params):
        if row["clustered"] and (table := catalog.tables.get(row["table"])) is not None:
            catalog.tables[table.ident] = dataclasses.replace(table, clustered_on=row["index_name"])
        if row["statistics"] and (index := catalog.indexes.get(row["index"])) is not None:
            statistics = tuple((int(n), int(target)) for n, target in row["statistics"])
            catalog.indexes[index.ident] = dataclasses.replace(index, statistics=statistics)
