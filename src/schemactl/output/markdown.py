"""Plans and drift as Markdown, for a pull request comment: the summary line, a table of
changes with their hazards, and the SQL in a collapsed ``<details>`` block."""

from __future__ import annotations

from typing import TYPE_CHECKING

from schemactl.diff.changes import DESTRUCTIVE, AttributeChange, Hazard
from schemactl.output.grouping import ADD, CHANGE, DESTROY, Entry, Part, group, summarize
from schemactl.output.plan_view import created_summary, unified_diff
from schemactl.plan.model import Plan

if TYPE_CHECKING:
    from schemactl.apply.preflight import PreflightReport
    from schemactl.apply.rehearsal import Rehearsal

DRIFT_STATES = {ADD: "missing", CHANGE: "changed", DESTROY: "unexpected"}
ARROW = " → "


def plan_markdown(
    plan: Plan,
    title: str = "schemactl plan",
    preflight: PreflightReport | None = None,
    rehearsal: Rehearsal | None = None,
    unchanged: str = "No changes: the database matches the schema.",
) -> str:
    lines = [f"### {title}", ""]
    if not plan.has_changes:
        return "\n".join([*lines, unchanged, ""])
    entries = group(plan.steps)
    lines += [f"**{summarize(plan, entries).line()}**", ""]
    lines += [f"> warning: {_cell(w)}" for w in plan.warnings]
    if plan.warnings:
        lines.append("")
    lines += ["| | object | part | change | hazards |", "|---|---|---|---|---|"]
    for entry in entries:
        lines += [_row(entry, part) for part in _shown_parts(entry)]
    lines.append("")
    lines += _preflight(preflight)
    lines += _rehearsal(rehearsal)
    lines += sql_block(plan)
    return "\n".join(lines)


def drift_markdown(plan: Plan) -> str:
    lines = ["### schemactl drift", ""]
    if not plan.has_changes:
        return "\n".join([*lines, "No drift: the database matches the schema.", ""])
    entries = group(plan.steps)
    counts = {state: 0 for state in DRIFT_STATES.values()}
    for entry in entries:
        counts[DRIFT_STATES[entry.sign]] += 1
    found = ", ".join(f"{n} {state}" for state, n in counts.items() if n)
    lines += [f"**Drift: {found}** (objects the database and the schema disagree on)", ""]
    lines += ["| state | object | part | what differs |", "|---|---|---|---|"]
    for entry in entries:
        for part in _shown_parts(entry):
            sign = part.sign if part is not None else entry.sign
            what = _change(part.attributes if part else entry.attributes, sign, part, entry)
            lines.append(f"| {DRIFT_STATES[sign]} | {_object(entry)} | {_part(part)} | {what} |")
    lines.append("")
    lines += sql_block(plan, "SQL that would make the database match the schema")
    return "\n".join(lines)


def _shown_parts(entry: Entry) -> list[Part | None]:
    """The rows of an entry: the object itself (None), and its parts unless the object
    is created (then its parts are counted on its row)."""
    rows: list[Part | None] = []
    if entry.own or entry.sign == ADD or not entry.parts:
        rows.append(None)
    if entry.sign != ADD:
        rows += entry.parts
    return rows


def _row(entry: Entry, part: Part | None) -> str:
    sign = part.sign if part is not None else entry.sign
    attributes = part.attributes if part is not None else entry.attributes
    hazards = part.hazards if part is not None else _entry_hazards(entry)
    change = _change(attributes, sign, part, entry)
    return f"| {sign} | {_object(entry)} | {_part(part)} | {change} | {_hazards(hazards)} |"


def _entry_hazards(entry: Entry) -> list[Hazard]:
    """A created object's row carries its parts' hazards too (they have no rows)."""
    if entry.sign != ADD:
        return entry.hazards
    return list(dict.fromkeys([*entry.hazards, *(h for p in entry.parts for h in p.hazards)]))


def _object(entry: Entry) -> str:
    return f"{entry.kind} `{_cell(entry.name)}`"


def _part(part: Part | None) -> str:
    if part is None:
        return ""
    return f"{part.kind} `{_cell(part.name)}`" if part.name else part.kind


def _change(attributes: list[AttributeChange], sign: str, part: Part | None, entry: Entry) -> str:
    if part is None and sign == ADD:
        return _cell("created" + (f": {summary}" if (summary := created_summary(entry)) else ""))
    if sign == DESTROY and not any(a.old is not None and a.new is not None for a in attributes):
        return "dropped" if part is None else "removed"
    pieces = []
    for attribute in attributes:
        if sign == ADD and attribute.name == "columns":
            continue
        pieces.append(_attribute(attribute))
    replaced = (part.replaced if part is not None else entry.replaced) and sign == CHANGE
    if replaced:
        pieces.append("dropped and created again")
    return "<br>".join(pieces) or ("added" if sign == ADD else "changed")


def _attribute(attribute: AttributeChange) -> str:
    old, new = attribute.old, attribute.new
    if "\n" in (old or "") or "\n" in (new or ""):
        diff = unified_diff(old or "", new or "")
        added = sum(1 for line in diff if line.startswith("+"))
        removed = sum(1 for line in diff if line.startswith("-"))
        return f"{attribute.name}: +{added} −{removed} lines (see the SQL)"
    if old is None:
        return f"{attribute.name}: `{_cell(new or '')}`"
    if new is None:
        return f"{attribute.name}: ~~`{_cell(old)}`~~"
    return f"{attribute.name}: `{_cell(old)}`{ARROW}`{_cell(new)}`"


def _hazards(hazards: list[Hazard]) -> str:
    """Each hazard with its reason; the destructive ones in bold."""
    return "<br>".join(
        (f"**`{h.kind}`**" if h.kind in DESTRUCTIVE else f"`{h.kind}`") + f" {_cell(h.reason)}"
        for h in hazards
    )


def _preflight(report: PreflightReport | None) -> list[str]:
    if report is None or not report.checked:
        return []
    if not report.findings:
        return [f"Preflight: {report.summary()}.", ""]
    lines = [f"**Preflight**: {report.summary()}:", ""]
    for finding in report.findings:
        mark = "❌" if finding.blocking else "❔"
        remedy = f" Remedy: {finding.remedy}." if finding.remedy else ""
        lines.append(f"- {mark} {_cell(finding.where)}: {_cell(finding.problem)}.{remedy}")
    return [*lines, ""]


def _rehearsal(rehearsal: Rehearsal | None) -> list[str]:
    if rehearsal is None:
        return []
    mark = "✅" if rehearsal.succeeded else ("❔" if rehearsal.inconclusive else "❌")
    summary = rehearsal.summary()
    return [f"{mark} {_cell(summary[0].upper() + summary[1:])}.", ""]


def sql_block(plan: Plan, label: str = "SQL") -> list[str]:
    sql = plan.up_sql().rstrip("\n")
    fence = "~~~" if "```" in sql else "```"
    return [
        "<details>",
        f"<summary>{label} ({len(plan.steps)} statement(s), in execution order)</summary>",
        "",
        f"{fence}sql",
        sql,
        fence,
        "",
        "</details>",
        "",
    ]


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, no column breaks."""
    return " ".join(text.replace("|", "\\|").replace("`", "'").split())
