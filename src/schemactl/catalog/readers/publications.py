"""Reading publications: their tables (column lists, row filters) and schemas.

Column lists, row filters and FOR TABLES IN SCHEMA exist since PostgreSQL 15; older
servers are read without them.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import psycopg

from schemactl.catalog.model import Catalog, Publication, PublishedTable
from schemactl.catalog.sqlfiles import rows

SINCE_15 = 150000  # server_version_num


def read_publications(conn: psycopg.Connection, params: dict[str, Any], catalog: Catalog) -> None:
    publications = {row["name"]: Publication(**row) for row in rows(conn, "publications", params)}
    recent = params["server_version_num"] >= SINCE_15
    tables: dict[str, list[PublishedTable]] = {}
    for row in rows(conn, "publication_tables" if recent else "publication_tables_14", params):
        entry = PublishedTable(row["table"], tuple(row["columns"]), row["row_filter"])
        tables.setdefault(row["publication"], []).append(entry)
    schemas: dict[str, list[str]] = {}
    if recent:
        for row in rows(conn, "publication_schemas", params):
            schemas.setdefault(row["name"], []).append(row["schema"])
    for name, publication in publications.items():
        if not set(schemas.get(name, ())) <= catalog.schemas.keys():
            continue  # it names a schema out of scope: not this schema's
        catalog.publications[publication.ident] = dataclasses.replace(
            publication,
            publish=tuple(publication.publish),
            tables=tuple(tables.get(name, ())),
            schemas=tuple(schemas.get(name, ())),
        )
