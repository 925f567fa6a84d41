"""Row-level security policies: ALTER POLICY where PostgreSQL can, drop and create where not.

``ALTER POLICY`` changes the roles and sets a USING or WITH CHECK expression, but it
cannot change the command (FOR SELECT ...), PERMISSIVE/RESTRICTIVE, or remove an
expression: those take DROP + CREATE (so does a rename: policies are known by name).

A policy holds on to what its expressions use (``pg_depend``): PostgreSQL refuses
``ALTER COLUMN ... TYPE`` on a column a policy uses and refuses to drop a column,
relation or routine a policy uses. Such a policy is dropped before those changes and
created again after them, whether or not it changes itself; so is a policy reading a
view that is rebuilt.

Drops run in ``Phase.DROP_POLICY``, before the columns, tables and routines they use
go; creates and alters in ``Phase.CREATE_POLICY``, after tables, columns and routines
exist. A policy that uses a routine that is dropped is dropped with the triggers, first:
some routines are dropped that early (those that depend on a relation).
"""

from __future__ import annotations

from functools import cached_property

from schemactl.catalog.model import Catalog, Column, Policy
from schemactl.diff import hazards
from schemactl.diff.changes import Change, Phase
from schemactl.diff.context import DiffContext
from schemactl.diff.regenerated import regenerated_columns
from schemactl.diff.routines import recreated_functions
from schemactl.diff.types import element_type, swapped_types
from schemactl.diff.views import rebuilt_views


def diff_policies(ctx: DiffContext) -> list[Change]:
    current, desired = ctx.current.policies, ctx.desired.policies
    uses = _Dependencies(ctx)
    changes: list[Change] = []
    for key in sorted(desired.keys() - current.keys()):
        changes.append(_create(desired[key]))
    for key in sorted(current.keys() - desired.keys()):
        policy = current[key]
        if policy.table not in ctx.dropped_tables:  # else it goes with its table
            changes.append(_drop(policy, uses.early_drop(policy)))
    for key in sorted(current.keys() & desired.keys()):
        old, new = current[key], desired[key]
        if uses.blocked(old) or _must_recreate(old, new):
            changes += [_drop(old, uses.early_drop(old)), _create(new)]
        elif old != new:
            changes.append(_alter(old, new))
    return changes


def _must_recreate(old: Policy, new: Policy) -> bool:
    """What ALTER POLICY cannot do: change the command or the kind, remove an expression."""
    return (
        old.command != new.command
        or old.permissive != new.permissive
        or (old.using is not None and new.using is None)
        or (old.with_check is not None and new.with_check is None)
    )


class _Dependencies:
    """What the migration takes away from under existing policies."""

    def __init__(self, ctx: DiffContext) -> None:
        self.ctx = ctx

    @cached_property
    def gone_functions(self) -> frozenset[str]:
        current, desired = self.ctx.current.functions, self.ctx.desired.functions
        return frozenset(current.keys() - desired.keys()) | recreated_functions(self.ctx)

    @cached_property
    def rebuilt_views(self) -> frozenset[str]:
        return frozenset(rebuilt_views(self.ctx))

    @cached_property
    def swapped(self) -> frozenset[str]:
        return swapped_types(self.ctx)

    @cached_property
    def regenerated(self) -> frozenset[tuple[str, str]]:
        return regenerated_columns(self.ctx)

    def relation_survives(self, ident: str) -> bool:
        """Whether a relation (table, view, sequence) is still there after the migration,
        the same object: a table rebuilt is set aside from ``current`` and does not."""
        current, desired = self.ctx.current, self.ctx.desired
        if ident in current.tables or ident in desired.tables:
            return ident in current.tables and ident in desired.tables
        if ident in current.views or ident in desired.views:
            return (
                ident in current.views
                and ident in desired.views
                and ident not in self.rebuilt_views
            )
        return (
            f"SEQUENCE {ident}" in current.privileges and f"SEQUENCE {ident}" in desired.privileges
        )

    def blocked(self, policy: Policy) -> bool:
        """Whether something the policy uses is dropped or changes type."""
        return (
            any(f in self.gone_functions for f in policy.functions)
            or not all(self.relation_survives(r) for r in policy.relations)
            or any(self._column_changes(column) for column in policy.columns)
        )

    def early_drop(self, policy: Policy) -> bool:
        """Whether a routine the policy uses goes: routines that depend on a relation are
        dropped with the triggers, before the policies' phase, so the policy goes first."""
        return any(f in self.gone_functions for f in policy.functions)

    def _column_changes(self, column: tuple[str, str]) -> bool:
        table_ident, column_ident = column
        before = _column(self.ctx.current, table_ident, column_ident)
        if before is None:
            return False  # a view's column: the view is planned as a whole
        after = _column(self.ctx.desired, table_ident, column_ident)
        return (
            after is None
            or before.type != after.type
            or before.collation != after.collation
            or column in self.regenerated
            or element_type(before.type) in self.swapped
        )


def _column(catalog: Catalog, table_ident: str, column_ident: str) -> Column | None:
    """A table's column, looked up on its parents when it is inherited (a partition's)."""
    seen: set[str] = set()
    table = catalog.tables.get(table_ident)
    while table is not None and table.ident not in seen:
        seen.add(table.ident)
        column = next((c for c in table.columns if c.ident == column_ident), None)
        if column is not None:
            return column
        parent = table.partition_of or (table.inherits[0] if table.inherits else None)
        table = catalog.tables.get(parent) if parent else None
    return None


def _name(policy: Policy) -> str:
    return f"{policy.ident} ON {policy.table}"


def _create(policy: Policy) -> Change:
    return Change(
        "policy", _name(policy), "create", "policy.create", {"policy": policy},
        Phase.CREATE_POLICY, hazards.policy_change(policy.name, policy.table, "creating"),
    )  # fmt: skip


def _drop(policy: Policy, early: bool = False) -> Change:
    phase, order = (Phase.DROP_TRIGGER, (-1,)) if early else (Phase.DROP_POLICY, ())
    return Change(
        "policy", _name(policy), "drop", "policy.drop", {"policy": policy}, phase,
        hazards.policy_change(policy.name, policy.table, "dropping"), order=order,
    )  # fmt: skip


def _alter(old: Policy, new: Policy) -> Change:
    params = {
        "policy": new,
        "roles": new.roles if new.roles != old.roles else (),
        "using": new.using if new.using != old.using else None,
        "with_check": new.with_check if new.with_check != old.with_check else None,
    }
    return Change(
        "policy", _name(new), "alter", "policy.alter", params, Phase.CREATE_POLICY,
        hazards.policy_change(new.name, new.table, "changing"),
    )  # fmt: skip
