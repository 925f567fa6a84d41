"""Partitioning: bounds, parents, partition keys and what partitions override.

Creating and dropping partitions is ordinary table work (``CREATE TABLE ...
PARTITION OF``, parents before partitions; ``DROP TABLE``, partitions first). This
module handles what changes on a partition or a partitioned table that stays:

* a partition whose bound or parent changes is detached and attached again with
  the new bound: no data moves, but ATTACH scans the partition (and a DEFAULT
  partition) to check the rows fit;
* what PostgreSQL cannot alter in place (a plain table becoming partitioned or the
  reverse, a changed partition key, a table becoming a partition or ceasing to be
  one) is rebuilt: the rows are copied aside, the table dropped and created anew
  with its partitions, the rows copied back. The engine sets such tables aside from
  the current catalog (:func:`set_aside_rebuilt`), so every differ creates them and
  what hangs on them (constraints, indexes, triggers, comments) from scratch;
* a partition's own column defaults and NOT NULL (``PARTITION OF p (c DEFAULT 1)``)
  are kept right, including after the parent's column changes, whose ALTERs
  recurse to every partition.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from schemactl.catalog.model import Catalog, Column, Table
from schemactl.diff import hazards
from schemactl.diff.attach import as_attached, attach_change, attached_tables, proven_bound
from schemactl.diff.changes import Change, Phase
from schemactl.diff.detach import as_detached, detach_change, detachable_tables
from schemactl.diff.regenerated import retyped_columns
from schemactl.diff.types import dropped_or_replaced, element_type, table_rank
from schemactl.identifiers import suffixed

if TYPE_CHECKING:
    from schemactl.diff.context import DiffContext

HOLDING_SUFFIX = "_schemactl_rebuild"
FOREIGN_KEY = "f"


# -- rebuilds -----------------------------------------------------------------------------


def rebuild_reason(old: Table, new: Table) -> str | None:
    """Why ``old`` cannot be altered into ``new``, or None when it can."""
    if old.kind != new.kind:
        return "a plain table becomes partitioned" if new.kind == "p" else (
            "a partitioned table becomes plain")  # fmt: skip
    if old.partition_key != new.partition_key:
        return f"the partition key changes from {old.partition_key} to {new.partition_key}"
    if old.kind == "p" and (retyped := _retyped_key_columns(old, new)):
        return f"partition key column {', '.join(retyped)} changes type"
    if (old.partition_of is None) != (new.partition_of is None):
        return "it becomes a partition" if new.partition_of else "it stops being a partition"
    return None


def _retyped_key_columns(old: Table, new: Table) -> list[str]:
    """The key's columns that change type or collation: PostgreSQL cannot alter those of
    a partitioned table."""
    if not old.partition_key_columns:
        return []
    retyped = retyped_columns(old, new)
    return [column for column in old.partition_key_columns if column in retyped]


def rebuilt_roots(current: Catalog, desired: Catalog) -> frozenset[str]:
    # Becomes a partition, or stops being one, as it is.
    moved = attached_tables(current, desired) | detached_tables(current, desired)
    return frozenset(
        ident
        for ident in current.tables.keys() & desired.tables.keys()
        if rebuild_reason(current.tables[ident], desired.tables[ident]) is not None
        and ident not in moved
    )


def detached_tables(current: Catalog, desired: Catalog) -> frozenset[str]:
    """Partitions that become tables of their own by a DETACH: those that can, unless a
    table above them is rebuilt (which rebuilds them with it)."""
    detachable = detachable_tables(current, desired)
    if not detachable:
        return detachable
    rebuilt = {
        ident
        for ident in current.tables.keys() & desired.tables.keys()
        if ident not in detachable
        and rebuild_reason(current.tables[ident], desired.tables[ident]) is not None
    }

    def under_rebuilt(ident: str) -> bool:
        parent = current.tables[ident].partition_of
        while parent is not None:
            if parent in rebuilt:
                return True
            parent = current.tables[parent].partition_of if parent in current.tables else None
        return False

    return frozenset(ident for ident in detachable if not under_rebuilt(ident))


def _descendants(catalog: Catalog, roots: frozenset[str]) -> set[str]:
    found = set(roots)
    grew = True
    while grew:
        grew = False
        for ident, table in catalog.tables.items():
            if ident not in found and table.partition_of in found:
                found.add(ident)
                grew = True
    return found


def rebuilt_tables(current: Catalog, desired: Catalog) -> frozenset[str]:
    """The rebuilt tables with all their partitions, on either side."""
    roots = rebuilt_roots(current, desired)
    if not roots:
        return frozenset()
    return frozenset(_descendants(current, roots) | _descendants(desired, roots))


def set_aside_rebuilt(current: Catalog, desired: Catalog) -> Catalog:
    """``current`` without the tables that are rebuilt, nor anything that belongs to them
    (constraints, indexes, triggers, policies: any object whose ``table`` is one of them;
    the table's and its columns' privileges): the diff then creates all of it anew."""
    rebuilt = rebuilt_tables(current, desired) & current.tables.keys()
    if not rebuilt:
        return _as_moved(current, desired)
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(current):
        value = getattr(current, f.name)
        if not isinstance(value, dict):
            continue
        if f.name == "tables":
            changes[f.name] = {k: v for k, v in value.items() if k not in rebuilt}
        elif any(belongs_to(v, rebuilt) for v in value.values()):
            changes[f.name] = {k: v for k, v in value.items() if not belongs_to(v, rebuilt)}
    return _as_moved(dataclasses.replace(current, **changes), desired)


def _as_moved(current: Catalog, desired: Catalog) -> Catalog:
    """``current`` with the tables that are attached or detached as they are right after."""
    return as_attached(as_detached(current, detached_tables(current, desired)), desired)


def belongs_to(value: object, tables: frozenset[str]) -> bool:
    """Whether a catalog entry hangs on one of these tables (constraints, indexes,
    triggers, policies; the table's and its columns' privileges)."""
    if getattr(value, "table", None) in tables:
        return True
    return getattr(value, "kind", None) in ("TABLE", "COLUMN") and (
        getattr(value, "target", None) in tables
    )


# -- the differ ---------------------------------------------------------------------------


def diff_partitions(ctx: DiffContext) -> list[Change]:
    before = ctx.original_current or ctx.current
    changes: list[Change] = []
    for ident in sorted(rebuilt_roots(before, ctx.desired)):
        changes += _rebuild(ctx, before, before.tables[ident], ctx.desired.tables[ident])
    for ident in sorted(detached_tables(before, ctx.desired)):
        changes.append(detach_change(before, ident, table_rank(ctx, before, ident)))
    for ident in sorted(attached_tables(before, ctx.desired)):
        proof = proven_bound(ctx.online, before, ctx.desired, ctx.desired.tables[ident])
        rank = table_rank(ctx, ctx.desired, ident)
        changes += [*proof.changes, attach_change(before, ctx.desired, ident, rank, proof)]
    for ident in sorted(ctx.current.tables.keys() & ctx.desired.tables.keys()):
        old, new = ctx.current.tables[ident], ctx.desired.tables[ident]
        if (
            old.partition_of
            and new.partition_of
            and (old.partition_of != new.partition_of or old.partition_bound != new.partition_bound)
        ):
            changes += _reattach(ctx, old, new)
    changes += _column_overrides(ctx)
    return changes


def _reattach(ctx: DiffContext, old: Table, new: Table) -> list[Change]:
    assert new.partition_of is not None
    proof = proven_bound(ctx.online, ctx.current, ctx.desired, new)
    risk = hazards.reattach_partition(new.ident, new.partition_of, proof)
    return [
        *proof.changes,
        Change(
            "table", old.ident, "alter", "partition.detach", {"table": old}, Phase.DROP_TABLE,
            risk, order=(-table_rank(ctx, ctx.current, old.ident),),
        ),
        Change(
            "table", new.ident, "alter", "partition.attach", {"table": new}, Phase.CREATE_TABLE,
            risk, order=(table_rank(ctx, ctx.desired, new.ident), 1),
        ),
    ]  # fmt: skip


def _rebuild(ctx: DiffContext, before: Catalog, old: Table, new: Table) -> list[Change]:
    """Copy the rows aside, drop the table (its partitions go with it), let the table
    differ create it anew, copy the rows back. Sequences that its serial columns own
    are disowned first so that they survive the drop."""
    reason = rebuild_reason(old, new) or "its shape changes"
    risk = hazards.rebuild_table(old.ident, reason)
    holding = _holding_ident(before, old)
    held = _physical_columns(before, old)
    physical = {c.name for c in held}
    wanted = _physical_columns(ctx.desired, new)
    columns = [c for c in wanted if c.name in physical and c.generated is None]
    # Values of a type the migration drops or replaces are held as text: the copy would
    # keep the old type from being dropped. They are cast to the new type on the way back.
    replaced = dropped_or_replaced(ctx) if ctx.current.types else set()
    as_text = [c.ident for c in held if element_type(c.type) in replaced]
    kept_sequences = [
        s for s in before.sequences.values()
        if s.owned_by_table == old.ident and s.ident in ctx.desired.sequences
    ]  # fmt: skip
    owners = [
        ctx.desired.sequences[s.ident] for s in kept_sequences
        if ctx.desired.sequences[s.ident].owned_by
    ]  # fmt: skip
    changes = [
        Change(
            "table", old.ident, "drop", "partition.set_aside",
            {"table": old, "holding": holding, "sequences": kept_sequences,
             "columns": held, "as_text": as_text},
            Phase.DROP_TABLE, risk, order=(-table_rank(ctx, before, old.ident),),
        ),
        Change(
            "table", new.ident, "alter", "partition.copy_back",
            {
                "table": new, "holding": holding, "columns": columns, "owners": owners,
                "identities": [c for c in columns if c.identity and not new.partition_of],
                "as_text": as_text,
            },
            # The data-moving hazard is named once, on the step that moves the rows out.
            Phase.ALTER_TABLE, order=(table_rank(ctx, ctx.desired, new.ident),),
        ),
    ]  # fmt: skip
    changes += _foreign_keys_into(ctx, before, old.ident)
    return changes


def _foreign_keys_into(ctx: DiffContext, before: Catalog, ident: str) -> list[Change]:
    """Foreign keys of other tables that reference a rebuilt table: they would keep it
    from being dropped, so they go first and come back once its keys exist. (Keys that
    change anyway are the constraint differ's.)"""
    changes = []
    rebuilt = rebuilt_tables(before, ctx.desired)
    for key, constraint in sorted(before.constraints.items()):
        if (
            constraint.type == FOREIGN_KEY
            and constraint.references == ident
            and constraint.table not in rebuilt
            and ctx.desired.constraints.get(key) == constraint
        ):
            changes += [
                Change("constraint", key, "drop", "constraint.drop", {"constraint": constraint},
                       Phase.DROP_FOREIGN_KEY),
                Change("constraint", key, "create", "constraint.add",
                       {"constraint": constraint, "not_valid": not constraint.validated},
                       Phase.ADD_FOREIGN_KEY),
            ]  # fmt: skip
    return changes


def _holding_ident(catalog: Catalog, table: Table) -> str:
    holding = suffixed(table.name, HOLDING_SUFFIX)
    schema = next(
        (s.ident for s in catalog.schemas.values() if s.name == table.schema),
        _quote(table.schema),
    )
    return f"{schema}.{_quote(holding)}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _physical_columns(catalog: Catalog, table: Table) -> tuple[Column, ...]:
    """A table's columns, a partition's being its topmost parent's."""
    seen = {table.ident}
    while table.partition_of and table.partition_of in catalog.tables:
        table = catalog.tables[table.partition_of]
        if table.ident in seen:
            break
        seen.add(table.ident)
    return table.columns


# -- a partition's own defaults and NOT NULL ----------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Effective:
    """A partition column's default and NOT NULL as they hold: its own, else its
    parent's."""

    default: str | None
    not_null: bool


def _effective(catalog: Catalog, table: Table, name: str) -> _Effective | None:
    """What a column of ``table`` holds: the partition's own override, else its parent's."""
    seen: set[str] = set()
    current: Table | None = table
    while current is not None and current.ident not in seen:
        seen.add(current.ident)
        override = next((c for c in current.column_overrides if c.name == name), None)
        column = override or current.column(name)
        if column is not None:
            return _Effective(column.default, column.not_null)
        current = catalog.tables.get(current.partition_of) if current.partition_of else None
    return None


def _root(catalog: Catalog, table: Table) -> Table:
    seen = {table.ident}
    while table.partition_of and table.partition_of in catalog.tables:
        table = catalog.tables[table.partition_of]
        if table.ident in seen:
            break
        seen.add(table.ident)
    return table


def _recursed(ctx: DiffContext, root: Table, name: str) -> tuple[_Effective | None, bool, bool]:
    """What the root table's own column changes push down to every partition: ALTER
    COLUMN SET/DROP DEFAULT and SET/DROP NOT NULL recurse. Returns the root's desired
    column and whether its default and its NOT NULL are set anew."""
    new = root.column(name)
    old_root = ctx.current.tables.get(root.ident)
    if new is None or old_root is None:
        return None, False, False  # created with the root: nothing recurses later
    old = old_root.column(name)
    if old is None:
        return _Effective(new.default, new.not_null), True, True  # ADD COLUMN recurses
    retyped = (old.type, old.collation) != (new.type, new.collation)
    default_set = old.default != new.default or (retyped and old.default is not None)
    return _Effective(new.default, new.not_null), default_set, old.not_null != new.not_null


def _lineage_unchanged(ctx: DiffContext, partition: Table) -> bool:
    """Whether the partition and every table above it are the same on both sides: then
    each of its columns holds what it held, and nothing set on a parent recurses to it
    (a parent that pushes NOT NULL down has changed, and is above it), so no override
    changes. Most partitions are such; this spares looking at each of their columns."""
    seen: set[str] = set()
    table: Table | None = partition
    while table is not None and table.ident not in seen:
        seen.add(table.ident)
        if table.ident not in ctx.unchanged_tables:
            return False
        table = ctx.desired.tables.get(table.partition_of) if table.partition_of else None
    return True


def _column_overrides(ctx: DiffContext) -> list[Change]:
    changes: list[Change] = []
    # NOT NULL set or dropped on a partitioned partition recurses to its partitions.
    pushed: dict[tuple[str, str], bool] = {}
    partitions = [
        t for t in ctx.desired.tables.values() if t.partition_of and not _lineage_unchanged(ctx, t)
    ]
    partitions.sort(key=lambda t: (ctx.table_depth(ctx.desired, t.ident), t.ident))
    for table in partitions:
        old_table = ctx.current.tables.get(table.ident)
        source = (ctx.current, old_table) if old_table is not None else (ctx.desired, table)
        root = _root(ctx.desired, table)
        depth = ctx.table_depth(ctx.desired, table.ident)
        for column in root.columns:
            wanted = _effective(ctx.desired, table, column.name)
            had = _effective(source[0], source[1], column.name)
            if wanted is None or had is None:
                continue
            pushed_down, default_set, not_null_set = _recursed(ctx, root, column.name)
            default = pushed_down.default if pushed_down and default_set else had.default
            not_null = pushed_down.not_null if pushed_down and not_null_set else had.not_null
            not_null = pushed.get((table.ident, column.name), not_null)
            params = {"table": table, "column": column, "default": wanted.default}
            if default != wanted.default:
                operation = "partition.set_default" if wanted.default is not None else (
                    "partition.drop_default")  # fmt: skip
                changes.append(
                    Change("column", f"{table.ident}.{column.ident}", "alter", operation, params,
                           Phase.ALTER_COLUMN, order=(depth,))
                )  # fmt: skip
            if not_null != wanted.not_null:
                operation = (
                    "partition.set_not_null" if wanted.not_null else "partition.drop_not_null"
                )
                risk = hazards.set_not_null(table.ident, column.name) if wanted.not_null else ()
                changes.append(
                    Change("column", f"{table.ident}.{column.ident}", "alter", operation, params,
                           Phase.ALTER_COLUMN, risk, order=(depth,))
                )  # fmt: skip
                for below in _descendants(ctx.desired, frozenset({table.ident})) - {table.ident}:
                    pushed[(below, column.name)] = wanted.not_null
    return changes
