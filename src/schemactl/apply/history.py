"""The history table in schemactl's own schema: what was applied, by whom, and how to undo it.

Every change schemactl makes to a target is one row: a declarative ``apply``, a
versioned ``migration``, or a ``rollback``. Each row keeps the SQL that ran, the
SQL that undoes it, and a fingerprint of the schema right after it, so that a
rollback can prove the down script still fits the live schema.
"""

from __future__ import annotations

import getpass
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from schemactl.catalog.fingerprint import fingerprint
from schemactl.catalog.introspect import introspect
from schemactl.config import Scope
from schemactl.migrations.fingerprint import ObjectFingerprints, object_fingerprints

HISTORY_TABLE = "schemactl.history"

APPLIED = "applied"
RUNNING = "running"

# Why an apply that dropped data cannot be undone, when the caller gave no reason.
DATA_LOSS_REASON = (
    "it ran data_loss steps: the down script re-creates what was dropped, not its data"
)


def checksum(sql_text: str) -> str:
    return "sha256:" + hashlib.sha256(sql_text.encode()).hexdigest()


def new_version() -> str:
    """A sortable timestamp version, to the microsecond."""
    return datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")


def ensure_history_table(conn: psycopg.Connection) -> None:
    """Create the history table on first use; later applies take no lock for it."""
    if history_exists(conn):
        return
    ddl = resources.files("schemactl.apply").joinpath("history.sql").read_text()
    conn.execute(ddl.encode())


def history_exists(conn: psycopg.Connection) -> bool:
    row = conn.execute("SELECT to_regclass('schemactl.history') IS NOT NULL").fetchone()
    return bool(row and row[0])


@dataclass(frozen=True)
class SchemaFingerprint:
    """The schema at one moment: one hash over everything, and one per object."""

    overall: str
    objects: ObjectFingerprints


def schema_fingerprint(conn: psycopg.Connection, scope: Scope | None = None) -> SchemaFingerprint:
    """Fingerprint the schema behind ``conn``, inside its transaction if one is open.

    Introspection sets an empty ``search_path`` for the transaction; the caller's
    setting is put back, so statements after this one resolve names as before.
    """
    row = conn.execute("SELECT current_setting('search_path')").fetchone()
    search_path = str(row[0]) if row else ""
    catalog = introspect(conn, scope)
    if conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS:
        conn.execute("SELECT set_config('search_path', %s, true)", (search_path,))
    return SchemaFingerprint(fingerprint(catalog), object_fingerprints(catalog))


@dataclass(frozen=True)
class HistoryEntry:
    version: str
    name: str
    kind: str
    up_sql: str
    down_sql: str
    reversible: bool
    duration_ms: int
    irreversible_reason: str | None = None
    # None: taken from the connection when the entry is recorded as applied.
    fingerprint: SchemaFingerprint | None = None
    state: str = APPLIED
    progress: int = 0
    # The schemas the fingerprint covers: those the command managed (a platform's, or
    # excluded ones, change on their own and are no drift of this entry).
    scope: Scope | None = None


def _client_user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def record(conn: psycopg.Connection, entry: HistoryEntry) -> int:
    """Insert ``entry`` (inside the caller's transaction) and return its id.

    The schema fingerprint is taken here, after the entry's SQL ran, so every
    caller stores the state its change left behind."""
    print_ = entry.fingerprint
    if print_ is None and entry.state == APPLIED:
        print_ = schema_fingerprint(conn, entry.scope)
    reason = entry.irreversible_reason
    if not entry.reversible and not reason and entry.kind == "apply":
        reason = DATA_LOSS_REASON
    row = conn.execute(
        "INSERT INTO schemactl.history (version, name, kind, up_sql, down_sql, checksum,"
        " reversible, client_user, duration_ms, irreversible_reason, fingerprint,"
        " fingerprint_objects, state, progress)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
        (
            entry.version,
            entry.name,
            entry.kind,
            entry.up_sql,
            entry.down_sql,
            checksum(entry.up_sql),
            entry.reversible,
            _client_user(),
            entry.duration_ms,
            reason,
            print_.overall if print_ else None,
            Jsonb(print_.objects) if print_ else None,
            entry.state,
            entry.progress,
        ),
    ).fetchone()
    return int(row[0]) if row else 0


def update_progress(conn: psycopg.Connection, entry_id: int, progress: int) -> None:
    conn.execute("UPDATE schemactl.history SET progress = %s WHERE id = %s", (progress, entry_id))


def finish_entry(
    conn: psycopg.Connection,
    entry_id: int,
    up_sql: str,
    down_sql: str,
    progress: int,
    duration_ms: int,
    scope: Scope | None = None,
) -> None:
    """Mark a running entry applied, with the text that finally ran and its fingerprint."""
    print_ = schema_fingerprint(conn, scope)
    conn.execute(
        "UPDATE schemactl.history SET state = 'applied', up_sql = %s, down_sql = %s,"
        " checksum = %s, progress = %s, duration_ms = %s, applied_at = clock_timestamp(),"
        " fingerprint = %s, fingerprint_objects = %s WHERE id = %s",
        (
            up_sql,
            down_sql,
            checksum(up_sql),
            progress,
            duration_ms,
            print_.overall,
            Jsonb(print_.objects),
            entry_id,
        ),
    )


def mark_rolled_back(conn: psycopg.Connection, entry_ids: list[int], rollback_id: int) -> None:
    conn.execute(
        "UPDATE schemactl.history SET rolled_back_at = clock_timestamp(), rolled_back_by = %s"
        " WHERE id = ANY(%s)",
        (rollback_id, entry_ids),
    )


@dataclass(frozen=True)
class HistoryRow:
    """One row of the history table as read back."""

    id: int
    version: str
    name: str
    kind: str
    up_sql: str
    down_sql: str
    checksum: str
    reversible: bool
    irreversible_reason: str | None
    applied_by: str
    client_user: str | None
    applied_at: datetime
    duration_ms: int
    rolled_back_at: datetime | None
    rolled_back_by: int | None
    fingerprint: str | None
    fingerprint_objects: ObjectFingerprints | None
    state: str
    progress: int

    @property
    def label(self) -> str:
        """How people name the entry: ``migration 20250101120000_init``."""
        suffix = f"_{self.name}" if self.name and self.kind == "migration" else ""
        named = f" ({self.name})" if self.name and self.kind != "migration" else ""
        return f"{self.kind} {self.version}{suffix}{named}"

    @property
    def active(self) -> bool:
        """Applied (or partly applied) and not rolled back: a candidate for rollback."""
        return self.kind in ("apply", "migration") and self.rolled_back_at is None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "name": self.name,
            "kind": self.kind,
            "checksum": self.checksum,
            "reversible": self.reversible,
            "irreversible_reason": self.irreversible_reason,
            "applied_by": self.applied_by,
            "client_user": self.client_user,
            "applied_at": self.applied_at.isoformat(),
            "duration_ms": self.duration_ms,
            "rolled_back_at": self.rolled_back_at.isoformat() if self.rolled_back_at else None,
            "state": self.state,
            "progress": self.progress,
        }


# Columns added after the first release, with what an older table's rows mean by them.
_LATER_COLUMNS = {
    "irreversible_reason": "NULL::text",
    "fingerprint": "NULL::text",
    "fingerprint_objects": "NULL::jsonb",
    "state": "'applied'::text",
    "progress": "0",
    "rolled_back_by": "NULL::bigint",
}
_FIRST_COLUMNS = (
    "id, version, name, kind, up_sql, down_sql, checksum, reversible, applied_by,"
    " client_user, applied_at, duration_ms, rolled_back_at"
)


def read_history(conn: psycopg.Connection) -> list[HistoryRow]:
    """Every entry, oldest first; empty when schemactl never changed this database.

    Reading never changes the target: columns an older table lacks read as their
    defaults (the next apply upgrades the table)."""
    if not history_exists(conn):
        return []
    present = {
        str(r[0])
        for r in conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'schemactl.history'::regclass"
            " AND attnum > 0 AND NOT attisdropped"
        ).fetchall()
    }
    later = ", ".join(
        name if name in present else f"{default} AS {name}"
        for name, default in _LATER_COLUMNS.items()
    )
    query = f"SELECT {_FIRST_COLUMNS}, {later} FROM schemactl.history ORDER BY id"
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query.encode())
        return [HistoryRow(**row) for row in cur.fetchall()]
