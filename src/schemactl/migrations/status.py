"""``status``: what the history says was applied, and which migration files are pending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from schemactl.apply.history import RUNNING, HistoryRow, checksum
from schemactl.migrations.deploy import applied_migrations
from schemactl.migrations.files import MigrationFolder

APPLIED = "applied"
PENDING = "pending"
ROLLED_BACK = "rolled back"
PARTLY_APPLIED = "partly applied"


@dataclass(frozen=True)
class StatusEntry:
    kind: str  # migration | apply
    version: str
    name: str
    state: str
    applied_at: datetime | None = None
    applied_by: str | None = None
    duration_ms: int | None = None
    rolled_back_at: datetime | None = None
    reversible: bool | None = None
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "version": self.version,
            "name": self.name,
            "state": self.state,
            "applied_at": self.applied_at.isoformat() if self.applied_at else None,
            "applied_by": self.applied_by,
            "duration_ms": self.duration_ms,
            "rolled_back_at": self.rolled_back_at.isoformat() if self.rolled_back_at else None,
            "reversible": self.reversible,
            "note": self.note,
        }


@dataclass(frozen=True)
class StatusReport:
    entries: tuple[StatusEntry, ...]

    def count(self, state: str) -> int:
        return sum(1 for e in self.entries if e.state == state)

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": 1,
            "applied": self.count(APPLIED),
            "pending": self.count(PENDING),
            "entries": [e.to_json() for e in self.entries],
        }


def _state(row: HistoryRow) -> str:
    if row.rolled_back_at is not None:
        return ROLLED_BACK
    return PARTLY_APPLIED if row.state == RUNNING else APPLIED


def _who(row: HistoryRow) -> str:
    if row.client_user and row.client_user != row.applied_by:
        return f"{row.applied_by} ({row.client_user})"
    return row.applied_by


def _note(row: HistoryRow, folder: MigrationFolder) -> str:
    if not row.active:
        return ""
    if row.kind != "migration":
        return "" if row.reversible else "NOT REVERSIBLE"
    migration = folder.find(row.version)
    if migration is None:
        return "no file in the migrations folder"
    if row.state != RUNNING and checksum(migration.up_text()) != row.checksum:
        return "file changed since it was applied"
    if row.state == RUNNING:
        return f"{row.progress} statement(s) committed; `migrate apply` resumes it"
    return "NOT REVERSIBLE" if not row.reversible else ""


def build_status(rows: list[HistoryRow], folder: MigrationFolder) -> StatusReport:
    """History entries (declarative applies and migrations) oldest first, then pending files."""
    entries = [
        StatusEntry(
            kind=row.kind,
            version=row.version,
            name=row.name,
            state=_state(row),
            applied_at=row.applied_at,
            applied_by=_who(row),
            duration_ms=row.duration_ms,
            rolled_back_at=row.rolled_back_at,
            reversible=row.reversible,
            note=_note(row, folder),
        )
        for row in rows
        if row.kind in ("apply", "migration")
    ]
    applied = applied_migrations(rows)
    entries += [
        StatusEntry("migration", m.version, m.name, PENDING)
        for m in folder.migrations
        if m.version not in applied
    ]
    return StatusReport(tuple(entries))
