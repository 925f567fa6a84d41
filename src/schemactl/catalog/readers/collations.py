"""Reading collations (``CREATE COLLATION``) and casts (``CREATE CAST``)."""

from __future__ import annotations

from typing import Any

import psycopg

from schemactl.catalog.model import Cast, Catalog, Collation
from schemactl.catalog.sqlfiles import rows


def read_collations(conn: psycopg.Connection, params: dict[str, Any], catalog: Catalog) -> None:
    for row in rows(conn, "collations", params):
        catalog.collations[row["ident"]] = Collation(**row)


def read_casts(conn: psycopg.Connection, params: dict[str, Any], catalog: Catalog) -> None:
    for row in rows(conn, "casts", params):
        cast = Cast(**row)
        catalog.casts[cast.key] = cast
