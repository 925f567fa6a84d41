"""A plan for people: a tree of + / ~ / - per object, hazards highlighted, then the SQL."""

from __future__ import annotations

from rich.console import Console, Group
from rich.syntax import Syntax
from rich.text import Text
from rich.tree import Tree

from schemactl.diff.changes import DESTRUCTIVE
from schemactl.plan.model import Plan, Step

SIGNS = {"create": ("+", "green"), "alter": ("~", "yellow"), "drop": ("-", "red")}


def _step_label(step: Step) -> Text:
    sign, colour = SIGNS.get(step.action, ("?", "white"))
    label = Text(f"{sign} ", style=f"bold {colour}")
    label.append(f"{step.kind} ", style="dim")
    label.append(step.name, style=colour)
    return label


def plan_tree(plan: Plan) -> Tree:
    tree = Tree(Text(f"{len(plan.steps)} change(s)", style="bold"))
    for step in plan.steps:
        node = tree.add(_step_label(step))
        for hazard in step.hazards:
            style = "bold red" if hazard.kind in DESTRUCTIVE else "magenta"
            node.add(Text(f"! {hazard.kind}: {hazard.reason}", style=style))
    return tree


def show_plan(console: Console, plan: Plan) -> None:
    for warning in plan.warnings:
        console.print(Text(f"warning: {warning}", style="yellow"))
    console.print(
        Text(f"desired state normalized by PostgreSQL {plan.dev_server_version}", style="dim")
    )
    if not plan.has_changes:
        console.print(Text("No changes: the database matches the schema.", style="green"))
        return
    console.print(plan_tree(plan))
    console.print()
    console.print(Group(Syntax(plan.up_sql(), "sql", theme="ansi_dark", word_wrap=True)))
