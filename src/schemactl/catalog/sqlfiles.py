"""Running the catalog queries kept as ``.sql`` files in ``queries/``."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import psycopg
from psycopg.rows import dict_row


@cache
def query(name: str) -> str:
    """The text of ``queries/<name>.sql``."""
    return resources.files("schemactl.catalog").joinpath("queries", f"{name}.sql").read_text()


def rows(conn: psycopg.Connection, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Run ``queries/<name>.sql`` with ``params`` and return its rows as dicts."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query(name).encode(), params)
        return cur.fetchall()
