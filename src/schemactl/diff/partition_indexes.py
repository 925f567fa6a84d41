"""Indexes and keys of partitioned tables.

A partitioned table's index is an index on every partition, attached to the parent's
(``pg_inherits``); PostgreSQL's ``CREATE INDEX`` on the parent builds them, and adopts
a partition's index that matches instead of building another. So does ``ADD PRIMARY
KEY`` with a partition's matching key. This module plans that well:

* an index or key a partition already has is kept for the parent to adopt (never
  dropped and built again), and renamed to the name PostgreSQL gives it where the
  schema was loaded, so both databases dump the same;
* online, on a table that exists, the parent's index is created ``ON ONLY`` the
  parent, each partition's is built ``CONCURRENTLY`` (writes go on) and attached: the
  parent's index becomes valid when the last one is;
* an INVALID parent index (such a build stopped half-way) is completed: only the
  partitions whose index is missing get one.
"""

from __future__ import annotations

import dataclasses

from schemactl.catalog.model import Catalog, Constraint, Index
from schemactl.diff import hazards
from schemactl.diff.changes import Change, Hazard, Phase
from schemactl.diff.context import DiffContext
from schemactl.identifiers import split_qualified, unquote

PARTITIONED = "p"
MAX_NAME_BYTES = 63  # what PostgreSQL keeps of a name
KEYS = ("p", "u")


# -- shapes ---------------------------------------------------------------------------


def _unqualified(ident: str) -> str:
    return split_qualified(ident)[1]


def _schema_of(ident: str) -> str:
    return split_qualified(ident)[0]


def shape(index: Index) -> tuple[bool, str] | None:
    """What an index is, apart from its name and table: (unique, "USING btree (kind)")."""
    name = _unqualified(index.ident)
    for unique in (False, True):
        head = f"CREATE {'UNIQUE ' if unique else ''}INDEX {name} ON "
        for only in ("ONLY ", ""):
            prefix = f"{head}{only}{index.table} "
            if index.definition.startswith(prefix):
                return unique, index.definition[len(prefix) :]
    return None


def child_index(parent: Index, table: str, ident: str, kind: str) -> Index:
    """The index of partition ``table`` that is attached to ``parent``."""
    found = shape(parent)
    assert found is not None, parent.definition
    unique, rest = found
    only = "ONLY " if kind == PARTITIONED else ""
    definition = (
        f"CREATE {'UNIQUE ' if unique else ''}INDEX {_unqualified(ident)} ON {only}{table} {rest}"
    )
    return dataclasses.replace(
        parent, name=unquote(_unqualified(ident)), ident=ident, table=table,
        definition=definition, table_kind=kind, comment=None,
    )  # fmt: skip


def partitions_of(catalog: Catalog, table: str) -> list[str]:
    return sorted(i for i, t in catalog.tables.items() if t.partition_of == table)


def _descendants(catalog: Catalog, table: str) -> list[str]:
    found, pending = [], [table]
    while pending:
        for child in partitions_of(catalog, pending.pop()):
            found.append(child)
            pending.append(child)
    return sorted(found)


def _matching(ctx: DiffContext, parent: Index, table: str) -> Index | None:
    """An index that partition ``table`` has on its own and that ``parent`` would adopt."""
    wanted = shape(parent)
    first = min(
        (
            ident
            for ident, index in ctx.current.indexes.items()
            if index.table == table and index.valid and shape(index) == wanted
            and ident not in ctx.desired.indexes
        ),
        default=None,
    )  # fmt: skip
    return ctx.current.indexes[first] if first is not None else None


# -- what partitions already have -------------------------------------------------------


def _building(ctx: DiffContext) -> list[Index]:
    """Indexes of partitioned tables the migration creates, or completes (INVALID)."""
    found = []
    for ident, index in ctx.desired.indexes.items():
        if index.table_kind != PARTITIONED:
            continue
        old = ctx.current.indexes.get(ident)
        if old is None or old.definition != index.definition or not old.valid:
            found.append(index)
    return sorted(found, key=lambda index: index.ident)


def adopted_indexes(ctx: DiffContext) -> dict[str, tuple[Index, str]]:
    """Indexes partitions have on their own that a partitioned index the migration
    creates takes over: their ident -> (the parent's index, the name they take).
    Asked by the constraint and the index differs: worked out once."""
    return ctx.answer("adopted_indexes", lambda: _adopted_indexes(ctx))


def _adopted_indexes(ctx: DiffContext) -> dict[str, tuple[Index, str]]:
    adopted: dict[str, tuple[Index, str]] = {}
    for parent in _building(ctx):
        names = dict(ctx.desired.partition_indexes.get(parent.ident, ()))
        for table in partitions_of(ctx.desired, parent.table):
            existing = _matching(ctx, parent, table)
            if existing is not None and existing.ident not in adopted:
                adopted[existing.ident] = (parent, names.get(table, existing.ident))
    return adopted


def adopted_keys(ctx: DiffContext) -> dict[str, tuple[Constraint, str]]:
    """Keys partitions have on their own that a primary key or unique constraint added
    to their partitioned table takes over: their key -> (parent's key, name they take).
    Asked twice by the constraint differ: worked out once."""
    return ctx.answer("adopted_keys", lambda: _adopted_keys(ctx))


def _adopted_keys(ctx: DiffContext) -> dict[str, tuple[Constraint, str]]:
    adopted: dict[str, tuple[Constraint, str]] = {}
    for parent in _new_partitioned_keys(ctx):
        names = key_index_names(ctx.desired, parent)
        for child in _descendants(ctx.desired, parent.table):
            own_key = min(
                (
                    k for k, c in ctx.current.constraints.items()
                    if c.table == child and c.type == parent.type
                    and c.definition == parent.definition and k not in ctx.desired.constraints
                ),
                default=None,
            )  # fmt: skip
            own = ctx.current.constraints[own_key] if own_key is not None else None
            if own is not None:
                wanted = names.get(child)
                adopted[own.key] = (parent, _unqualified(wanted) if wanted else own.ident)
    return adopted


def key_index_names(catalog: Catalog, key: Constraint) -> dict[str, str]:
    """Partition -> the (qualified) name of the index its copy of ``key`` has in
    ``catalog``, where the key stands on a partitioned table."""
    return dict(catalog.partition_indexes.get(f"{_schema_of(key.table)}.{key.ident}", ()))


def _new_partitioned_keys(ctx: DiffContext) -> list[Constraint]:
    """Primary keys and unique constraints the migration adds to partitioned tables,
    in the order of their keys."""
    found = {}
    for key, constraint in ctx.desired.constraints.items():
        if constraint.type not in KEYS or key in ctx.current.constraints:
            continue
        table = ctx.desired.tables.get(constraint.table)
        if table is not None and table.kind == PARTITIONED:
            found[key] = constraint
    return [found[key] for key in sorted(found)]


# -- plans ----------------------------------------------------------------------------


def _change(
    index: Index,
    operation: str,
    params: dict[str, object],
    order: tuple[int, ...],
    hazard: tuple[Hazard, ...] = (),
    transactional: bool = True,
) -> Change:
    return Change("index", index.ident, "create", operation, params, Phase.CREATE_INDEX, hazard,
                  transactional=transactional, order=order)  # fmt: skip


def online_build(ctx: DiffContext, index: Index) -> bool:
    """Built partition by partition: online, on a partitioned table that exists."""
    return (
        ctx.online
        and index.table_kind == PARTITIONED
        and index.table in ctx.current.tables
        and index.table in ctx.desired.tables
    )


def create_partitioned(ctx: DiffContext, index: Index) -> list[Change]:
    """A new index of a partitioned table. Offline, or on a table the migration creates,
    one ``CREATE INDEX`` (which adopts what partitions have); online, ``ON ONLY`` the
    parent, then each partition's index built concurrently and attached."""
    if not online_build(ctx, index):
        plain = _change(index, "index.create", {"index": index}, (0,),
                        () if index.table in ctx.created_tables
                        else hazards.build_index(index.ident, index.table))  # fmt: skip
        return [plain, *_renames(ctx, index)]
    return build_per_partition(ctx, index)


def build_per_partition(
    ctx: DiffContext, index: Index, names: dict[str, str] | None = None
) -> list[Change]:
    """``index`` made ``ON ONLY`` its partitioned table, then each partition's index
    built concurrently and attached; ``names``: partition -> the (qualified) name its
    index is built under, where not the one it has in the desired database."""
    changes = [_change(index, "index.create_on_only", {"index": index}, (0, 0))]
    return changes + _below(ctx, index, depth=1, attached={}, names=names)


def complete_invalid(ctx: DiffContext, index: Index) -> list[Change]:
    """Give the partitions of an INVALID partitioned index the indexes they lack."""
    attached = dict(ctx.current.partition_indexes.get(index.ident, ()))
    return _below(ctx, index, depth=1, attached=attached)


def _renames(ctx: DiffContext, index: Index) -> list[Change]:
    """Adopted indexes take the names PostgreSQL gave them in the desired database."""
    changes = []
    for ident, (parent, name) in sorted(adopted_indexes(ctx).items()):
        if parent.ident == index.ident and name != ident:
            changes.append(
                _change(
                    index,
                    "index.rename",
                    {"index": index, "ident": ident, "to": _unqualified(name)},
                    (3,),
                )  # fmt: skip
            )
    return changes


def _fallback_name(table: str, parent: Index) -> str:
    """A name for a partition's index where the desired database names none (it always
    does: the partition's index is attached there too)."""
    name = f"{_unqualified(table)}_{_unqualified(parent.ident)}".replace('"', "")
    kept = name.encode()[:MAX_NAME_BYTES].decode(errors="ignore")
    return f'{_schema_of(table)}."{kept}"'


def _below(
    ctx: DiffContext,
    parent: Index,
    depth: int,
    attached: dict[str, str],
    names: dict[str, str] | None = None,
) -> list[Change]:
    """For each partition of ``parent``'s table without an attached index: the index it
    has on its own (renamed), or one built for it (concurrently when it exists and holds
    rows; ``ON ONLY`` and recursively when it is partitioned itself), then attached.
    ``attached`` is what stays attached: nothing under a parent index created (or
    re-created: dropping the old one dropped its partitions' indexes too). ``names``:
    see :func:`build_per_partition`."""
    changes: list[Change] = []
    if names is None:
        names = dict(ctx.desired.partition_indexes.get(parent.ident, ()))
    for step, table in enumerate(partitions_of(ctx.desired, parent.table)):
        if table in attached and table in ctx.current.tables:
            continue
        partition = ctx.desired.tables[table]
        name = names.get(table) or _fallback_name(table, parent)
        existing = _matching(ctx, parent, table) if table in ctx.current.tables else None
        if existing is not None:
            if existing.ident != name:
                changes.append(
                    _change(parent, "index.rename",
                            {"index": parent, "ident": existing.ident, "to": _unqualified(name)},
                            (1, step))
                )  # fmt: skip
        else:
            child = child_index(parent, table, name, partition.kind)
            if partition.kind == PARTITIONED:
                changes.append(
                    _change(child, "index.create_on_only", {"index": child}, (0, depth, step))
                )
                changes += _below(ctx, child, depth + 1, attached={})
            elif table in ctx.current.tables:
                changes.append(
                    _change(child, "index.create_concurrently", {"index": child}, (1, step),
                            hazards.build_index_concurrently(child.ident, table),
                            transactional=False)
                )  # fmt: skip
            else:
                changes.append(_change(child, "index.create", {"index": child}, (1, step)))
        changes.append(
            _change(parent, "index.attach", {"index": parent, "partition": name},
                    (2, -depth, step))
        )  # fmt: skip
    return changes
