"""A table that becomes a partition of a table that stays: attached, not rebuilt.

``ALTER TABLE parent ATTACH PARTITION t FOR VALUES ...`` keeps ``t``'s rows where they
are. PostgreSQL accepts it when ``t`` has exactly the parent's columns (same types and
collations, NOT NULL where the parent's are) and the parent's CHECK constraints; it
then makes the columns and those checks inherited, adopts ``t``'s keys, foreign keys
and indexes that match the parent's (building those ``t`` lacks), and scans ``t`` to
check its rows fit the bound. Where any of that does not hold, or the parent itself
changes shape, the table is rebuilt (diff/partitions.py) instead.

The engine diffs ``t`` as it will be right after the ATTACH (:func:`as_attached`), so
what follows (the partition's own defaults, its other constraints and indexes) is
planned from there.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from schemactl.catalog.model import Catalog, Column, Constraint, Table
from schemactl.diff import hazards
from schemactl.diff.changes import Change, Hazard, Phase
from schemactl.diff.partition_indexes import shape
from schemactl.identifiers import quote_ident, suffixed

CHECK, FOREIGN_KEY, KEYS = "c", "f", ("p", "u")


def _physical(column: Column) -> tuple[object, ...]:
    return (column.name, column.type, column.collation, column.generated, column.identity)


def _parent_unchanged(current: Catalog, desired: Catalog, parent: str) -> bool:
    now, then = current.tables.get(parent), desired.tables.get(parent)
    if now is None or then is None or now.kind != "p" or then.kind != "p":
        return False
    if now.partition_key != then.partition_key or now.partition_of != then.partition_of:
        return False
    return sorted(map(_physical, now.columns)) == sorted(map(_physical, then.columns))


def _fits(current: Catalog, table: Table, parent: Table) -> bool:
    """Whether PostgreSQL attaches ``table`` to ``parent`` as it is."""
    if table.kind != "r" or table.inherits or table.partition_key:
        return False
    own = {c.name: c for c in table.columns}
    if set(own) != {c.name for c in parent.columns}:
        return False
    for column in parent.columns:
        mine = own[column.name]
        if _physical(mine) != _physical(column) or mine.identity:
            return False
        if column.not_null and not mine.not_null:
            return False
    checks = {
        (c.name, c.definition) for c in current.constraints.values() if c.table == table.ident
    }
    return all(
        (c.name, c.definition) in checks
        for c in current.constraints.values()
        if c.table == parent.ident and c.type == CHECK
    )


def attached_tables(current: Catalog, desired: Catalog) -> frozenset[str]:
    """Tables of ``current`` that ``desired`` makes partitions, which can be attached."""
    found = set()
    for ident, new in desired.tables.items():
        if new.partition_of is None:
            continue  # most tables: only a partition can be attached
        old = current.tables.get(ident)
        if old is None or old.partition_of is not None or old.kind != new.kind:
            continue
        parent = current.tables.get(new.partition_of)
        if (
            parent is not None
            and _parent_unchanged(current, desired, parent.ident)
            and _fits(current, old, parent)
        ):
            found.add(ident)
    return frozenset(found)


def _adopted_constraints(current: Catalog, table: str, parent: str) -> set[str]:
    """The table's constraints that become the parent's inherited ones on ATTACH."""
    theirs = [c for c in current.constraints.values() if c.table == parent]
    adopted = set()
    for key, mine in current.constraints.items():
        if mine.table != table:
            continue
        for other in theirs:
            same_check = mine.type == other.type == CHECK and mine.name == other.name
            same_key = mine.type == other.type and mine.type in (*KEYS, FOREIGN_KEY) and (
                mine.definition == other.definition)  # fmt: skip
            if same_check or same_key:
                adopted.add(key)
                break
    return adopted


def _adopted_indexes(current: Catalog, table: str, parent: str) -> set[str]:
    wanted = {shape(i) for i in current.indexes.values() if i.table == parent}
    return {
        ident
        for ident, index in current.indexes.items()
        if index.table == table and index.valid and shape(index) in wanted
    }


def _overrides(table: Table, parent: Table) -> tuple[Column, ...]:
    """What a partition says of its columns beyond its parent: defaults, NOT NULL."""
    theirs = {c.name: c for c in parent.columns}
    return tuple(
        c
        for c in table.columns
        if c.generated is None
        and (c.default != theirs[c.name].default or c.not_null != theirs[c.name].not_null)
    )


def as_attached(current: Catalog, desired: Catalog) -> Catalog:
    """``current`` with each attachable table as it is right after its ATTACH."""
    attached = attached_tables(current, desired)
    if not attached:
        return current
    tables = dict(current.tables)
    constraints = dict(current.constraints)
    indexes = dict(current.indexes)
    for ident in attached:
        table, wanted = current.tables[ident], desired.tables[ident]
        assert wanted.partition_of is not None
        parent = current.tables[wanted.partition_of]
        for key in _adopted_constraints(current, ident, parent.ident):
            del constraints[key]
        for index in _adopted_indexes(current, ident, parent.ident):
            del indexes[index]
        tables[ident] = dataclasses.replace(
            table,
            columns=(),
            column_overrides=_overrides(table, parent),
            partition_of=parent.ident,
            partition_bound=wanted.partition_bound,
        )
    return dataclasses.replace(current, tables=tables, constraints=constraints, indexes=indexes)


BOUND_CHECK = "schemactl_bound"


@dataclass(frozen=True)
class BoundProof:
    """The checks that let an ATTACH skip its scans (:func:`proven_bound`)."""

    changes: tuple[Change, ...] = ()
    default: str | None = None  # the parent's DEFAULT partition, which ATTACH scans
    default_proven: bool = False  # ... unless a check proves none of its rows belong

    @property
    def proven(self) -> bool:
        return bool(self.changes)


def proven_bound(online: bool, before: Catalog, desired: Catalog, table: Table) -> BoundProof:
    """Online, for a table that exists and is attached with a bound: a check of the bound
    added NOT VALID, validated while reads and writes go on (its own transaction, before
    any DETACH), and dropped once the ATTACH it lets skip its scan is done. The parent's
    DEFAULT partition, which ATTACH scans for rows that now belong to the new partition,
    gets the opposite check the same way. Nothing where the bound's expression is not
    known (catalog/partition_constraints.py)."""
    default = _default_partition(before, desired, table.partition_of)
    if not online or table.partition_constraint is None or table.ident not in before.tables:
        return BoundProof(default=default)
    expression = table.partition_constraint
    changes = _checked(table.ident, BOUND_CHECK, f"CHECK ({expression})")
    holds_rows = default is not None and before.tables[default].kind == "r"
    if default is not None and holds_rows:  # (a partitioned one: its partitions are scanned)
        name = suffixed(f"{BOUND_CHECK}_not_{table.name}", "")  # cut to 63 bytes
        changes += _checked(default, name, f"CHECK ((NOT ({expression})))")
    return BoundProof(tuple(changes), default, default_proven=holds_rows)


def _default_partition(before: Catalog, desired: Catalog, parent: str | None) -> str | None:
    """The DEFAULT partition the parent has before and after (one the plan creates is
    empty)."""
    now, then = before.default_partition(parent), desired.default_partition(parent)
    return now.ident if now is not None and then is not None and now.ident == then.ident else None


def _checked(table: str, name: str, definition: str) -> list[Change]:
    """A check added NOT VALID, validated on its own, dropped after the ATTACH."""
    ident = quote_ident(name)
    check = Constraint(table, name, ident, CHECK, definition, validated=True)
    return [
        Change("constraint", check.key, "create", "constraint.add",
               {"constraint": check, "not_valid": True}, Phase.ADD_BOUND_CHECK),
        Change("constraint", check.key, "alter", "constraint.validate", {"constraint": check},
               Phase.VALIDATE_BOUND_CHECK,
               hazards.validate_constraint_online(name, table), separate=True),
        Change("constraint", check.key, "drop", "constraint.drop", {"constraint": check},
               Phase.DROP_BOUND_CHECK),
    ]  # fmt: skip


def attach_change(
    before: Catalog, desired: Catalog, ident: str, order: int, proof: BoundProof
) -> Change:
    """The ATTACH of an attachable table, with the indexes and keys it builds, and the
    scans ``proof`` spares it."""
    table = desired.tables[ident]
    parent = table.partition_of
    assert parent is not None
    risk: list[Hazard] = list(hazards.reattach_partition(ident, parent, proof))
    own_indexes = [before.indexes[i] for i in _adopted_indexes(before, ident, parent)]
    own_keys = [before.constraints[k] for k in _adopted_constraints(before, ident, parent)]
    for index in before.indexes.values():
        if index.table == parent and not any(shape(o) == shape(index) for o in own_indexes):
            risk += hazards.build_index(f"{index.name} on {ident}", ident)
    for key in before.constraints.values():
        if (
            key.table == parent
            and key.type in KEYS
            and not any(o.definition == key.definition for o in own_keys)
        ):
            risk += hazards.build_index(f"{key.name} on {ident}", ident)
    return Change(
        "table", ident, "alter", "partition.attach", {"table": table}, Phase.CREATE_TABLE,
        tuple(risk), order=(order, 1),
    )  # fmt: skip
