"""The plan as JSON (``plan --format json`` and plan files): the plan itself, its summary,
and what preflight and the rehearsal found. Its shape is ``schemas/plan.schema.json``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from schemactl.output.grouping import summarize
from schemactl.plan.model import Plan

if TYPE_CHECKING:
    from schemactl.apply.preflight import PreflightReport
    from schemactl.apply.rehearsal import Rehearsal


def plan_document(
    plan: Plan, preflight: PreflightReport | None = None, rehearsal: Rehearsal | None = None
) -> dict[str, Any]:
    document = plan.to_json()
    document["summary"] = summarize(plan).to_json()
    document["preflight"] = preflight.to_json() if preflight is not None else None
    document["rehearsal"] = rehearsal.to_json() if rehearsal is not None else None
    return document
