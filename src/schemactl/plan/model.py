"""A plan: rendered steps to migrate up, and the steps that roll them back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from schemactl.diff.changes import DESTRUCTIVE, AttributeChange, Hazard, Precondition, Subject
from schemactl.plan.deferred import Deferred

# 2: steps carry their subject and attribute changes. Plan files of version 1 are
# still read (their steps are shown under their own kind and name).
PLAN_FORMAT_VERSION = 2
READABLE_FORMAT_VERSIONS = (1, 2)


@dataclass(frozen=True)
class Step:
    """One statement of a plan, rendered, with its hazards and how it must run (in the
    plan's transaction, or on its own)."""

    kind: str
    name: str
    action: str
    sql: str
    hazards: tuple[Hazard, ...] = ()
    transactional: bool = True
    separate: bool = False  # runs in a transaction of its own, after what came before
    subject: Subject | None = None  # where a reviewer finds it; None: under kind and name
    attributes: tuple[AttributeChange, ...] = ()
    preconditions: tuple[Precondition, ...] = ()  # what the rows must satisfy (preflight)

    @property
    def place(self) -> Subject:
        """The step's subject, or one made of its kind and name (plans of version 1)."""
        return self.subject or Subject(self.kind, self.name)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "action": self.action,
            "sql": self.sql,
            "hazards": [{"kind": h.kind, "reason": h.reason} for h in self.hazards],
            "transactional": self.transactional,
            "separate": self.separate,
            "subject": self.place.to_json(),
            "attributes": [a.to_json() for a in self.attributes],
            "preconditions": [p.to_json() for p in self.preconditions],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Step:
        subject = data.get("subject")
        return cls(
            kind=str(data["kind"]),
            name=str(data["name"]),
            action=str(data["action"]),
            sql=str(data["sql"]),
            hazards=tuple(Hazard(str(h["kind"]), str(h["reason"])) for h in data["hazards"]),
            transactional=bool(data["transactional"]),
            separate=bool(data.get("separate", False)),
            subject=Subject.from_json(subject) if subject is not None else None,
            attributes=tuple(AttributeChange.from_json(a) for a in data.get("attributes", ())),
            preconditions=tuple(Precondition.from_json(p) for p in data.get("preconditions", ())),
        )

    @property
    def hazard_kinds(self) -> frozenset[str]:
        return frozenset(h.kind for h in self.hazards)


@dataclass(frozen=True)
class Plan:
    """The steps of a migration and of its rollback. The rollback and the fingerprint of
    the schema the plan was computed against are worked out when first asked for."""

    steps: tuple[Step, ...]
    deferred_rollback: Deferred[tuple[Step, ...]]
    dev_server_version: str = ""
    target_server_version: str = ""
    warnings: tuple[str, ...] = field(default=())
    deferred_fingerprint: Deferred[str] = field(default_factory=lambda: Deferred.of(""))
    missing_roles: tuple[str, ...] = ()  # named by the schema, absent on the target

    @property
    def rollback(self) -> tuple[Step, ...]:
        return self.deferred_rollback.get()

    @property
    def target_fingerprint(self) -> str:
        """The schema this plan was computed against."""
        return self.deferred_fingerprint.get()

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
            "format_version": PLAN_FORMAT_VERSION,
            "changes": self.has_changes,
            "dev_server_version": self.dev_server_version,
            "target_server_version": self.target_server_version,
            "warnings": list(self.warnings),
            "target_fingerprint": self.target_fingerprint,
            "missing_roles": list(self.missing_roles),
            "steps": [step.to_json() for step in self.steps],
            "rollback": [step.to_json() for step in self.rollback],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        """A plan written by ``plan --out``; KeyError/TypeError/ValueError if malformed."""
        if data.get("format_version") not in READABLE_FORMAT_VERSIONS:
            raise ValueError(f"unsupported plan format_version {data.get('format_version')!r}")
        return cls(
            steps=tuple(Step.from_json(s) for s in data["steps"]),
            deferred_rollback=Deferred.of(tuple(Step.from_json(s) for s in data["rollback"])),
            dev_server_version=str(data.get("dev_server_version", "")),
            target_server_version=str(data.get("target_server_version", "")),
            warnings=tuple(str(w) for w in data.get("warnings", ())),
            deferred_fingerprint=Deferred.of(str(data["target_fingerprint"])),
        )
