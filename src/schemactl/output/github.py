"""GitHub Actions workflow annotations: each hazard, blocking preflight finding or drifted
object as a ``::warning`` / ``::error`` pointing at the schema file and line that
defines it, so a pull request shows it on the line it concerns."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from schemactl.diff.changes import DESTRUCTIVE, Hazard, Subject
from schemactl.errors import SourceLocation
from schemactl.output.grouping import ADD, DESTROY, Entry, Part, group, summarize
from schemactl.output.markdown import DRIFT_STATES
from schemactl.plan.model import Plan

if TYPE_CHECKING:
    from schemactl.apply.preflight import PreflightReport

Locate = Callable[[Subject], SourceLocation | None]


def plan_annotations(
    plan: Plan, locate: Locate, preflight: PreflightReport | None = None
) -> list[str]:
    """One annotation per object or part with hazards, one per blocking finding, and a
    notice with the summary line."""
    lines: list[str] = []
    for entry in group(plan.steps):
        for part in [None, *entry.parts]:
            hazards = part.hazards if part is not None else entry.hazards
            if not hazards:
                continue
            subject = _subject(entry, part)
            level = "error" if any(h.kind in DESTRUCTIVE for h in hazards) else "warning"
            kinds = ", ".join(dict.fromkeys(h.kind for h in hazards))
            lines.append(
                annotation(
                    level, f"{kinds}: {_label(entry, part)}", _message(hazards), locate(subject)
                )
            )
    for finding in preflight.blocking if preflight else ():
        lines.append(
            annotation(
                "error",
                f"preflight: {finding.step.place.kind} {finding.step.place.name}",
                f"{finding.message()}",
                locate(finding.step.place),
            )
        )
    if plan.has_changes:
        lines.append(annotation("notice", "schemactl plan", summarize(plan).line(), None))
    return lines


def drift_annotations(plan: Plan, locate: Locate) -> list[str]:
    """One warning per drifted object (per part, for objects that exist on both sides)."""
    lines: list[str] = []
    for entry in group(plan.steps):
        rows: list[Part | None] = [None] if entry.sign in (ADD, DESTROY) or entry.own else []
        if entry.sign not in (ADD, DESTROY):
            rows += entry.parts
        for part in rows:
            sign = part.sign if part is not None else entry.sign
            state = DRIFT_STATES[sign]
            attributes = part.attributes if part is not None else entry.attributes
            details = "; ".join(
                f"{a.name}: {a.old} -> {a.new}" if a.old is not None and a.new is not None
                else f"{a.name}: {a.new if a.new is not None else a.old}"
                for a in attributes
                if "\n" not in (a.old or "") + (a.new or "") and a.name != "columns"
            )  # fmt: skip
            where = "in the schema but not in the database" if state == "missing" else (
                "in the database but not in the schema" if state == "unexpected"
                else "differs between the database and the schema"
            )  # fmt: skip
            message = f"{_label(entry, part)} is {where}" + (f" ({details})" if details else "")
            lines.append(
                annotation(
                    "warning",
                    f"drift: {state} {_label(entry, part)}",
                    message,
                    locate(_subject(entry, part)),
                )
            )
    return lines


def _subject(entry: Entry, part: Part | None) -> Subject:
    if part is None:
        return Subject(entry.kind, entry.name)
    return Subject(entry.kind, entry.name, part.kind, part.name)


def _label(entry: Entry, part: Part | None) -> str:
    return entry.label if part is None else f"{entry.label} {part.label}"


def _message(hazards: list[Hazard]) -> str:
    return "; ".join(f"[{h.kind}] {h.reason}" for h in hazards)


def annotation(level: str, title: str, message: str, where: SourceLocation | None) -> str:
    """``::warning file=F,line=L,col=C,title=T::message``, escaped as GitHub reads it."""
    properties = []
    if where is not None:
        properties += [
            f"file={_property(_relative(where.path))}",
            f"line={where.line}",
            f"col={where.column}",
        ]
    properties.append(f"title={_property(title)}")
    return f"::{level} {','.join(properties)}::{_data(message)}"


def _relative(path: str) -> str:
    """A path as the repository names it: relative to the working directory when inside."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
