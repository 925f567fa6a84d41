"""Reading triggers (once per declaring table, never their partition clones) and event triggers."""

from __future__ import annotations

from typing import Any

import psycopg

from schemactl.catalog.model import Catalog, EventTrigger, Trigger
from schemactl.catalog.sqlfiles import rows


def read_triggers(conn: psycopg.Connection, params: dict[str, Any], catalog: Catalog) -> None:
    for row in rows(conn, "triggers", params):
        trigger = Trigger(
            **{**row, "functions": tuple(row["functions"]), "columns": tuple(row["columns"])}
        )
        catalog.triggers[trigger.key] = trigger
    for row in rows(conn, "event_triggers", params):
        catalog.event_triggers[row["ident"]] = EventTrigger(**{**row, "tags": tuple(row["tags"])})
