"""Collations and casts: created, dropped, and replaced when their definition changes.

Neither can be altered in place (``ALTER COLLATION`` only renames, moves, changes the
owner or refreshes the library version). A collation columns or indexes still use, or a
cast a view relies on, cannot be dropped: PostgreSQL refuses and the apply changes nothing.
"""

from __future__ import annotations

import dataclasses

from schemactl.catalog.model import Cast, Collation
from schemactl.diff.changes import Change, Phase
from schemactl.diff.comments import comment_change
from schemactl.diff.context import DiffContext
from schemactl.diff.placing import placed


def _definition(value: Collation | Cast) -> Collation | Cast:
    return dataclasses.replace(value, comment=None)


def diff_collations(ctx: DiffContext) -> list[Change]:
    current, desired = ctx.current.collations, ctx.desired.collations
    changes: list[Change] = []
    for ident in sorted(current.keys() | desired.keys()):
        changes += _collation(current.get(ident), desired.get(ident), ident)
    return placed(changes, {"collation": "collation"})


def _collation(old: Collation | None, new: Collation | None, ident: str) -> list[Change]:
    changes: list[Change] = []
    replaced = old is not None and new is not None and _definition(old) != _definition(new)
    if old is not None and (new is None or replaced):
        changes.append(
            Change(
                "collation", ident, "drop", "collation.drop", {"collation": old},
                Phase.DROP_COLLATION,
            )
        )  # fmt: skip
    if new is not None and (old is None or replaced):
        changes.append(
            Change(
                "collation", ident, "create", "collation.create", {"collation": new},
                Phase.CREATE_COLLATION,
            )
        )  # fmt: skip
    if new is not None:
        before = None if old is None or replaced else old.comment
        changes += comment_change("collation", f"COLLATION {ident}", ident, before, new.comment)
    return changes


def diff_casts(ctx: DiffContext) -> list[Change]:
    current, desired = ctx.current.casts, ctx.desired.casts
    changes: list[Change] = []
    for key in sorted(current.keys() | desired.keys()):
        changes += _cast(current.get(key), desired.get(key), key)
    return placed(changes, {"cast": "cast"})


def _cast(old: Cast | None, new: Cast | None, key: str) -> list[Change]:
    changes: list[Change] = []
    replaced = old is not None and new is not None and _definition(old) != _definition(new)
    if old is not None and (new is None or replaced):
        changes.append(Change("cast", key, "drop", "cast.drop", {"cast": old}, Phase.DROP_CAST))
    if new is not None and (old is None or replaced):
        changes.append(
            Change("cast", key, "create", "cast.create", {"cast": new}, Phase.CREATE_CAST)
        )
    if new is not None:
        before = None if old is None or replaced else old.comment
        changes += comment_change("cast", f"CAST {key}", key, before, new.comment)
    return changes
