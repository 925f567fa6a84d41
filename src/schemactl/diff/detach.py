"""A partition that becomes a table of its own: detached, not rebuilt.

``ALTER TABLE parent DETACH PARTITION t`` keeps ``t``'s rows where they are, under a
brief ACCESS EXCLUSIVE lock; a rebuild would copy every row aside and back. After the
detach, PostgreSQL has made ``t`` an ordinary table that keeps what it had through its
parent: the columns (with the partition's own defaults and NOT NULL), the parent's
CHECK constraints and foreign keys under their names, the keys and indexes that were
attached to the parent's under the names they bore on the partition. Row triggers
cloned from the parent go.

The engine diffs ``t`` as it is right after the DETACH (:func:`as_detached`), so
what the schema then says of it (another name for an index, a check fewer) is planned
from there, as for any table. Where the state after the detach cannot be told from
the catalog (an identity column, whose sequence the partitions share; a parent that is
rebuilt itself), the table is rebuilt as before (diff/partitions.py).
"""

from __future__ import annotations

import dataclasses

from schemactl.catalog.model import Catalog, Column, Constraint, Index, Table
from schemactl.diff.changes import Change, Hazard, HazardKind, Phase
from schemactl.diff.partition_indexes import child_index
from schemactl.identifiers import split_qualified, unquote

KEYS = ("p", "u", "x")
ORDINARY = "r"
INHERITED_FROM_PARENT = ("c", "f")  # copied under the parent's constraint's name


def detachable_tables(current: Catalog, desired: Catalog) -> frozenset[str]:
    """Partitions in ``current`` that ``desired`` makes ordinary tables, which can be
    detached as far as they and their parent tell (diff/partitions.py leaves out those
    under a table that is rebuilt)."""
    found = set()
    for ident, new in desired.tables.items():
        old = current.tables.get(ident)
        if old is None or old.partition_of is None or new.partition_of is not None:
            continue
        if old.kind != "r" or new.kind != "r" or new.inherits or new.partition_key:
            continue
        if _detachable_from(current, desired, old.partition_of, ident):
            found.add(ident)
    return frozenset(found)


def _detachable_from(current: Catalog, desired: Catalog, parent: str, ident: str) -> bool:
    now, then = current.tables.get(parent), desired.tables.get(parent)
    if now is None or now.kind != "p":
        return False
    if then is not None and then.kind != "p":
        return False  # (a parent that goes is dropped after the DETACH)
    if any(c.identity for c in now.columns):
        return False
    return all(_attached_index(current, index, ident) for index in _indexed(current, parent))


def _indexed(catalog: Catalog, parent: str) -> list[str]:
    """The idents of the parent's indexes, its keys' included (an index bears its key's
    name)."""
    schema, _ = split_qualified(parent)
    indexes = [i.ident for i in catalog.indexes.values() if i.table == parent]
    keys = [
        f"{schema}.{c.ident}"
        for c in catalog.constraints.values()
        if c.table == parent and c.type in KEYS
    ]
    return indexes + keys


def _attached_index(catalog: Catalog, parent_index: str, table: str) -> str | None:
    """The ident of ``table``'s index attached to ``parent_index``."""
    attached = catalog.partition_indexes.get(parent_index, ())
    return next((index for owner, index in attached if owner == table), None)


def _columns(table: Table, parent: Table) -> tuple[Column, ...]:
    """The parent's columns with what the partition says of them itself. (A comment on
    a partition's column is not read while it is the parent's column.)"""
    own = {c.name: c for c in table.column_overrides}
    return tuple(
        dataclasses.replace(column, default=own[column.name].default,
                            not_null=own[column.name].not_null, comment=None)
        if column.name in own else dataclasses.replace(column, comment=None)
        for column in parent.columns
    )  # fmt: skip


def _index(parent_index: Index, table: str, attached: str) -> Index:
    """The attached index as it reads once its partition is a table of its own."""
    index = child_index(parent_index, table, attached, ORDINARY)
    without_options = dataclasses.replace(parent_index, definition=parent_index.shape)
    shape = child_index(without_options, table, attached, ORDINARY).definition
    return dataclasses.replace(index, shape=shape if parent_index.shape else "", statistics=())


def _key(key: Constraint, table: str, attached: str) -> Constraint:
    """A key attached to the parent's, as it reads once its partition is a table of its
    own: named as its index."""
    _, name = split_qualified(attached)
    return dataclasses.replace(key, table=table, name=unquote(name), ident=name, comment=None)


def as_detached(current: Catalog, detached: frozenset[str]) -> Catalog:
    """``current`` with each of the ``detached`` partitions as it is right after its
    DETACH."""
    if not detached:
        return current
    tables = dict(current.tables)
    constraints = dict(current.constraints)
    indexes = dict(current.indexes)
    for ident in detached:
        table = current.tables[ident]
        assert table.partition_of is not None
        parent = current.tables[table.partition_of]
        parent_schema, _ = split_qualified(parent.ident)
        for index in current.indexes.values():
            if index.table == parent.ident:
                attached = _attached_index(current, index.ident, ident)
                assert attached is not None
                indexes[attached] = _index(index, ident, attached)
        for constraint in current.constraints.values():
            if constraint.table != parent.ident:
                continue
            if constraint.type in KEYS:
                attached = _attached_index(current, f"{parent_schema}.{constraint.ident}", ident)
                assert attached is not None
                copy = _key(constraint, ident, attached)
            elif constraint.type in INHERITED_FROM_PARENT:
                copy = dataclasses.replace(constraint, table=ident, comment=None)
            else:
                continue
            constraints[copy.key] = copy
        tables[ident] = dataclasses.replace(
            table,
            columns=_columns(table, parent),
            column_overrides=(),
            partition_of=None,
            partition_bound=None,
            not_null_constraints=tuple(
                dataclasses.replace(c, inherited=False, parent_name=None)
                for c in table.not_null_constraints
            ),
        )
    return dataclasses.replace(current, tables=tables, constraints=constraints, indexes=indexes)


def detach_change(before: Catalog, ident: str, order: int) -> Change:
    """The DETACH of a partition that becomes a table of its own. Where other tables'
    foreign keys reference the parent, PostgreSQL refuses it while one of their rows
    references a row of the partition (the transaction then changes nothing)."""
    table = before.tables[ident]
    parent = table.partition_of
    risk = [
        Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK,
               f"DETACH PARTITION locks {parent} and {ident} briefly; the rows stay in "
               f"{ident}, which becomes a table of its own"),
    ]  # fmt: skip
    referencing = sorted(
        c.table for c in before.constraints.values() if c.type == "f" and c.references == parent
    )
    if referencing:
        risk.append(
            Hazard(HazardKind.VALIDATION_SCAN,
                   f"DETACH scans {', '.join(referencing)}, whose foreign keys reference "
                   f"{parent}: it fails if one of their rows references a row of {ident}")
        )  # fmt: skip
    return Change(
        "table", ident, "alter", "partition.detach", {"table": table}, Phase.DETACH_PARTITION,
        tuple(risk), order=(order,),
    )  # fmt: skip
