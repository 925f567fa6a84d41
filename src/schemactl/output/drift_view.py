"""Drift: the objects where the database and the schema folder disagree."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table as RichTable

from schemactl.plan.model import Plan

# What a planned action says about the live database.
DRIFT_STATE = {"create": "missing", "drop": "unexpected", "alter": "changed"}


def drifted_objects(plan: Plan) -> list[dict[str, Any]]:
    """One entry per drifted object, in plan order, with the steps that would fix it."""
    objects: dict[tuple[str, str], dict[str, Any]] = {}
    for step in plan.steps:
        key = (step.kind, step.name)
        entry = objects.setdefault(
            key,
            {"kind": step.kind, "name": step.name, "state": DRIFT_STATE[step.action], "fix": []},
        )
        if entry["state"] != DRIFT_STATE[step.action]:
            entry["state"] = "changed"
        entry["fix"].append(step.sql)
    return list(objects.values())


def drift_json(plan: Plan) -> dict[str, Any]:
    return {
        "format_version": 1,
        "drift": plan.has_changes,
        "objects": drifted_objects(plan),
        "dev_server_version": plan.dev_server_version,
        "target_server_version": plan.target_server_version,
    }


def show_drift(console: Console, plan: Plan) -> None:
    if not plan.has_changes:
        console.print("[green]No drift: the database matches the schema.[/green]")
        return
    table = RichTable(title="Drift", show_lines=False)
    table.add_column("state")
    table.add_column("kind")
    table.add_column("object")
    colours = {"missing": "green", "unexpected": "red", "changed": "yellow"}
    for obj in drifted_objects(plan):
        colour = colours[obj["state"]]
        table.add_row(f"[{colour}]{obj['state']}[/{colour}]", obj["kind"], obj["name"])
    console.print(table)
