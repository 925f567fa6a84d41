"""Indexes that stand on their own (constraint indexes go with their constraint).

Online, an index whose definition changes is built anew beside the old one, under
another name (:func:`_swapped`): the old one is dropped, concurrently too, only once
the new one is built, and the new one then takes its name. Dropped first, it would
leave the table without it for the length of the build (queries that need it scan; a
unique one lets duplicates in). An index that a foreign key, the replica identity or
CLUSTER uses, that is INVALID, over a column that changes type or goes (ALTER COLUMN
TYPE would rebuild the old one first, under its lock), or that something changing
under it makes go first, is dropped and built again as before.

A partitioned table's changed index is swapped the same way (:func:`_swapped_partitioned`):
the new one is made ``ON ONLY`` the parent under the other name, each partition's is
built concurrently (under another name too where the old one's partition index holds
the name it takes) and attached, then the old one is dropped (a partitioned index has no
``DROP INDEX CONCURRENTLY``: a brief lock on the table and its partitions) and the new
ones renamed.
"""

from __future__ import annotations

import dataclasses

from schemactl.catalog.model import Index
from schemactl.diff import hazards
from schemactl.diff.changes import AttributeChange, Change, Hazard, HazardKind, Phase
from schemactl.diff.comments import comment_change
from schemactl.diff.context import DiffContext
from schemactl.diff.key_indexes import adopted_by_keys, relation_named, replacement_name
from schemactl.diff.partition_indexes import (
    PARTITIONED,
    adopted_indexes,
    build_per_partition,
    child_index,
    complete_invalid,
    create_partitioned,
    online_build,
    partitions_of,
)
from schemactl.diff.regenerated import foundations
from schemactl.diff.views import dropped_materialized_views, retyped_or_dropped_columns
from schemactl.identifiers import split_qualified, unquote


def _online(ctx: DiffContext, index: Index) -> bool:
    """Build or drop without blocking writes, on an ordinary table that exists before
    and after the change (a new table is empty, and nobody writes to it yet)."""
    return (
        ctx.online
        and index.table_kind == "r"
        and index.table in ctx.current.tables
        and index.table in ctx.desired.tables
    )


def _create(ctx: DiffContext, index: Index) -> list[Change]:
    if index.table_kind == PARTITIONED:
        return [
            *create_partitioned(ctx, index),
            *comment_change("index", f"INDEX {index.ident}", index.ident, None, index.comment),
        ]
    # Nobody uses a relation the migration creates (or drops and creates again: the
    # drop holds its lock to the end) while its index is built.
    new_relation = index.table in ctx.created_tables or index.table in _new_views(ctx)
    risk = () if new_relation else hazards.build_index(index.ident, index.table)
    phase = Phase.CREATE_VIEW_INDEX if index.table_kind == "m" else Phase.CREATE_INDEX
    if _online(ctx, index):
        change = Change(
            "index",
            index.ident,
            "create",
            "index.create_concurrently",
            {"index": index},
            phase,
            hazards.build_index_concurrently(index.ident, index.table),
            transactional=False,
        )
    else:
        change = Change(
            "index", index.ident, "create", "index.create", {"index": index}, phase, risk
        )
    return [
        change,
        *_statistics(index, ()),
        *comment_change("index", f"INDEX {index.ident}", index.ident, None, index.comment),
    ]


def _new_views(ctx: DiffContext) -> frozenset[str]:
    """Materialized views the migration creates, or drops and creates again."""
    created = ctx.desired.views.keys() - ctx.current.views.keys()
    return frozenset(created) | dropped_materialized_views(ctx)


def _shape(index: Index) -> str:
    return index.shape or index.definition


def rebuilds(old: Index, new: Index) -> bool:
    """Whether turning ``old`` into ``new`` takes a new index: storage parameters alone
    change in place, except on a partitioned table's index."""
    return _shape(old) != _shape(new) or not old.valid or _partitioned_options(old, new)


def _partitioned_options(old: Index, new: Index) -> bool:
    """A partitioned index's storage parameters cannot be altered, only rebuilt."""
    return (
        new.table_kind == "p"
        and old.options != new.options
        and sorted(old.options) != sorted(new.options)
    )


def _options(old: Index, new: Index) -> list[Change]:
    """Storage parameters change in place: ALTER INDEX ... SET / RESET, no rebuild."""
    if old.options == new.options or sorted(old.options) == sorted(new.options):
        return []
    removed = {o.split("=", 1)[0] for o in old.options} - {o.split("=", 1)[0] for o in new.options}
    return [
        Change(
            "index", new.ident, "alter", "settings.set_index_options",
            {"index": new, "set": new.options, "reset": sorted(removed)}, Phase.CREATE_INDEX,
        )
    ]  # fmt: skip


def _target(value: int | None) -> str | None:
    return None if value is None else str(value)


def _statistics(index: Index, current: tuple[tuple[int, int], ...]) -> list[Change]:
    """Statistics targets of expression columns: ALTER INDEX ... ALTER COLUMN n."""
    if index.statistics == current:
        return []  # most indexes: the same targets, or none
    phase = Phase.VIEW_INDEX_SETTINGS if index.table_kind == "m" else Phase.INDEX_SETTINGS
    wanted, now = dict(index.statistics), dict(current)
    return [
        Change(
            "index", index.ident, "alter", "settings.set_index_statistics",
            {"index": index, "column": number, "value": wanted.get(number, -1)}, phase,
            attributes=(AttributeChange(f"statistics of column {number}",
                                        _target(now.get(number)), _target(wanted.get(number))),),
        )
        for number in sorted(wanted.keys() | now.keys())
        if wanted.get(number, -1) != now.get(number, -1)
    ]  # fmt: skip


def _swapped(ctx: DiffContext, old: Index, new: Index) -> list[Change]:
    """Online, ``new`` built concurrently beside ``old`` under another name, then ``old``
    dropped and ``new`` renamed to its name (see the module's docstring); nothing where
    this index is to be dropped first."""
    table = ctx.current.tables.get(old.table)
    schema, name = split_qualified(old.ident)
    temporary = replacement_name(ctx, schema, new.name)
    if (
        temporary is None
        or not old.valid
        or table is None
        or table.partition_of is not None
        or name in (table.replica_identity_index, table.clustered_on)
        or foundations(ctx).reason(old.table, old.columns, old.calls, old.definition)
        or any((old.table, column) in retyped_or_dropped_columns(ctx) for column in old.columns)
        or any(
            c.type == "f" and old.ident == c.referenced_index
            for catalog in (ctx.current, ctx.desired)
            for c in catalog.constraints.values()
        )
    ):
        return []
    if old.table_kind == PARTITIONED and new.table_kind == PARTITIONED:
        return _swapped_partitioned(ctx, old, new, schema, name, temporary)
    if not _online(ctx, old):
        return []
    built = child_index(new, new.table, f"{schema}.{temporary}", new.table_kind)
    return [
        Change(
            "index", new.ident, "create", "index.create_beside",
            {"index": new, "definition": built.definition}, Phase.CREATE_INDEX,
            hazards.build_index_concurrently(built.ident, new.table), transactional=False,
        ),
        Change(
            "index", old.ident, "drop", "index.drop_concurrently", {"index": old},
            Phase.SWAP_INDEX, transactional=False,
        ),
        Change(
            "index", new.ident, "alter", "index.rename",
            {"index": new, "ident": built.ident, "to": name}, Phase.SWAP_INDEX, order=(1,),
        ),
        *_statistics(new, ()),
        *comment_change("index", f"INDEX {new.ident}", new.ident, None, new.comment),
    ]  # fmt: skip


def _swapped_partitioned(
    ctx: DiffContext, old: Index, new: Index, schema: str, name: str, temporary: str
) -> list[Change]:
    """A partitioned table's changed index swapped in (see the module's docstring), over
    one level of partitions that stay as they are; nothing where a partition is
    partitioned itself, comes or goes, has an index of its own the new one would adopt,
    or where a name the build needs is taken."""
    partitions = partitions_of(ctx.desired, new.table)
    if (
        not online_build(ctx, new)
        or partitions != partitions_of(ctx.current, old.table)
        or any(ctx.desired.tables[p].kind == PARTITIONED for p in partitions)
        or any(parent.ident == new.ident for parent, _ in adopted_indexes(ctx).values())
    ):
        return []
    names = dict(ctx.desired.partition_indexes.get(new.ident, ()))
    built: dict[str, str] = {}  # partition -> the name its index is built under
    renames: list[Change] = []
    for step, table in enumerate(partitions):
        final = names.get(table)
        if final is None:
            return []
        built[table] = final
        if relation_named(ctx, final):
            child_schema, child_name = split_qualified(final)
            beside = replacement_name(ctx, child_schema, unquote(child_name))
            if beside is None:
                return []
            built[table] = f"{child_schema}.{beside}"
            renames.append(
                Change("index", new.ident, "alter", "index.rename",
                       {"index": new, "ident": built[table], "to": child_name},
                       Phase.SWAP_INDEX, order=(2, step))
            )  # fmt: skip
    parent = child_index(new, new.table, f"{schema}.{temporary}", PARTITIONED)
    return [
        *build_per_partition(ctx, parent, built),
        *renames,
        Change("index", old.ident, "drop", "index.drop", {"index": old}, Phase.SWAP_INDEX),
        Change("index", new.ident, "alter", "index.rename",
               {"index": new, "ident": parent.ident, "to": name}, Phase.SWAP_INDEX, order=(1,)),
        *comment_change("index", f"INDEX {new.ident}", new.ident, None, new.comment),
    ]  # fmt: skip


def _drop(ctx: DiffContext, index: Index) -> Change:
    if _online(ctx, index):
        return Change(
            "index",
            index.ident,
            "drop",
            "index.drop_concurrently",
            {"index": index},
            Phase.DROP_INDEX,
            transactional=False,
        )
    return Change("index", index.ident, "drop", "index.drop", {"index": index}, Phase.DROP_INDEX)


def diff_indexes(ctx: DiffContext) -> list[Change]:
    changes: list[Change] = []
    current, desired = ctx.current.indexes, ctx.desired.indexes
    gone = ctx.dropped_tables | dropped_materialized_views(ctx)  # their indexes go with them
    for ident in sorted(desired.keys() - current.keys()):
        changes += _create(ctx, desired[ident])
    # A partition's own, taken over by its parent's new one; a unique one a new key is made of.
    adopted = adopted_indexes(ctx).keys() | adopted_by_keys(ctx).keys()
    under = foundations(ctx)
    for ident in sorted(current.keys() - desired.keys()):
        if current[ident].table not in gone and ident not in adopted:
            changes.append(_drop(ctx, current[ident]))
    for ident in sorted(current.keys() & desired.keys()):
        old, new = current[ident], desired[ident]
        if old.table in gone:
            changes += _create(ctx, new)  # a rebuilt materialized view gets its indexes back
        elif (
            _shape(old) == _shape(new)
            and not old.valid
            and new.table_kind == PARTITIONED
            and not _partitioned_options(old, new)
        ):
            changes += complete_invalid(ctx, new)
            changes += comment_change("index", f"INDEX {ident}", ident, old.comment, new.comment)
        elif rebuilds(old, new) and (swap := _swapped(ctx, old, new)):
            changes += swap
        elif rebuilds(old, new):
            changes.append(_drop(ctx, old))
            changes += _create(ctx, new)
        elif reason := under.reason(old.table, old.columns, old.calls, old.definition):
            risk = Hazard(
                HazardKind.DEPENDENT_RECREATE,
                f"index {old.ident} is dropped and built again: {reason}",
            )
            changes.append(dataclasses.replace(_drop(ctx, old), hazards=(risk,)))
            changes += _create(ctx, new)
        else:
            changes += _options(old, new)
            changes += _statistics(new, old.statistics)
            changes += comment_change("index", f"INDEX {ident}", ident, old.comment, new.comment)
    return changes
