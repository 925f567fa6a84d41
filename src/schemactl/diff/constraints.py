"""Table constraints: compared by PostgreSQL's own printout, validity included."""

from __future__ import annotations

import dataclasses

from schemactl.catalog.model import Constraint
from schemactl.catalog.version_neutral import major_of
from schemactl.diff import hazards
from schemactl.diff.changes import Change, Hazard, HazardKind, Phase
from schemactl.diff.comments import comment_change
from schemactl.diff.context import DiffContext
from schemactl.diff.indexes import rebuilds
from schemactl.diff.key_indexes import (
    add_over_concurrent_index,
    add_over_existing_index,
    add_through_partition_keys,
    adopted_by_keys,
    index_first,
    partition_keys_first,
    replacement_name,
    swap_over_concurrent_index,
    swapped_online,
)
from schemactl.diff.partition_indexes import adopted_indexes, adopted_keys
from schemactl.diff.regenerated import Foundations, foundations
from schemactl.diff.views import retyped_or_dropped_columns
from schemactl.identifiers import split_qualified

FOREIGN_KEY = "f"


def _add(ctx: DiffContext, constraint: Constraint) -> list[Change]:
    is_fk = constraint.type == FOREIGN_KEY
    on_existing_table = constraint.table not in ctx.created_tables
    risk: tuple[Hazard, ...] = ()
    checks_rows = on_existing_table and constraint.type in ("f", "c") and constraint.validated
    if checks_rows and ctx.online and is_fk and _not_valid_refused(ctx, constraint.table):
        return _add_through_partitions(ctx, constraint)
    if checks_rows and ctx.online:
        return _add_then_validate(constraint)
    if checks_rows:
        risk = hazards.validate_constraint(
            constraint.name, constraint.table, constraint.references if is_fk else None
        )
    elif on_existing_table and constraint.key in _adopting(ctx):
        return [*add_over_existing_index(constraint), *_comment(constraint, None)]
    elif on_existing_table and partition_keys_first(ctx, constraint):
        return [*add_through_partition_keys(ctx, constraint), *_comment(constraint, None)]
    elif on_existing_table and _index_first(ctx, constraint):
        return [*add_over_concurrent_index(constraint), *_comment(constraint, None)]
    elif on_existing_table and constraint.type in ("p", "u", "x"):
        risk = hazards.build_key_index(constraint.name, constraint.table)
    changes = [
        Change(
            "constraint",
            constraint.key,
            "create",
            "constraint.add",
            {"constraint": constraint, "not_valid": not constraint.validated},
            Phase.ADD_FOREIGN_KEY if is_fk else Phase.ADD_CONSTRAINT,
            risk,
        )
    ]
    changes += _comment(constraint, None)
    return changes


def _adopting(ctx: DiffContext) -> set[str]:
    """Keys made of a unique index the table has already."""
    return {key.key for key in adopted_by_keys(ctx).values()}


def _index_first(ctx: DiffContext, constraint: Constraint) -> bool:
    """Online, a new key on an ordinary table that exists: its index is built
    concurrently first (diff/key_indexes.py)."""
    table = ctx.desired.tables.get(constraint.table)
    return (
        ctx.online
        and table is not None
        and table.kind == "r"
        and table.partition_of is None
        and constraint.table in ctx.current.tables
        and constraint.key not in ctx.current.constraints
        and index_first(constraint)
    )


def _add_then_validate(constraint: Constraint) -> list[Change]:
    """Online: add NOT VALID (a brief lock, no scan), then validate in a later transaction
    under a lock that lets reads and writes go on."""
    is_fk = constraint.type == FOREIGN_KEY
    return [
        Change(
            "constraint",
            constraint.key,
            "create",
            "constraint.add",
            {"constraint": constraint, "not_valid": True},
            Phase.ADD_FOREIGN_KEY if is_fk else Phase.ADD_CONSTRAINT,
        ),
        Change(
            "constraint",
            constraint.key,
            "alter",
            "constraint.validate",
            {"constraint": constraint},
            Phase.VALIDATE_CONSTRAINT,
            hazards.validate_constraint_online(constraint.name, constraint.table),
            separate=True,
        ),
        *_comment(constraint, None),
    ]


def _not_valid_refused(ctx: DiffContext, table: str) -> bool:
    """PostgreSQL before 18 refuses a NOT VALID foreign key on a partitioned table."""
    found = ctx.desired.tables.get(table)
    major = major_of(ctx.current.server_version) or 0
    return found is not None and found.kind == "p" and major < 18


def _existing_leaves(ctx: DiffContext, table: str) -> list[str]:
    """The partitions that hold rows below ``table`` (partitioned partitions hold none)
    and exist before the change; partitions the change creates are still empty."""
    leaves, pending = [], [table]
    while pending:
        parent = pending.pop()
        for ident, partition in sorted(ctx.desired.tables.items()):
            if partition.partition_of != parent:
                continue
            if partition.kind == "p":
                pending.append(ident)
            elif ident in ctx.current.tables:
                leaves.append(ident)
    return sorted(leaves)


def _add_through_partitions(ctx: DiffContext, constraint: Constraint) -> list[Change]:
    """Online, on a partitioned table: the key goes NOT VALID onto every partition that
    holds rows and is validated there (reads and writes go on); then the parent's key is
    added, and PostgreSQL adopts the partitions' validated keys instead of scanning."""
    changes: list[Change] = []
    for leaf in _existing_leaves(ctx, constraint.table):
        copy = dataclasses.replace(constraint, table=leaf, comment=None)
        changes += [
            Change("constraint", copy.key, "create", "constraint.add",
                   {"constraint": copy, "not_valid": True}, Phase.ADD_FOREIGN_KEY),
            Change("constraint", copy.key, "alter", "constraint.validate", {"constraint": copy},
                   Phase.VALIDATE_CONSTRAINT,
                   hazards.validate_constraint_online(constraint.name, leaf), separate=True),
        ]  # fmt: skip
    changes.append(
        Change(
            "constraint", constraint.key, "create", "constraint.add",
            {"constraint": constraint, "not_valid": False}, Phase.ADOPT_FOREIGN_KEY,
        )
    )  # fmt: skip
    return changes + _comment(constraint, None)


def _drop(constraint: Constraint) -> Change:
    is_fk = constraint.type == FOREIGN_KEY
    return Change(
        "constraint",
        constraint.key,
        "drop",
        "constraint.drop",
        {"constraint": constraint},
        Phase.DROP_FOREIGN_KEY if is_fk else Phase.DROP_CONSTRAINT,
    )


def _comment(constraint: Constraint, old_comment: str | None) -> list[Change]:
    if old_comment == constraint.comment:
        return []  # most constraints: spares naming the target
    return comment_change(
        "constraint",
        f"CONSTRAINT {constraint.ident} ON {constraint.table}",
        constraint.key,
        old_comment,
        constraint.comment,
    )


def _links_dropped_tables(ctx: DiffContext, constraint: Constraint) -> bool:
    """A foreign key between two tables that are both dropped must go first, or the
    table it references could not be dropped before the table that holds it."""
    return (
        constraint.type == FOREIGN_KEY
        and constraint.references in ctx.dropped_tables
        and constraint.references != constraint.table
    )


def rebuilt_indexes(ctx: DiffContext) -> frozenset[str]:
    """Unique indexes that go away or are re-created: dropped or changed primary,
    unique and exclusion constraints (their index shares their name), and indexes."""
    return ctx.answer("rebuilt_indexes", lambda: _rebuilt_indexes(ctx))


def _rebuilt_indexes(ctx: DiffContext) -> frozenset[str]:
    current, desired = ctx.current.constraints, ctx.desired.constraints
    adopted = adopted_keys(ctx)
    under = foundations(ctx)
    rebuilt: set[str] = set()
    for key, old in current.items():
        new = desired.get(key)
        if key in adopted:
            continue
        if old.type in ("p", "u", "x") and (new is None or _rebuilt(ctx, old, new)):
            schema = old.table.rsplit(".", 1)[0]
            rebuilt.add(f"{schema}.{old.ident}")
        elif old.type in ("p", "u", "x") and _standing_on(under, old):
            rebuilt.add(f"{old.table.rsplit('.', 1)[0]}.{old.ident}")
    kept = adopted_indexes(ctx).keys() | adopted_by_keys(ctx).keys()
    for ident, index in ctx.current.indexes.items():
        wanted = ctx.desired.indexes.get(ident)
        if ident in kept:
            continue
        if (
            wanted is None
            or rebuilds(index, wanted)
            or under.reason(index.table, index.columns, index.calls)
        ):
            rebuilt.add(ident)
    return frozenset(rebuilt)


def _rebuilt(ctx: DiffContext, old: Constraint, new: Constraint) -> bool:
    """Whether the definition changes beyond its index's storage parameters, which
    ALTER INDEX ... SET changes in place (not on a partitioned table's index)."""
    table = ctx.desired.tables.get(new.table)
    if table is not None and table.kind == "p" and _options_differ(old, new):
        return True
    if old.definition == new.definition:
        return False
    return not old.shape or old.shape != new.shape  # an exclusion constraint prints WITH


def _options_differ(old: Constraint, new: Constraint) -> bool:
    return old.index_options != new.index_options and (
        sorted(old.index_options) != sorted(new.index_options)
    )


def _index_options(old: Constraint, new: Constraint) -> list[Change]:
    if not _options_differ(old, new):
        return []
    names = {o.split("=", 1)[0] for o in new.index_options}
    removed = sorted({o.split("=", 1)[0] for o in old.index_options} - names)
    index = f"{new.table.rsplit('.', 1)[0]}.{new.ident}"  # a key's index has its name
    return [
        Change(
            "constraint", new.key, "alter", "settings.set_constraint_index_options",
            {"constraint": new, "index": index, "set": new.index_options, "reset": removed},
            Phase.CREATE_INDEX,
        )
    ]  # fmt: skip


def _standing_on(under: Foundations, constraint: Constraint) -> str | None:
    return under.reason(
        constraint.table, constraint.columns, constraint.calls, constraint.definition
    )


def _retyped_at_both_ends(ctx: DiffContext, constraint: Constraint) -> str | None:
    """Why a foreign key whose columns and referenced columns both change type must be
    dropped first and added again last: PostgreSQL re-checks the key after each table's
    ALTER, and between the two the ends may not compare ("foreign key constraint ...
    cannot be implemented"). One end changing alone goes straight to the final pair."""
    if constraint.type != FOREIGN_KEY or constraint.references is None:
        return None
    retyped = retyped_or_dropped_columns(ctx)
    if not retyped or not any((constraint.table, c) in retyped for c in constraint.columns):
        return None
    referenced = _referenced_columns(ctx, constraint)
    if not any((constraint.references, c) in retyped for c in referenced):
        return None
    return f"its columns and those of {constraint.references} it references change type"


def _referenced_columns(ctx: DiffContext, constraint: Constraint) -> tuple[str, ...]:
    """The columns of the unique index or key a foreign key references."""
    index = ctx.current.indexes.get(constraint.referenced_index or "")
    if index is not None:
        return index.columns
    schema = (constraint.references or "").rsplit(".", 1)[0]
    for key in ctx.current.constraints.values():
        if (
            key.table == constraint.references
            and key.type in ("p", "u")
            and f"{schema}.{key.ident}" == constraint.referenced_index
        ):
            return key.columns
    return ()


def _loses_its_index(constraint: Constraint, rebuilt: frozenset[str]) -> bool:
    """A foreign key must be dropped before the unique index it relies on, and
    added again once the new one exists, even when its own text is unchanged."""
    return constraint.type == FOREIGN_KEY and constraint.referenced_index in rebuilt


def diff_constraints(ctx: DiffContext) -> list[Change]:
    changes: list[Change] = []
    current, desired = ctx.current.constraints, ctx.desired.constraints
    rebuilt = rebuilt_indexes(ctx)
    adopted = adopted_keys(ctx)  # a partition's own, taken over by its parent's new key
    under = foundations(ctx)
    for key in sorted(desired.keys() - current.keys()):
        changes += _add(ctx, desired[key])
    for key, (_, name) in sorted(adopted.items()):
        if name != current[key].ident:
            changes.append(
                Change(
                    "constraint", key, "alter", "constraint.rename",
                    {"constraint": current[key], "to": name}, Phase.ADD_CONSTRAINT, order=(1,),
                )
            )  # fmt: skip
    for key in sorted(current.keys() - desired.keys() - adopted.keys()):
        if (
            current[key].table not in ctx.dropped_tables
            or _links_dropped_tables(ctx, current[key])
            or _loses_its_index(current[key], rebuilt)
        ):
            changes.append(_drop(current[key]))
    for key in sorted(current.keys() & desired.keys()):
        old, new = current[key], desired[key]
        if (
            old.type != new.type
            or _rebuilt(ctx, old, new)
            or (old.validated and not new.validated)
            or _loses_its_index(old, rebuilt)
        ):
            if _rebuilt(ctx, old, new) and swapped_online(ctx, old, new):
                temporary = replacement_name(ctx, split_qualified(old.table)[0], new.name)
                assert temporary is not None  # swapped_online asked
                changes += swap_over_concurrent_index(old, new, temporary)
                changes += _comment(new, None)
                continue
            changes.append(_drop(old))
            changes += _add(ctx, new)
            continue
        changes += _index_options(old, new)
        if reason := _standing_on(under, old) or _retyped_at_both_ends(ctx, old):
            risk = Hazard(
                HazardKind.DEPENDENT_RECREATE,
                f"constraint {old.name} on {old.table} is dropped and added again: {reason}",
            )
            changes.append(dataclasses.replace(_drop(old), hazards=(risk,)))
            changes += _add(ctx, new)
            continue
        if new.validated and not old.validated:
            changes.append(
                Change(
                    "constraint",
                    key,
                    "alter",
                    "constraint.validate",
                    {"constraint": new},
                    Phase.VALIDATE_CONSTRAINT,
                    hazards.validate_constraint_online(new.name, new.table),
                )
            )
        changes += _comment(new, old.comment)
    return changes
