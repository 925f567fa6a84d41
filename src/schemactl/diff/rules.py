"""Extended statistics objects and rules.

A statistics object is created once its table's columns (and the functions its
expressions call) exist and dropped before they change; a new definition replaces it,
a new target is set in place. A rule is replaced in place (``CREATE OR REPLACE RULE``)
and dropped before the tables and views it names go, or a column it reads changes type
or goes (PostgreSQL refuses those while the rule stands; it comes back after them).
Either is created again when its table is rebuilt or its view recreated, since they go
with it.
"""

from __future__ import annotations

import dataclasses

from schemactl.catalog.model import Rule, Statistics
from schemactl.diff.changes import Change, Phase
from schemactl.diff.comments import comment_change
from schemactl.diff.context import DiffContext
from schemactl.diff.placing import placed
from schemactl.diff.regenerated import regenerated_columns
from schemactl.diff.views import changed_columns_of, rebuilt_views

FIRES_ON_ORIGIN = "O"


def diff_statistics(ctx: DiffContext) -> list[Change]:
    current, desired = ctx.current.statistics, ctx.desired.statistics
    regenerated = regenerated_columns(ctx) if current else frozenset()
    changes: list[Change] = []
    for ident in sorted(current.keys() | desired.keys()):
        old, new = current.get(ident), desired.get(ident)
        replaced = (
            old is not None
            and new is not None
            and (
                old.definition != new.definition
                or new.table in ctx.created_tables
                # a column it covers is dropped and added again, taking it along
                or any((old.table, column) in regenerated for column in old.columns)
            )
        )
        if old is not None and (new is None or replaced):
            changes.append(_statistics(old, "drop", "drop", Phase.DROP_STATISTICS))
        if new is None:
            continue
        if old is None or replaced:
            changes.append(_statistics(new, "create", "create", Phase.CREATE_STATISTICS))
        if new.target != (None if old is None or replaced else old.target):
            changes.append(_statistics(new, "alter", "set_target", Phase.CREATE_STATISTICS))
        before = None if old is None or replaced else old.comment
        changes += comment_change("statistics", f"STATISTICS {ident}", ident, before, new.comment)
    return placed(changes, {"statistics": "statistics"})


def _statistics(statistics: Statistics, action: str, macro: str, phase: Phase) -> Change:
    return Change(
        "statistics", statistics.ident, action, f"statistics.{macro}",
        {"statistics": statistics}, phase, order=(0 if macro != "set_target" else 1,),
    )  # fmt: skip


def diff_rules(ctx: DiffContext) -> list[Change]:
    current, desired = ctx.current.rules, ctx.desired.rules
    recreated = ctx.created_tables | rebuilt_views(ctx).keys()  # their rules go with them
    moving = _moving_columns(ctx) if any(r.columns for r in current.values()) else set()
    changes: list[Change] = []
    for key in sorted(current.keys() | desired.keys()):
        old, new = current.get(key), desired.get(key)
        # A rule reading a column that changes type or goes stands in its way: it goes
        # first and comes back after.
        aside = old is not None and new is not None and bool(moving.intersection(old.columns))
        # Dropped first, even with its table: its action may name a table dropped before.
        if old is not None and (new is None or new.table in recreated or aside):
            changes.append(_rule(old, "drop", "drop", Phase.DROP_RULE))
        if new is None:
            continue
        if old is None or new.table in recreated or aside:
            changes.append(_rule(new, "create", "create", Phase.CREATE_RULE))
            old = dataclasses.replace(new, enabled=FIRES_ON_ORIGIN, comment=None)
        elif old.definition != new.definition:
            changes.append(_rule(new, "alter", "replace", Phase.CREATE_RULE))
        if old.enabled != new.enabled:
            changes.append(_rule(new, "alter", "set_enabled", Phase.CREATE_RULE))
        changes += comment_change(
            "rule", f"RULE {new.ident} ON {new.table}", key, old.comment, new.comment
        )
    return placed(changes, {"rule": "rule"})


def _moving_columns(ctx: DiffContext) -> set[str]:
    """``table.column`` of the columns the migration retypes, drops or adds again, with
    their copies in partitions and children."""
    return {f"{table}.{column}" for table, column in changed_columns_of(ctx)}


def _rule(rule: Rule, action: str, macro: str, phase: Phase) -> Change:
    return Change(
        "rule", rule.key, action, f"rule.{macro}", {"rule": rule}, phase,
        order=(1 if macro == "set_enabled" else 0,),
    )  # fmt: skip
