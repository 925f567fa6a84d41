"""The plan as a reviewer reads it: one entry per object, its parts nested, and a summary.

The steps run in dependency order (that order is the plan's and never changes); this
view regroups them by subject: a table with its columns, constraints, indexes,
triggers, policies, grants and comments; a function with its grants; and so on. Every
output format (text, markdown, GitHub annotations) shows the same grouping.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from schemactl.diff.changes import AttributeChange, Hazard
from schemactl.plan.model import Plan, Step

ADD, CHANGE, DESTROY = "+", "~", "-"

# Objects in the order a DBA thinks of them; kinds not listed follow, by name.
KIND_ORDER = (
    "schema", "extension", "role", "type", "domain", "sequence", "table", "view",
    "materialized view", "function", "procedure", "aggregate", "event trigger",
    "default privileges", "job",
)  # fmt: skip
PART_ORDER = (
    "row security", "column", "partition", "sequence", "constraint", "index", "trigger",
    "policy", "value", "attribute", "grant", "owner", "comment",
)  # fmt: skip
PLURALS = {"index": "indexes", "row security": "row security", "policy": "policies"}


@dataclass
class Part:
    """A column, constraint, index, ... of an object, with every step that touches it."""

    kind: str
    name: str
    steps: list[Step] = field(default_factory=list)
    # Steps on the part as an object of its own (a partition's grants): counted, their
    # hazards shown, their attributes not merged into the part's.
    folded: list[Step] = field(default_factory=list)

    @property
    def sign(self) -> str:
        return _sign(self.steps, self.attributes)

    @property
    def replaced(self) -> bool:
        return _replaced(self.steps)

    @property
    def attributes(self) -> list[AttributeChange]:
        return merge_attributes(self.steps)

    @property
    def hazards(self) -> list[Hazard]:
        return _hazards([*self.steps, *self.folded])

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}" if self.name else self.kind


@dataclass
class Entry:
    """One top-level object of the plan (a table, view, function, type, schema, ...)."""

    kind: str
    name: str
    own: list[Step] = field(default_factory=list)  # steps on the object itself
    parts: list[Part] = field(default_factory=list)

    @property
    def steps(self) -> list[Step]:
        return [*self.own, *(s for p in self.parts for s in (*p.steps, *p.folded))]

    @property
    def sign(self) -> str:
        if not self.own:
            return CHANGE
        return _sign(self.own, self.attributes)

    @property
    def replaced(self) -> bool:
        return _replaced(self.own)

    @property
    def attributes(self) -> list[AttributeChange]:
        return merge_attributes(self.own)

    @property
    def hazards(self) -> list[Hazard]:
        return _hazards(self.own)

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"

    def part(self, kind: str, name: str) -> Part:
        found = next((p for p in self.parts if p.kind == kind and p.name == name), None)
        if found is None:
            found = Part(kind, name)
            self.parts.append(found)
        return found


@dataclass(frozen=True)
class Summary:
    add: int
    change: int
    destroy: int
    hazards: dict[str, int]  # hazard class -> how many steps carry it

    def line(self) -> str:
        """``Plan: 31 to add, 4 to change, 1 to destroy; hazards: 1 data_loss, ...``"""
        counts = f"Plan: {self.add} to add, {self.change} to change, {self.destroy} to destroy"
        hazards = ", ".join(f"{n} {kind}" for kind, n in self.hazards.items()) or "none"
        return f"{counts}; hazards: {hazards}"

    def to_json(self) -> dict[str, object]:
        return {
            "add": self.add,
            "change": self.change,
            "destroy": self.destroy,
            "hazards": dict(self.hazards),
        }


def group(steps: tuple[Step, ...] | list[Step]) -> list[Entry]:
    """The steps regrouped by object, objects and parts in a reviewer's order."""
    entries: dict[tuple[str, str], Entry] = {}
    for step in steps:
        subject = step.place
        entry = entries.get(subject.top)
        if entry is None:
            entry = entries[subject.top] = Entry(subject.kind, subject.name)
        if subject.part_kind:
            entry.part(subject.part_kind, subject.part).steps.append(step)
        else:
            entry.own.append(step)
    _fold_partitions(entries)
    for entry in entries.values():
        entry.parts.sort(key=lambda p: (_rank(PART_ORDER, p.kind), p.kind, p.name))
    return sorted(entries.values(), key=lambda e: (_rank(KIND_ORDER, e.kind), e.kind, e.name))


def _fold_partitions(entries: dict[tuple[str, str], Entry]) -> None:
    """A partition that the plan creates or attaches is a part of its parent; what the plan
    does to the partition itself (its grants, row security, comments) goes with that part."""
    for parent in list(entries.values()):
        schema = parent.name.rsplit(".", 1)[0] if "." in parent.name else ""
        for part in parent.parts:
            if part.kind != "partition":
                continue
            own = entries.pop(("table", f"{schema}.{part.name}" if schema else part.name), None)
            if own is not None and own is not parent:
                part.folded += own.steps


def summarize(plan: Plan, entries: list[Entry] | None = None) -> Summary:
    entries = group(plan.steps) if entries is None else entries
    signs = Counter(e.sign for e in entries)
    hazards = Counter(kind for step in plan.steps for kind in sorted(step.hazard_kinds))
    return Summary(
        signs[ADD], signs[CHANGE], signs[DESTROY], dict(sorted(hazards.items(), key=_by_count))
    )


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


def merge_attributes(steps: list[Step]) -> list[AttributeChange]:
    """One change per attribute over several steps: the first state seen before, the
    last one after (a REVOKE then a GRANT read as privileges old -> new)."""
    merged: dict[str, AttributeChange] = {}
    for step in steps:
        for change in step.attributes:
            seen = merged.get(change.name)
            if seen is None:
                merged[change.name] = change
            else:
                merged[change.name] = AttributeChange(
                    change.name,
                    seen.old if seen.old is not None else change.old,
                    change.new if change.new is not None else seen.new,
                )
    return list(merged.values())


def part_counts(entry: Entry) -> list[tuple[str, int]]:
    """How many parts of each kind an entry has, in a reviewer's order."""
    counts = Counter(p.kind for p in entry.parts)
    return [(kind, counts[kind]) for kind in dict.fromkeys(p.kind for p in entry.parts)]


def plural(kind: str, count: int) -> str:
    if count == 1:
        return kind
    return PLURALS.get(kind, kind + "s")


def _sign(steps: list[Step], attributes: list[AttributeChange]) -> str:
    actions = {s.action for s in steps}
    if actions == {"create"}:
        return ADD
    if actions == {"drop"}:
        return DESTROY
    if "alter" in actions and actions <= {"alter", "create"} and attributes:
        if all(a.old is None for a in attributes):
            return ADD
        if all(a.new is None for a in attributes) and actions == {"alter"}:
            return DESTROY
    return CHANGE


def _replaced(steps: list[Step]) -> bool:
    actions = {s.action for s in steps}
    return {"create", "drop"} <= actions


def _hazards(steps: list[Step]) -> list[Hazard]:
    return list(dict.fromkeys(h for s in steps for h in s.hazards))


def _rank(order: tuple[str, ...], kind: str) -> int:
    return order.index(kind) if kind in order else len(order)
