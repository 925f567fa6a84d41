"""Generated columns the migration drops and adds again.

PostgreSQL cannot change a stored generation expression in place (before 17), nor drop
a routine that one calls: either way the column is dropped and added again, and its
values computed anew (a rewrite, not a loss: they are derived). What stands on the
column (indexes, constraints, views, policies, privileges, its comment) goes with it
and must come back; the differs of those kinds ask :func:`regenerated_columns`.

From PostgreSQL 17 on (the target's version), ``ALTER COLUMN ... SET EXPRESSION``
changes the expression in place, or computes the values again where a routine the
expression calls computes anew (:func:`sets_expression`): the column keeps its place
among the others, and what stands on it stays. It cannot do that around a type change
of a column the expression reads, a routine that is dropped, a new type or a change
between STORED and VIRTUAL: those columns are still added again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schemactl.catalog.model import Column, Table
from schemactl.catalog.version_neutral import major_of
from schemactl.diff.context import DiffContext
from schemactl.diff.recreation import views_asking
from schemactl.diff.types import dropped_or_replaced, element_type, swapped_types

# The first major version that sets a generation expression in place.
SET_EXPRESSION_SINCE = 17


def regenerates(
    old: Column,
    new: Column,
    recreated: frozenset[str],
    retyped: frozenset[str] = frozenset(),
    in_place: frozenset[str] | None = None,
) -> bool:
    """Whether column ``old`` becomes ``new`` by being dropped and added again.
    ``retyped``: the idents of the table's columns that change type or collation, which
    PostgreSQL refuses while a generation expression reads them. ``in_place``: see
    :func:`in_place_expressions`."""
    if new.generated is None:
        return False  # DROP EXPRESSION keeps the column and its values
    if in_place is not None and sets_expression(old, new, in_place, retyped):
        return False
    if old.generated != new.generated or old.generated_storage != new.generated_storage:
        return True
    if retyped and retyped.intersection(old.generated_uses):
        return True
    return bool(recreated.intersection(old.default_calls))


def sets_expression(
    old: Column, new: Column, dropped: frozenset[str], retyped: frozenset[str]
) -> bool:
    """Whether, where the server sets expressions in place, generated column ``old``
    becomes ``new`` that way: generated alike (STORED or VIRTUAL), of one type and
    collation, reading no column that changes type, calling no routine of ``dropped``."""
    return (
        old.generated is not None
        and new.generated is not None
        and old.generated_storage == new.generated_storage
        and (old.type, old.collation) == (new.type, new.collation)
        and not retyped.intersection(old.generated_uses)
        and not dropped.intersection(old.default_calls)
    )


def in_place_expressions(ctx: DiffContext) -> frozenset[str] | None:
    """On a target of PostgreSQL 17 or later, the routines that are dropped and created
    again (no expression calling one can be set in place); None before 17."""
    from schemactl.diff.routines import recreated_functions  # it imports views, which import us

    if (major_of(ctx.current.server_version) or 0) < SET_EXPRESSION_SINCE:
        return None
    return recreated_functions(ctx)


def retyped_columns(
    old: Table, new: Table, swapped: frozenset[str] = frozenset()
) -> frozenset[str]:
    """Idents of ``old``'s columns that ``new`` keeps under another type or collation, or
    under a type of ``swapped`` (one replaced under its columns, which are converted)."""
    found = set()
    for column in old.columns:
        wanted = new.column(column.name)
        if wanted is None:
            continue
        if (wanted.type, wanted.collation) != (column.type, column.collation) or (
            swapped and element_type(column.type) in swapped
        ):
            found.add(column.ident)
    return frozenset(found)


def regenerated_columns(ctx: DiffContext) -> frozenset[tuple[str, str]]:
    """(table ident, column ident) of every column dropped and added again."""
    return ctx.answer(("regenerated_columns", views_asking()), lambda: _regenerated(ctx))


def _regenerated(ctx: DiffContext) -> frozenset[tuple[str, str]]:
    # routines imports views, which import us
    from schemactl.diff.routines import recreated_functions, redefined_functions

    recreated = recreated_functions(ctx) | redefined_functions(ctx)
    in_place = in_place_expressions(ctx)
    swapped = swapped_types(ctx)
    tables = ctx.current.tables.keys() & ctx.desired.tables.keys()
    if not recreated and not swapped:  # then only a changed expression re-adds a column
        tables -= ctx.unchanged_tables
    found = set()
    for ident in tables:
        old_table, new_table = ctx.current.tables[ident], ctx.desired.tables[ident]
        retyped: frozenset[str] | None = None  # worked out for tables with generated columns
        # Only a column generated in the desired state is added again.
        for new in (c for c in new_table.columns if c.generated is not None):
            column = old_table.column(new.name)
            if column is None:
                continue
            if retyped is None:
                retyped = retyped_columns(old_table, new_table, swapped)
            if regenerates(column, new, recreated, retyped, in_place):
                found.add((ident, column.ident))
    return frozenset(found)


def standing_on(
    ctx: DiffContext, table: str, columns: tuple[str, ...], calls: tuple[str, ...]
) -> str | None:
    """Why an index or constraint that itself stays the same must be dropped and created
    again: a routine it calls is recreated, or a column it uses is added again."""
    return foundations(ctx).reason(table, columns, calls)


@dataclass(frozen=True)
class Foundations:
    """What the migration drops and creates again under indexes and constraints that
    themselves stay the same. Worked out once per comparison (see :func:`foundations`):
    the differs ask it for every index and constraint, and most of the time both sets
    are empty."""

    recreated: frozenset[str]  # routine signatures
    regenerated: frozenset[tuple[str, str]]  # (table ident, column ident)
    replaced_types: frozenset[str] = frozenset()  # user types dropped or replaced
    redefined: frozenset[str] = frozenset()  # routines replaced with a new body

    def reason(
        self, table: str, columns: tuple[str, ...], calls: tuple[str, ...], definition: str = ""
    ) -> str | None:
        """See :func:`standing_on`; ``definition``: the object's text, for the types it
        names (a constant of an enum, ``'open'::public.status``)."""
        if calls and (recreating := sorted(self.recreated.intersection(calls))):
            return f"{', '.join(recreating)} is dropped and created again"
        if calls and (redefining := sorted(self.redefined.intersection(calls))):
            return f"{', '.join(redefining)} is redefined, and this holds what it computed"
        regenerated = self.regenerated
        if regenerated and (readded := sorted(c for c in columns if (table, c) in regenerated)):
            return f"generated column {', '.join(readded)} of {table} is dropped and added again"
        if self.replaced_types and (named := names_types(definition, self.replaced_types)):
            return f"type {', '.join(named)} it names is replaced"
        return None


def names_types(definition: str, types: frozenset[str]) -> list[str]:
    """The types of ``types`` that ``definition`` casts to (``::public.status``): an
    index or constraint holding such a constant depends on the type, and PostgreSQL
    rebuilding it for a column's new type could not compare the two."""
    if "::" not in definition:
        return []
    return sorted(t for t in types if re.search(rf"::{re.escape(t)}(?![\w$])", definition))


def foundations(ctx: DiffContext) -> Foundations:
    """The recreated routines and regenerated columns of this comparison, for loops over
    every index or constraint to ask :meth:`Foundations.reason` without looking them up
    each time."""
    # routines imports views, which import us
    from schemactl.diff.routines import recreated_functions, redefined_functions

    return ctx.answer(
        ("foundations", views_asking()),
        lambda: Foundations(
            recreated_functions(ctx),
            regenerated_columns(ctx),
            frozenset(dropped_or_replaced(ctx) & ctx.current.types.keys()),
            redefined_functions(ctx),
        ),
    )
