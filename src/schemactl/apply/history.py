"""The history table in schemactl's own schema: what was applied, by whom, and how to undo it."""

from __future__ import annotations

import getpass
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources

import psycopg

HISTORY_TABLE = "schemactl.history"


def checksum(sql_text: str) -> str:
    return "sha256:" + hashlib.sha256(sql_text.encode()).hexdigest()


def new_version() -> str:
    """A sortable timestamp version, to the microsecond."""
    return datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")


def ensure_history_table(conn: psycopg.Connection) -> None:
    ddl = resources.files("schemactl.apply").joinpath("history.sql").read_text()
    conn.execute(ddl.encode())


@dataclass(frozen=True)
class HistoryEntry:
    version: str
    name: str
    kind: str
    up_sql: str
    down_sql: str
    reversible: bool
    duration_ms: int


def record(conn: psycopg.Connection, entry: HistoryEntry) -> None:
    try:
        client_user = getpass.getuser()
    except (KeyError, OSError):
        client_user = None
    conn.execute(
        "INSERT INTO schemactl.history (version, name, kind, up_sql, down_sql, checksum,"
        " reversible, client_user, duration_ms) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            entry.version,
            entry.name,
            entry.kind,
            entry.up_sql,
            entry.down_sql,
            checksum(entry.up_sql),
            entry.reversible,
            client_user,
            entry.duration_ms,
        ),
    )
