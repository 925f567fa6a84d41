"""A primary key or unique constraint added online: its index built first, concurrently.

``ALTER TABLE t ADD PRIMARY KEY (id)`` builds the key's index under ACCESS EXCLUSIVE:
nobody reads or writes ``t`` until every row is indexed. Online, a new key on a table
that exists is added in two steps instead:

1. ``CREATE UNIQUE INDEX CONCURRENTLY <key> ON t ...``: reads and writes go on while it
   builds (outside a transaction, like any concurrent build);
2. ``ALTER TABLE t ADD CONSTRAINT <key> PRIMARY KEY USING INDEX <key>``: a brief lock;
   the index becomes the key's. It runs once the key's columns are NOT NULL (added
   online before it), or PostgreSQL would scan for NULLs under the lock.

Foreign keys that reference the new key are added in between: PostgreSQL accepts a
unique index for them.

A unique index the table already has under the key's name and of the key's shape (a
database built by hand often has ``CREATE UNIQUE INDEX users_email_key`` where the
schema says ``email text UNIQUE``) is not dropped and built again: the key is made of
it (:func:`adopted_by_keys`), in both modes.

A key that replaces one of the same name (``PRIMARY KEY (id)`` becoming ``PRIMARY KEY
(tenant, id)``) is swapped for its new index (:func:`swapped_online`): the index is built
concurrently under a name of its own, then one brief transaction drops the old key,
renames the index and makes it the key, so the table is never without its key. Foreign
keys re-added over the new key stand on the new index meanwhile. Where one is re-added
over the old key's columns, PostgreSQL could stand it on the old index, which could then
not be dropped: that key is replaced in one statement, as are a key over a column that
changes type or goes (ALTER COLUMN TYPE would rebuild the old key's index first), a key
on a partition and a definition this module does not recognise.

A new key on a partitioned table that exists (:func:`partition_keys_first`) is built
the same way on each of its partitions that exist, under the name PostgreSQL gives it
where the schema was loaded; the partitioned table's key then adopts them, under a
brief lock and without reading a row (a partition the plan creates is empty, and is
indexed then). That happens before foreign keys are added, which need the key on the
partitioned table itself: so only where the key's columns are NOT NULL already (a
primary key's would otherwise be made so online after the foreign keys), and only over
one level of partitions.
"""

from __future__ import annotations

import dataclasses
import re

from schemactl.catalog.model import Catalog, Constraint, Index
from schemactl.diff import hazards
from schemactl.diff.changes import Change, Hazard, HazardKind, Phase
from schemactl.diff.context import DiffContext
from schemactl.diff.partition_indexes import adopted_keys, key_index_names, partitions_of
from schemactl.diff.regenerated import foundations
from schemactl.diff.views import retyped_or_dropped_columns
from schemactl.identifiers import quote_ident, split_qualified, suffixed, unquote

# pg_get_constraintdef of a primary key or unique constraint: its kind, NULLS NOT
# DISTINCT, its columns, INCLUDE columns, DEFERRABLE. Anything else (a tablespace, a
# period WITHOUT OVERLAPS) is left to ADD CONSTRAINT.
_NAMES = r"\((?:[^()\"]|\"(?:[^\"]|\"\")*\")+\)"
_KEY = re.compile(
    rf"^(?P<kind>PRIMARY KEY|UNIQUE)(?P<nulls> NULLS NOT DISTINCT)? (?P<columns>{_NAMES})"
    rf"(?P<include> INCLUDE {_NAMES})?(?P<deferrable> DEFERRABLE(?: INITIALLY DEFERRED)?)?$"
)


# The columns a foreign key references, as pg_get_constraintdef prints them.
_REFERENCED = re.compile(rf" REFERENCES (?:[^(\"]|\"(?:[^\"]|\"\")*\")+(?P<columns>{_NAMES})")
_NAME = re.compile(r'"(?:[^"]|"")*"|[^,\s()]+')
# What the index a replacing key is built as is called until it becomes the key.
NEW_INDEX_SUFFIX = "_new"


def _parts(constraint: Constraint) -> re.Match[str] | None:
    found = _KEY.match(constraint.definition)
    if found is None or "WITHOUT OVERLAPS" in found["columns"]:
        return None
    return found


def index_first(constraint: Constraint) -> bool:
    """Whether this key's definition can be built as a unique index and then adopted."""
    return constraint.type in ("p", "u") and _parts(constraint) is not None


def _index_shape(constraint: Constraint, parts: re.Match[str]) -> str:
    """The key's index as pg_get_indexdef prints it, without its storage parameters
    (what the template index.sql.j2 ``build_key_index`` builds)."""
    return (
        f"CREATE UNIQUE INDEX {constraint.ident} ON {constraint.table} "
        f"USING btree {_index_params(parts)['columns']}"
    )


def _index_params(parts: re.Match[str]) -> dict[str, str]:
    """What of the key's definition its index is built with, as printed."""
    return {"columns": f"{parts['columns']}{parts['include'] or ''}{parts['nulls'] or ''}"}


def adopted_by_keys(ctx: DiffContext) -> dict[str, Constraint]:
    """Unique indexes of the target that a new key of the same name and shape is made
    of: index ident -> the key. Asked by the index and constraint differs: worked out
    once."""
    return ctx.answer("adopted_by_keys", lambda: _adopted_by_keys(ctx))


def _adopted_by_keys(ctx: DiffContext) -> dict[str, Constraint]:
    adopted: dict[str, Constraint] = {}
    under = foundations(ctx)
    for key, constraint in ctx.desired.constraints.items():
        if constraint.type not in ("p", "u") or key in ctx.current.constraints:
            continue
        ident = f"{split_qualified(constraint.table)[0]}.{constraint.ident}"
        index = ctx.current.indexes.get(ident)
        if index is None or ident in ctx.desired.indexes:
            continue
        if _fits(ctx, constraint, index) and not under.reason(
            index.table, index.columns, index.calls
        ):
            adopted[index.ident] = constraint
    return adopted


def _fits(ctx: DiffContext, constraint: Constraint, index: Index) -> bool:
    table = ctx.desired.tables.get(constraint.table)
    parts = _parts(constraint)
    return (
        parts is not None
        and table is not None
        and table.kind == "r"
        and table.partition_of is None
        and index.valid
        and index.table == constraint.table
        and (index.shape or index.definition) == _index_shape(constraint, parts)
        and sorted(index.options) == sorted(constraint.index_options)
    )


def add_over_existing_index(constraint: Constraint) -> list[Change]:
    """The key made of the unique index the table has already."""
    return [_made_of_index(constraint)]


def add_over_concurrent_index(constraint: Constraint) -> list[Change]:
    """The unique index built concurrently, then the key made of it."""
    return [_build_key_index(constraint, constraint.ident), _made_of_index(constraint)]


def _build_key_index(constraint: Constraint, name: str) -> Change:
    """The key's unique index, built concurrently under ``name`` (quoted)."""
    parts = _parts(constraint)
    assert parts is not None
    schema, _ = split_qualified(constraint.table)
    return Change(
        "constraint", constraint.key, "create", "constraint.build_key_index",
        {"constraint": constraint, **_index_params(parts), "name": name}, Phase.CREATE_INDEX,
        hazards.build_index_concurrently(f"{schema}.{name}", constraint.table),
        transactional=False,
    )  # fmt: skip


def swapped_online(ctx: DiffContext, old: Constraint, new: Constraint) -> bool:
    """Whether key ``old`` is replaced by ``new`` (same name and kind, another definition)
    through an index built concurrently (see the module's docstring)."""
    table = ctx.desired.tables.get(new.table)
    old_parts, new_parts = _parts(old), _parts(new)
    return (
        ctx.online
        and old.type == new.type
        and old.type in ("p", "u")
        and old_parts is not None
        and new_parts is not None
        and table is not None
        and table.kind == "r"
        and table.partition_of is None
        and new.table in ctx.current.tables
        and not any((old.table, c) in retyped_or_dropped_columns(ctx) for c in old.columns)
        and not _referenced_over(ctx, new.table, _names(old_parts["columns"]))
        and replacement_name(ctx, split_qualified(new.table)[0], new.name) is not None
    )


def _names(columns: str) -> frozenset[str]:
    return frozenset(_NAME.findall(columns))


def _referenced_over(ctx: DiffContext, table: str, columns: frozenset[str]) -> bool:
    """Whether a foreign key of the desired state references ``columns`` of ``table``
    (or references it in a way this module cannot read)."""
    for constraint in ctx.desired.constraints.values():
        if constraint.type != "f" or constraint.references != table:
            continue
        found = _REFERENCED.search(constraint.definition)
        if found is None or _names(found["columns"]) == columns:
            return True
    return False


def replacement_name(ctx: DiffContext, schema: str, name: str) -> str | None:
    """The name (quoted) a replacement for index ``name`` is built under until it takes
    ``name``: ``name`` with NEW_INDEX_SUFFIX, unless a relation of ``schema`` has it
    before or after the change (tables, views, sequences and indexes share their names)."""
    temporary = quote_ident(suffixed(name, NEW_INDEX_SUFFIX))
    ident = f"{schema}.{temporary}"
    if relation_named(ctx, ident) or relation_named(ctx, ident, desired=True):
        return None
    return temporary


def relation_named(ctx: DiffContext, ident: str, desired: bool = False) -> bool:
    """Whether a relation of the current catalog (the desired one where ``desired``) has
    the qualified name ``ident``: a table, view, sequence, index, a key's index, or a
    partition's index attached to its parent's. The names are gathered once per
    comparison: every build planned online asks, and keys' indexes are found only by
    going through every constraint."""
    return ident in ctx.answer(
        ("relation names", desired),
        lambda: _relation_names(ctx.desired if desired else ctx.current),
    )


def _relation_names(catalog: Catalog) -> frozenset[str]:
    keys = (
        f"{split_qualified(c.table)[0]}.{c.ident}"
        for c in catalog.constraints.values()
        if c.type in ("p", "u", "x")
    )
    children = (child for pairs in catalog.partition_indexes.values() for _, child in pairs)
    return frozenset(
        (*catalog.tables, *catalog.views, *catalog.sequences, *catalog.indexes, *keys, *children)
    )


def swap_over_concurrent_index(old: Constraint, new: Constraint, name: str) -> list[Change]:
    """The new key's index built concurrently under ``name`` (see
    :func:`replacement_name`), then swapped in for the old key in one brief transaction."""
    parts = _parts(new)
    assert parts is not None
    schema, _ = split_qualified(new.table)
    return [
        _build_key_index(new, name),
        Change(
            "constraint", new.key, "alter", "constraint.swap_key_index",
            {"old": old, "constraint": new, "index": f"{schema}.{name}", "kind": parts["kind"],
             "deferrable": parts["deferrable"] or ""},
            Phase.KEY_USING_INDEX,
            (Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK,
                    f"swapping the new index in for key {new.name} locks {new.table} "
                    "briefly; no row is read"),),
        ),
    ]  # fmt: skip


def partition_keys_first(ctx: DiffContext, constraint: Constraint) -> bool:
    """Whether a new key on a partitioned table is made of keys built concurrently on its
    partitions first (see the module's docstring)."""
    table = ctx.desired.tables.get(constraint.table)
    current = ctx.current.tables.get(constraint.table)
    parts = _parts(constraint)
    if not (
        ctx.online
        and parts is not None
        and table is not None
        and current is not None
        and table.kind == current.kind == "p"
        and table.partition_of is None
        and constraint.key not in ctx.current.constraints
    ):
        return False
    columns = _names(parts["columns"])
    not_null = {column.ident for column in current.columns if column.not_null}
    if constraint.type == "p" and not columns <= not_null:
        return False
    names = key_index_names(ctx.desired, constraint)
    for ident in partitions_of(ctx.desired, constraint.table):
        partition, before = ctx.desired.tables[ident], ctx.current.tables.get(ident)
        if partition.kind != "r":
            return False
        if before is not None and (before.partition_of != constraint.table or ident not in names):
            return False
    return True


def add_through_partition_keys(ctx: DiffContext, constraint: Constraint) -> list[Change]:
    """Each existing partition's key made of an index built concurrently (a key of its
    own it has already is adopted as it is), then the partitioned table's key."""
    names = key_index_names(ctx.desired, constraint)
    own = {
        ctx.current.constraints[key].table
        for key, (parent, _) in adopted_keys(ctx).items()
        if parent.key == constraint.key
    }
    changes: list[Change] = []
    adopts: list[str] = []
    for partition in partitions_of(ctx.desired, constraint.table):
        if partition not in ctx.current.tables or partition in own:
            continue
        name = split_qualified(names[partition])[1]
        key = dataclasses.replace(
            constraint, table=partition, name=unquote(name), ident=name, comment=None
        )
        build, made = add_over_concurrent_index(key)
        changes += [build, dataclasses.replace(made, phase=Phase.PARTITION_KEY_USING_INDEX)]
        adopts.append(names[partition])
    changes.append(
        Change(
            "constraint", constraint.key, "create",
            "constraint.add_adopting" if adopts else "constraint.add",
            {"constraint": constraint, "adopts": adopts} if adopts
            else {"constraint": constraint, "not_valid": False},
            Phase.ADOPT_PARTITION_KEYS,
            (Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK,
                    f"adding {constraint.name} to {constraint.table} adopts its partitions' "
                    "keys under a brief lock; no row is read"),),
        )
    )  # fmt: skip
    return changes


def _made_of_index(constraint: Constraint) -> Change:
    parts = _parts(constraint)
    assert parts is not None
    return Change(
        "constraint", constraint.key, "create", "constraint.add_using_index",
        {"constraint": constraint, "kind": parts["kind"], "deferrable": parts["deferrable"] or ""},
        Phase.KEY_USING_INDEX,
        (Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK,
                f"making the unique index {constraint.name} the key locks "
                f"{constraint.table} briefly; no row is read"),),
    )  # fmt: skip
