"""Reading extended statistics objects and rules."""

from __future__ import annotations

from typing import Any

import psycopg

from schemactl.catalog.model import Catalog, Rule, Statistics
from schemactl.catalog.sqlfiles import rows


def read_statistics(conn: psycopg.Connection, params: dict[str, Any], catalog: Catalog) -> None:
    for row in rows(conn, "statistics", params):
        catalog.statistics[row["ident"]] = Statistics(**{**row, "columns": tuple(row["columns"])})


def read_rules(conn: psycopg.Connection, params: dict[str, Any], catalog: Catalog) -> None:
    for row in rows(conn, "rules", params):
        rule = Rule(**{**row, "columns": tuple(row["columns"])})
        catalog.rules[rule.key] = rule
