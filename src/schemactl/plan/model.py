"""A plan: rendered steps to migrate up, and the steps that roll them back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from schemactl.diff.changes import DESTRUCTIVE, Hazard


@dataclass(frozen=True)
class Step:
    kind: str
    name: str
    action: str
    sql: str
    hazards: tuple[Hazard, ...] = ()
    transactional: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "action": self.action,
            "sql": self.sql,
            "hazards": [{"kind": h.kind, "reason": h.reason} for h in self.hazards],
            "transactional": self.transactional,
        }

    @property
    def hazard_kinds(self) -> frozenset[str]:
        return frozenset(h.kind for h in self.hazards)


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]
    rollback: tuple[Step, ...]
    dev_server_version: str = ""
    target_server_version: str = ""
    warnings: tuple[str, ...] = field(default=())

    @property
    def has_changes(self) -> bool:
        return bool(self.steps)

    def up_sql(self) -> str:
        return "\n\n".join(step.sql for step in self.steps) + ("\n" if self.steps else "")

    def down_sql(self) -> str:
        return "\n\n".join(step.sql for step in self.rollback) + ("\n" if self.rollback else "")

    def destructive_steps(self, allowed: frozenset[str] = frozenset()) -> list[Step]:
        return [s for s in self.steps if (s.hazard_kinds & DESTRUCTIVE) - allowed]

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": 1,
            "changes": self.has_changes,
            "dev_server_version": self.dev_server_version,
            "target_server_version": self.target_server_version,
            "warnings": list(self.warnings),
            "steps": [step.to_json() for step in self.steps],
            "rollback": [step.to_json() for step in self.rollback],
        }
