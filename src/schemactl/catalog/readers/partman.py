"""Reading pg_partman's registrations (``part_config``), where pg_partman is installed."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from schemactl.catalog.model import Catalog, PartmanParent
from schemactl.catalog.sqlfiles import rows

REGISTRATIONS = "SELECT parent_table, template_table FROM {}.part_config ORDER BY 1"


def read_partman(conn: psycopg.Connection, params: dict[str, Any], catalog: Catalog) -> None:
    found = rows(conn, "partman_schema", {})
    if not found:
        return
    query = sql.SQL(REGISTRATIONS).format(sql.SQL(found[0]["schema"]))
    for parent, template in conn.execute(query).fetchall():
        catalog.partman[str(parent)] = PartmanParent(str(parent), template and str(template))
