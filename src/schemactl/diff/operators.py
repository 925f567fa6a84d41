"""Operators, operator families and operator classes.

Operators come after the functions they call and before the tables, indexes and views
that use them; families before their classes, classes before a family's loose members.
An operator whose selectivity estimators change is altered in place; any other change
drops it and creates it again, as for operator classes (PostgreSQL refuses while an
index still uses one, and the apply changes nothing). A family's loose members are
added and dropped one by one (``ALTER OPERATOR FAMILY ... ADD / DROP``).
"""

from __future__ import annotations

import dataclasses

from schemactl.catalog.model import Operator, OperatorFamily, OperatorMember
from schemactl.diff.changes import Change, Phase
from schemactl.diff.comments import comment_change
from schemactl.diff.context import DiffContext
from schemactl.diff.placing import placed

FAMILIES, CLASSES, LOOSE_MEMBERS = 0, 1, 2  # order inside the operator class phases


LABELS = {
    "operator": "operator",
    "operator_family": "operator family",
    "operator_class": "operator class",
}


def diff_operators(ctx: DiffContext) -> list[Change]:
    return placed(_operators(ctx) + _families(ctx) + _classes(ctx), LABELS)


def _operators(ctx: DiffContext) -> list[Change]:
    current, desired = ctx.current.operators, ctx.desired.operators
    changes: list[Change] = []
    for key in sorted(current.keys() | desired.keys()):
        old, new = current.get(key), desired.get(key)
        replaced = old is not None and new is not None and _shape(old) != _shape(new)
        if old is not None and (new is None or replaced):
            changes.append(
                Change(
                    "operator", key, "drop", "operator.drop", {"operator": old},
                    Phase.DROP_OPERATOR,
                )
            )  # fmt: skip
        if new is None:
            continue
        if old is None or replaced:
            changes.append(
                Change(
                    "operator", key, "create", "operator.create", {"operator": new},
                    Phase.CREATE_OPERATOR,
                )
            )  # fmt: skip
        elif (old.restrict, old.join) != (new.restrict, new.join):
            changes.append(
                Change(
                    "operator", key, "alter", "operator.set_estimators", {"operator": new},
                    Phase.CREATE_OPERATOR,
                )
            )  # fmt: skip
        before = None if old is None or replaced else old.comment
        changes += comment_change("operator", f"OPERATOR {new.signature}", key, before, new.comment)
    return changes


def _shape(operator: Operator) -> Operator:
    """What only a new operator can change: all but the estimators and the comment."""
    return dataclasses.replace(operator, restrict=None, join=None, comment=None)


def _families(ctx: DiffContext) -> list[Change]:
    current, desired = ctx.current.operator_families, ctx.desired.operator_families
    changes: list[Change] = []
    for key in sorted(current.keys() | desired.keys()):
        old, new = current.get(key), desired.get(key)
        if old is not None and new is None:
            changes.append(
                Change(
                    "operator_family", key, "drop", "operator.drop_family", {"family": old},
                    Phase.DROP_OPERATOR_CLASS, order=(CLASSES,),
                )
            )  # fmt: skip
            continue
        if new is None:
            continue
        if old is None:
            changes.append(
                Change(
                    "operator_family", key, "create", "operator.create_family",
                    {"family": new}, Phase.CREATE_OPERATOR_CLASS, order=(FAMILIES,),
                )
            )  # fmt: skip
        changes += _loose_members(key, old, new)
        before = None if old is None else old.comment
        changes += comment_change(
            "operator_family", f"OPERATOR FAMILY {key}", key, before, new.comment
        )
    return changes


def _loose_members(key: str, old: OperatorFamily | None, new: OperatorFamily) -> list[Change]:
    before = set(old.members) if old else set()
    gone = sorted(before - set(new.members), key=_operators_first)
    added = sorted(set(new.members) - before, key=_operators_first)
    changes: list[Change] = []
    if gone:
        changes.append(
            Change(
                "operator_family", key, "alter", "operator.drop_members",
                {"family": new, "members": gone}, Phase.DROP_OPERATOR_CLASS, order=(FAMILIES,),
            )
        )  # fmt: skip
    if added:
        changes.append(
            Change(
                "operator_family", key, "alter", "operator.add_members",
                {"family": new, "members": added}, Phase.CREATE_OPERATOR_CLASS,
                order=(LOOSE_MEMBERS,),
            )
        )  # fmt: skip
    return changes


def _operators_first(member: OperatorMember) -> tuple[bool, OperatorMember]:
    return member.kind != "OPERATOR", member


def _classes(ctx: DiffContext) -> list[Change]:
    current, desired = ctx.current.operator_classes, ctx.desired.operator_classes
    changes: list[Change] = []
    for key in sorted(current.keys() | desired.keys()):
        old, new = current.get(key), desired.get(key)
        replaced = (
            old is not None
            and new is not None
            and dataclasses.replace(old, comment=None) != dataclasses.replace(new, comment=None)
        )
        if old is not None and (new is None or replaced):
            changes.append(
                Change(
                    "operator_class", key, "drop", "operator.drop_class", {"opclass": old},
                    Phase.DROP_OPERATOR_CLASS, order=(FAMILIES,),
                )
            )  # fmt: skip
        if new is None:
            continue
        if old is None or replaced:
            changes.append(
                Change(
                    "operator_class", key, "create", "operator.create_class", {"opclass": new},
                    Phase.CREATE_OPERATOR_CLASS, order=(CLASSES,),
                )
            )  # fmt: skip
        before = None if old is None or replaced else old.comment
        changes += comment_change("operator_class", f"OPERATOR CLASS {key}", key, before,
                                  new.comment)  # fmt: skip
    return changes
