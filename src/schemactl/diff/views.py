"""Views and materialized views: created by dependency rank, altered in place where
PostgreSQL allows it, and rebuilt with everything that stands on them where it does not.

PostgreSQL refuses to drop or retype a column a view uses, and to drop a view another
view uses. So when a column under a view changes type or goes, or a view must be
dropped first, dependents before what they depend on, and recreated after the
tables changed, in dependency order: never alphabetically. ``rebuilt_views`` names
them, so that the differs of what hangs on a view (indexes of materialized views,
triggers, grants) can recreate it with the view.

A materialized view that stays holds rows computed when it was last refreshed. Where a
routine its query calls (itself, or through a view it reads) is redefined, those rows
are what the old body computed: it is refreshed once every body is in place
(:func:`refreshed_views`), CONCURRENTLY online where a unique index allows it.
"""

from __future__ import annotations

import re

from schemactl.catalog.model import Catalog, Table, View, ViewColumn
from schemactl.diff.changes import Change, Hazard, HazardKind, Phase
from schemactl.diff.comments import comment_change
from schemactl.diff.context import DiffContext
from schemactl.diff.recreation import must_recreate, views_asking
from schemactl.diff.regenerated import regenerated_columns, retyped_columns
from schemactl.diff.types import dropped_or_replaced, swapped_types


def diff_views(ctx: DiffContext) -> list[Change]:
    current, desired = ctx.current.views, ctx.desired.views
    rebuilt = rebuilt_views(ctx)
    current_rank, desired_rank = ranks(ctx.current), ranks(ctx.desired)
    changes: list[Change] = []
    for ident in sorted(current, key=lambda i: (-current_rank[i], i)):
        if ident not in desired or ident in rebuilt:
            changes.append(_drop(current[ident], current_rank[ident], rebuilt.get(ident)))
    for ident in sorted(desired, key=lambda i: (desired_rank[i], i)):
        view, rank = desired[ident], desired_rank[ident]
        if ident not in current or ident in rebuilt:
            changes += _create(view, rank)
        else:
            changes += _alter(current[ident], view, rank)
    for ident, reason in refreshed_views(ctx).items():
        changes.append(_refresh(ctx, desired[ident], desired_rank[ident], reason))
    return changes


def refreshed_views(ctx: DiffContext) -> dict[str, str]:
    """Materialized views that stay, filled, while a routine their query calls is
    redefined (diff/routines.py: ``redefined_functions``): each with the reason, by
    ident. A view they read passes the reason on, and so does a materialized view
    refreshed under them."""
    from schemactl.diff.routines import redefined_functions  # it imports us

    redefined = redefined_functions(ctx)
    if not redefined:
        return {}
    current, desired = ctx.current.views, ctx.desired.views
    rebuilt = rebuilt_views(ctx)
    staying = {i: v for i, v in current.items() if i in desired and i not in rebuilt}
    reasons: dict[str, str | None] = {}

    def reason(ident: str, seen: frozenset[str]) -> str | None:
        if ident not in reasons:
            view = staying[ident]
            found = next((f"function {f} it calls is redefined" for f in sorted(
                redefined.intersection(view.functions))), None)  # fmt: skip
            for relation in view.relations:
                if found or relation not in staying or relation in seen:
                    continue
                below = reason(relation, seen | {ident})
                if below and staying[relation].kind == "m" and staying[relation].populated:
                    found = f"it reads {relation}, which is refreshed"
                elif below:
                    found = below.replace(" it calls ", f" it reads through {relation} ", 1)
            reasons[ident] = found
        return reasons[ident]

    return {
        ident: found
        for ident, view in staying.items()
        if view.kind == desired[ident].kind == "m"
        and view.populated  # one left WITH NO DATA stays unfilled
        and desired[ident].populated
        and (found := reason(ident, frozenset()))
    }


def _refresh(ctx: DiffContext, view: View, rank: int, reason: str) -> Change:
    concurrently = ctx.online and _keyed(ctx, view.ident)
    risks = [
        Hazard(
            HazardKind.DEPENDENT_RECREATE,
            f"materialized view {view.ident} is refilled by running its query: {reason}",
        )
    ]
    if not concurrently:
        risks.append(
            Hazard(
                HazardKind.ACCESS_EXCLUSIVE_LOCK,
                f"reads of {view.ident} wait while its query runs (a unique index over "
                "plain columns lets it refresh CONCURRENTLY, online)",
            )
        )
    return Change(
        "view", view.ident, "alter", "view.refresh", {"view": view, "concurrently": concurrently},
        Phase.REFRESH_VIEW, tuple(risks), order=(rank,),
    )  # fmt: skip


# The end of pg_get_indexdef's printout of an index over plain columns, without a
# predicate (or INCLUDE columns, left to the plain refresh).
_PLAIN_COLUMNS = re.compile(r" USING \w+ \([^()]*\)( NULLS NOT DISTINCT)?$")


def _keyed(ctx: DiffContext, view: str) -> bool:
    """Whether ``view`` has, before and after, a unique index over plain columns without
    a predicate: what REFRESH ... CONCURRENTLY needs."""
    return any(
        index.table == view
        and index.unique
        and _PLAIN_COLUMNS.search(index.shape or index.definition) is not None
        and ctx.current.indexes.get(ident) == index
        for ident, index in ctx.desired.indexes.items()
    )


def rebuilt_views(ctx: DiffContext) -> dict[str, str]:
    """Views that exist before and after the change but must be dropped and recreated,
    each with the reason a DBA reads: their own definition cannot be replaced in place,
    or something they use changes underneath them."""
    return ctx.answer(("rebuilt_views", views_asking()), lambda: _rebuilt_views(ctx))


def _rebuilt_views(ctx: DiffContext) -> dict[str, str]:
    current, desired = ctx.current.views, ctx.desired.views
    changed_columns = changed_columns_of(ctx)
    staying = {ident: old for ident, old in current.items() if ident in desired}
    reasons: dict[str, str] = {}
    for ident, old in staying.items():
        if reason := _reason_from_uses(ctx, old, changed_columns):
            reasons[ident] = reason
    _spread(current, desired, reasons)
    for ident, old in staying.items():
        if ident not in reasons and (reason := _own_reason(old, desired[ident])):
            reasons[ident] = reason
    _spread(current, desired, reasons)
    return reasons


def _spread(current: dict[str, View], desired: dict[str, View], reasons: dict[str, str]) -> None:
    """Whatever stands on a view that is dropped or rebuilt goes with it."""
    grown = True
    while grown:
        grown = False
        for ident, old in current.items():
            if ident in reasons or ident not in desired:
                continue
            gone = next(
                (r for r in old.relations if r in reasons or (r in current and r not in desired)),
                None,
            )
            if gone is not None:
                reasons[ident] = f"it reads {gone}, which is dropped or recreated"
                grown = True


def dropped_materialized_views(ctx: DiffContext) -> frozenset[str]:
    """Materialized views this change drops, for good or to rebuild them. Their indexes
    go with them; a rebuilt one's indexes are created again after it."""
    rebuilt = rebuilt_views(ctx)
    return frozenset(
        ident
        for ident, view in ctx.current.views.items()
        if view.kind == "m" and (ident not in ctx.desired.views or ident in rebuilt)
    )


def ranks(catalog: Catalog) -> dict[str, int]:
    """How many views stand below each view: 0 for a view that reads only tables.
    Views are created by ascending rank and dropped by descending rank."""
    return _ranked(catalog)[0]


def routine_ranks(catalog: Catalog) -> dict[str, int]:
    """Ranks, among the views, of the routines views call whose signature or ``BEGIN
    ATOMIC`` body uses a relation (``RETURNS SETOF some_view``): such a routine can exist
    only after the relations it uses, and the views calling it only after it, so it is
    created and dropped among the views (diff/routines.py)."""
    return _ranked(catalog)[1]


def _ranked(catalog: Catalog) -> tuple[dict[str, int], dict[str, int]]:
    """Views' and view-called routines' ranks: one above the highest view or routine
    below."""
    views, functions = catalog.views, catalog.functions
    view_ranks: dict[str, int] = {}
    routine_ranks: dict[str, int] = {}

    def routine(signature: str, seen: frozenset[str]) -> int:
        if signature not in routine_ranks:
            below = [
                view(r, seen | {signature})
                for r in functions[signature].relations
                if r in views and r not in seen
            ]
            routine_ranks[signature] = 1 + max(below) if below else 0
        return routine_ranks[signature]

    def view(ident: str, seen: frozenset[str]) -> int:
        if ident not in view_ranks:
            read = views[ident]
            below = [
                view(r, seen | {ident})
                for r in read.relations
                if r in views and r not in seen and r != ident
            ]
            below += [
                routine(f, seen | {ident})
                for f in read.functions
                if f in functions and functions[f].relations and f not in seen
            ]
            view_ranks[ident] = 1 + max(below) if below else 0
        return view_ranks[ident]

    for ident in views:
        view(ident, frozenset())
    return view_ranks, routine_ranks


def replaceable(old: View, new: View) -> bool:
    """Whether ``CREATE OR REPLACE VIEW`` can turn ``old`` into ``new``: PostgreSQL keeps
    the existing columns (same names, types and collations, same order) and lets new
    ones be appended. Materialized views can never be replaced."""
    return (
        old.kind == new.kind == "v"
        and len(new.columns) >= len(old.columns)
        and all(_shape(a) == _shape(b) for a, b in zip(old.columns, new.columns, strict=False))
    )


def _shape(column: ViewColumn) -> tuple[str, str, str | None]:
    return (column.name, column.type, column.collation)


def _query_changed(old: View, new: View) -> bool:
    return (
        old.kind != new.kind
        or old.definition != new.definition
        or [_shape(c) for c in old.columns] != [_shape(c) for c in new.columns]
    )


def _own_reason(old: View, new: View) -> str | None:
    if old.kind != new.kind:
        return f"it becomes a {new.keyword.lower()}"
    if not _query_changed(old, new) or replaceable(old, new):
        return None
    if old.kind == "m":
        return "its query changes (a materialized view cannot be replaced in place)"
    return "its columns change (CREATE OR REPLACE VIEW can only append columns)"


def _reason_from_uses(
    ctx: DiffContext, view: View, changed_columns: set[tuple[str, str]]
) -> str | None:
    for table, column in view.uses_columns:
        if (table, column) in changed_columns:
            return f"column {table}.{column} it uses changes type or is dropped"
    before = ctx.original_current or ctx.current  # rebuilt tables are set aside from current
    for relation in view.relations:
        if relation in ctx.dropped_tables:
            return f"table {relation} it reads is dropped"
        if relation in before.tables and relation not in ctx.current.tables:
            return f"table {relation} it reads is rebuilt"
    # Only a function's own reasons count here (see diff.recreation).
    functions_before, functions_after = ctx.current.functions, ctx.desired.functions
    for signature in view.functions:
        if signature in functions_before and (
            signature not in functions_after
            or must_recreate(functions_before[signature], functions_after[signature])
        ):
            return f"function {signature} it calls is dropped or recreated"
    replaced = dropped_or_replaced(ctx)
    if replaced:
        column_types = _column_types(ctx)
        used = [
            *view.types,
            *(c.type for c in view.columns),
            *(column_types.get(key, "") for key in view.uses_columns),
        ]
        if found := next((t for t in used if _base_type(t) in replaced), None):
            return f"type {_base_type(found)} it uses is dropped or replaced"
    return None


def _column_types(ctx: DiffContext) -> dict[tuple[str, str], str]:
    """The type of every column of the current database, by (table, column) ident:
    looked up for every view when a type is dropped or replaced, built once."""
    return ctx.answer(
        "column_types",
        lambda: {
            (ident, column.ident): column.type
            for ident, table in ctx.current.tables.items()
            for column in table.columns
        },
    )


def _base_type(type_name: str) -> str:
    while type_name.endswith("[]"):
        type_name = type_name[:-2]
    return type_name


def changed_columns_of(ctx: DiffContext) -> set[tuple[str, str]]:
    """(table, column) idents that diff/tables.py drops or retypes (``column.drop``,
    ``column.set_type``, a generated column re-added), and their copies in partitions
    and inheriting children, which change with them: what views and triggers that use
    them cannot stay in place for."""
    changed = set(regenerated_columns(ctx)) | retyped_or_dropped_columns(ctx)
    children = _children(ctx.current.tables) if changed else {}
    pending = list(changed)
    while pending:
        table, column_ident = pending.pop()
        for child in children.get(table, ()):
            if (child, column_ident) not in changed:
                changed.add((child, column_ident))
                pending.append((child, column_ident))
    return changed


def retyped_or_dropped_columns(ctx: DiffContext) -> frozenset[tuple[str, str]]:
    """(table, column) idents of columns dropped or given another type or collation.
    Asked more than once per comparison (see recreation.views_asking), the same every
    time."""

    def work_out() -> frozenset[tuple[str, str]]:
        found = set()
        swapped = swapped_types(ctx)
        for ident, old in ctx.current.tables.items():
            new = ctx.desired.tables.get(ident)
            if new is None:
                continue
            if not swapped and (ident in ctx.unchanged_tables or new.columns == old.columns):
                continue
            dropped = {c.ident for c in old.columns if new.column(c.name) is None}
            retyped = retyped_columns(old, new, swapped)
            found |= {(ident, column) for column in dropped | retyped}
        return frozenset(found)

    return ctx.answer("retyped_columns", work_out)


def _children(tables: dict[str, Table]) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {}
    for ident, table in tables.items():
        for parent in (table.partition_of, *table.inherits):
            if parent:
                children.setdefault(parent, []).append(ident)
    return children


def _target(view: View) -> str:
    return f"{view.keyword} {view.ident}"


def _drop(view: View, rank: int, reason: str | None) -> Change:
    risks: tuple[Hazard, ...] = ()
    if reason:
        what = "refilled by running its query" if view.kind == "m" else "recreated"
        risks = (
            Hazard(
                HazardKind.DEPENDENT_RECREATE,
                f"{view.keyword.lower()} {view.ident} is dropped and {what}: {reason}",
            ),
        )
    return Change(
        "view", view.ident, "drop", "view.drop", {"view": view}, Phase.DROP_VIEW, risks,
        order=(-rank,),
    )  # fmt: skip


def _create(view: View, rank: int) -> list[Change]:
    changes = [
        Change(
            "view", view.ident, "create", "view.create", {"view": view}, Phase.CREATE_VIEW,
            order=(rank,),
        )
    ]  # fmt: skip
    changes += comment_change("view", _target(view), view.ident, None, view.comment)
    for column in view.columns:
        changes += comment_change(
            "column", f"COLUMN {view.ident}.{column.ident}", f"{view.ident}.{column.ident}",
            None, column.comment,
        )  # fmt: skip
    return changes


def _alter(old: View, new: View, rank: int) -> list[Change]:
    changes: list[Change] = []
    if _query_changed(old, new):
        # CREATE OR REPLACE sets the options too: exactly those in its WITH list.
        changes.append(
            Change(
                "view", new.ident, "alter", "view.replace", {"view": new}, Phase.CREATE_VIEW,
                order=(rank,),
            )
        )  # fmt: skip
    elif old.options != new.options:
        keys = {o.split("=", 1)[0] for o in new.options}
        reset = sorted({o.split("=", 1)[0] for o in old.options} - keys)
        changes.append(
            Change(
                "view", new.ident, "alter", "view.set_options",
                {"view": new, "set": tuple(o for o in new.options if o not in old.options),
                 "reset": reset},
                Phase.CREATE_VIEW, order=(rank,),
            )
        )  # fmt: skip
    changes += comment_change("view", _target(new), new.ident, old.comment, new.comment)
    old_columns = {c.name: c for c in old.columns}
    for column in new.columns:
        before = old_columns.get(column.name)
        changes += comment_change(
            "column", f"COLUMN {new.ident}.{column.ident}", f"{new.ident}.{column.ident}",
            before.comment if before else None, column.comment,
        )  # fmt: skip
    return changes
