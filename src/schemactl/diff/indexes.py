"""Indexes that stand on their own (constraint indexes go with their constraint)."""

from __future__ import annotations

from schemactl.catalog.model import Index
from schemactl.diff import hazards
from schemactl.diff.changes import Change, Phase
from schemactl.diff.comments import comment_change
from schemactl.diff.context import DiffContext


def _create(ctx: DiffContext, index: Index) -> list[Change]:
    risk = (
        () if index.table in ctx.created_tables else hazards.build_index(index.ident, index.table)
    )
    phase = Phase.CREATE_VIEW_INDEX if index.table_kind == "m" else Phase.CREATE_INDEX
    changes = [
        Change("index", index.ident, "create", "index.create", {"index": index}, phase, risk)
    ]
    changes += comment_change("index", f"INDEX {index.ident}", index.ident, None, index.comment)
    return changes


def diff_indexes(ctx: DiffContext) -> list[Change]:
    changes: list[Change] = []
    current, desired = ctx.current.indexes, ctx.desired.indexes
    for ident in sorted(desired.keys() - current.keys()):
        changes += _create(ctx, desired[ident])
    for ident in sorted(current.keys() - desired.keys()):
        if current[ident].table not in ctx.dropped_tables:
            changes.append(
                Change(
                    "index",
                    ident,
                    "drop",
                    "index.drop",
                    {"index": current[ident]},
                    Phase.DROP_INDEX,
                )
            )
    for ident in sorted(current.keys() & desired.keys()):
        old, new = current[ident], desired[ident]
        if old.definition != new.definition or not old.valid:
            changes.append(
                Change("index", ident, "drop", "index.drop", {"index": old}, Phase.DROP_INDEX)
            )
            changes += _create(ctx, new)
        else:
            changes += comment_change("index", f"INDEX {ident}", ident, old.comment, new.comment)
    return changes
