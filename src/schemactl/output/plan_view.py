"""A plan for people: the summary line, one entry per object with its parts nested,
hazards as badges, what changed attribute by attribute; then the SQL, never re-wrapped.

Objects created by the plan are summarized on one line (how many columns, constraints,
indexes, ...): their SQL follows. Everything that exists and changes is shown part by
part, old -> new. ``verbose`` lists the parts of created objects too.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from rich.console import Console
from rich.syntax import Syntax
from rich.text import Text
from rich.tree import Tree

from schemactl.diff.changes import DESTRUCTIVE, AttributeChange, Hazard
from schemactl.output.grouping import (
    ADD,
    CHANGE,
    DESTROY,
    Entry,
    Part,
    group,
    part_counts,
    plural,
    summarize,
)
from schemactl.plan.model import Plan

if TYPE_CHECKING:
    from schemactl.apply.preflight import PreflightReport
    from schemactl.apply.rehearsal import Rehearsal

SIGN_STYLE = {ADD: "green", CHANGE: "yellow", DESTROY: "red"}
ARROW = " -> "
# Attributes shown as their value alone: the value says what it is.
SELF_EXPLAINING = frozenset({"definition", "comment", "privileges"})
INLINE_LIMIT = 60  # a created part's single attribute goes on its line up to this length


def show_plan(
    console: Console,
    plan: Plan,
    show_sql: bool = True,
    verbose: bool = False,
    unchanged: str = "No changes: the database matches the schema.",
    preflight: PreflightReport | None = None,
    quiet: bool = False,
) -> None:
    """The whole text plan: summary, warnings, tree, preflight findings, then the SQL.
    ``quiet``: the summary line, warnings and findings only."""
    entries = group(plan.steps)
    if plan.has_changes:
        console.print(Text(summarize(plan, entries).line(), style="bold"), soft_wrap=True)
    for warning in plan.warnings:
        console.print(Text(f"warning: {warning}", style="yellow"))
    if not quiet:
        console.print(
            Text(f"desired state normalized by PostgreSQL {plan.dev_server_version}", style="dim")
        )
    if not plan.has_changes:
        console.print(Text(unchanged, style="green"))
        return
    if quiet:
        if preflight is not None and preflight.findings:
            show_preflight(console, preflight)
        return
    console.print(plan_tree(entries, verbose))
    if preflight is not None:
        show_preflight(console, preflight)
    if show_sql:
        console.print()
        print_sql(console, plan.up_sql())


def show_preflight(console: Console, report: PreflightReport) -> None:
    """What the target's rows say about the steps that can fail on them."""
    if not report.checked:
        return
    blocking = report.blocking
    style = "bold red" if blocking else ("yellow" if report.findings else "green")
    ending = ":" if report.findings else "."
    console.print(Text(f"Preflight: {report.summary()}{ending}", style=style))
    for finding in blocking:
        console.print(Text(f"  x {finding.where}: {finding.problem}", style="red"))
        console.print(Text(f"    remedy: {finding.remedy}", style="dim"))
    for finding in report.unchecked:
        console.print(Text(f"  ? {finding.where}: {finding.problem}", style="yellow"))


def rehearsal_notice(lock_timeout: str) -> Text:
    """Said before a rehearsal starts: what it does to the target while it runs."""
    return Text(
        "Rehearsing: the transactional steps run on the target in a transaction that is "
        f"always rolled back. It takes the same locks as apply (lock_timeout {lock_timeout}) "
        "and holds them until the rollback.",
        style="bold",
    )


def show_rehearsal(console: Console, rehearsal: Rehearsal) -> None:
    style = "green" if rehearsal.succeeded else ("yellow" if rehearsal.inconclusive else "bold red")
    summary = rehearsal.summary()
    console.print(Text(summary[0].upper() + summary[1:] + ".", style=style))


def print_sql(console: Console, sql: str) -> None:
    """SQL highlighted but never wrapped or cropped: what is copied is what runs."""
    highlighted = Syntax(sql.rstrip("\n"), "sql", theme="ansi_dark").highlight(sql.rstrip("\n"))
    highlighted.rstrip()
    console.print(highlighted, soft_wrap=True)


def plan_tree(entries: list[Entry], verbose: bool = False) -> Tree:
    tree = Tree(Text("Changes, grouped by object:", style="bold"), guide_style="dim")
    for entry in entries:
        node = tree.add(_headline(entry.sign, entry.label, entry.replaced))
        summarized = entry.sign == ADD and not verbose
        if summarized:
            if line := created_summary(entry):
                node.add(Text(line, style="dim"))
        else:
            _add_attributes(node, entry.attributes, entry.sign)
        _add_hazards(node, entry.hazards)
        for part in entry.parts:
            if summarized and not part.hazards:
                continue  # made with its object: counted in the summary, shown in the SQL
            _add_part(node, part)
    return tree


def _headline(sign: str, label: str, replaced: bool) -> Text:
    style = SIGN_STYLE.get(sign, "white")
    line = Text(f"{sign} ", style=f"bold {style}")
    line.append(label, style=style)
    if replaced:
        line.append("  (dropped and created again)", style="dim")
    return line


def created_summary(entry: Entry) -> str:
    """``14 columns; 5 constraints, 2 indexes, 2 policies; row security enabled, forced``"""
    pieces: list[str] = []
    for attribute in entry.attributes:
        value = attribute.new
        if value is None or "\n" in value or len(value) > INLINE_LIMIT:
            continue  # a definition: the SQL shows it
        if attribute.name == "columns":
            pieces.append(f"{value} {plural('column', int(value))}")
        else:
            pieces.append(f"{attribute.name} {value}")
    counted = [
        f"{count} {plural(kind, count)}"
        for kind, count in part_counts(entry)
        if kind != "row security"
    ]
    if counted:
        pieces.append(", ".join(counted))
    security = next((p for p in entry.parts if p.kind == "row security"), None)
    if security is not None:
        flags = [a.name for a in security.attributes if a.new == "yes"]
        if flags:
            pieces.append("row security " + ", ".join(flags))
    return "; ".join(pieces)


def _add_part(node: Tree, part: Part) -> None:
    attributes = part.attributes
    line = _headline(part.sign, part.label, part.replaced)
    inline = _inline(attributes, part.sign)
    if inline is not None:
        line.append(": ", style="dim")
        line.append(inline)
        attributes = []
    child = node.add(line)
    _add_attributes(child, attributes, part.sign)
    _add_hazards(child, part.hazards)


def _inline(attributes: list[AttributeChange], sign: str) -> str | None:
    """A created or removed part's one short attribute, to keep it on one line."""
    if len(attributes) != 1 or sign not in (ADD, DESTROY):
        return None
    (attribute,) = attributes
    value = attribute.new if attribute.new is not None else attribute.old
    if value is None or "\n" in value or len(value) > INLINE_LIMIT:
        return None
    return value if attribute.name in SELF_EXPLAINING else f"{attribute.name} {value}"


def _add_attributes(node: Tree, attributes: list[AttributeChange], sign: str) -> None:
    for attribute in attributes:
        if sign == ADD and attribute.name == "columns":
            continue
        if _multiline(attribute):
            diff = node.add(Text(f"{attribute.name}:", style="bold"))
            for line in unified_diff(attribute.old or "", attribute.new or ""):
                diff.add(_diff_line(line))
            continue
        node.add(_attribute_line(attribute))


def _attribute_line(attribute: AttributeChange) -> Text:
    line = Text(f"{attribute.name}: ", style="bold")
    if attribute.old is None:
        line.append(str(attribute.new), style="green")
    elif attribute.new is None:
        line.append(attribute.old, style="red")
        line.append(" (removed)", style="dim")
    else:
        line.append(attribute.old, style="red")
        line.append(ARROW, style="dim")
        line.append(attribute.new, style="green")
    return line


def _multiline(attribute: AttributeChange) -> bool:
    return "\n" in (attribute.old or "") or "\n" in (attribute.new or "")


def unified_diff(old: str, new: str) -> list[str]:
    """The lines that differ, with one line of context, as ``diff -u`` prints them."""
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), "before", "after", n=1, lineterm=""
    )
    return [line for line in lines if not line.startswith(("---", "+++"))]


def _diff_line(line: str) -> Text:
    style = {"+": "green", "-": "red", "@": "cyan"}.get(line[:1], "")
    return Text(line, style=style)


def _add_hazards(node: Tree, hazards: list[Hazard]) -> None:
    for hazard in hazards:
        node.add(hazard_badge(hazard))


def hazard_badge(hazard: Hazard) -> Text:
    style = "bold red" if hazard.kind in DESTRUCTIVE else "bold magenta"
    badge = Text(f"[{hazard.kind}]", style=style)
    badge.append(f" {hazard.reason}", style="magenta" if hazard.kind not in DESTRUCTIVE else "red")
    return badge
