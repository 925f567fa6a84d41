"""NOT NULL constraints by name (PostgreSQL 18 and later).

Whether a column is NOT NULL is the column differ's (``SET``/``DROP NOT NULL``,
named as the desired state names it). This differ keeps what PostgreSQL 18 records
beyond that flag on a column that is NOT NULL on both sides: the constraint's name,
``NO INHERIT``, ``NOT VALID`` and its comment; and it adds the ``NOT VALID`` ones of
new tables and columns, which ``CREATE TABLE`` cannot state.

Names need care where constraints are inherited. PostgreSQL renames an inherited
NOT NULL constraint only through its parent: ``RENAME CONSTRAINT`` on the parent
renames every child's constraint of the same name, and fails when a child's is named
otherwise. A child whose name must differ from its parent's (a table attached as a
partition keeps its own names; ``CREATE TABLE ... LIKE`` copies the template's) is
therefore taken out of the hierarchy for the rename: a partition is detached and
attached again (ATTACH scans it, as for a changed bound), an inheriting table with
one parent leaves it (``NO INHERIT``) and joins it again (``INHERIT``, no scan).
"""

from __future__ import annotations

from dataclasses import dataclass

from schemactl.catalog.model import Column, NotNullConstraint, Table
from schemactl.diff import hazards
from schemactl.diff.changes import AttributeChange, Change, Phase, Subject
from schemactl.diff.comments import comment_change
from schemactl.diff.context import DiffContext
from schemactl.diff.partitions import rebuilt_tables


@dataclass(frozen=True)
class _Rename:
    """A NOT NULL constraint's name, as the target has it and as the schema wants it."""

    old: NotNullConstraint  # as the target names it
    new: NotNullConstraint  # as it is wanted


def diff_not_null(ctx: DiffContext) -> list[Change]:
    changes: list[Change] = []
    for ident in sorted(ctx.desired.tables):
        table = ctx.desired.tables[ident]
        old_table = ctx.current.tables.get(ident)
        for constraint in table.not_null_constraints:
            if not constraint.valid and _is_new(old_table, table, constraint.column):
                changes.append(_add_not_valid(table, constraint))
            old = old_table.not_null(constraint.column) if old_table is not None else None
            changes += _comment(table, old, constraint)
    changes += _flags(ctx)
    changes += _renames(ctx)
    return changes


def _is_new(old_table: Table | None, table: Table, column: str) -> bool:
    """A NOT VALID constraint the table or column is created without: added afterwards.
    (On an existing column, the column differ's SET NOT NULL adds it.)"""
    own = table.column(column) is not None
    return own and (old_table is None or old_table.column(column) is None)


def _subject(table: Table, constraint: NotNullConstraint) -> Subject:
    return Subject("table", table.ident, "constraint", constraint.ident)


def _definition(constraint: NotNullConstraint) -> str:
    flags = (" NO INHERIT" if constraint.no_inherit else "") + (
        "" if constraint.valid else " NOT VALID"
    )
    return f"NOT NULL {constraint.column}{flags}"


def _add_not_valid(table: Table, constraint: NotNullConstraint) -> Change:
    return Change(
        "constraint", f"{table.ident}.{constraint.ident}", "create", "column.add_not_null",
        {"table": table, "constraint": constraint}, Phase.ADD_CONSTRAINT,
        subject=_subject(table, constraint),
        attributes=(AttributeChange("definition", None, _definition(constraint)),),
    )  # fmt: skip


def _comment(table: Table, old: NotNullConstraint | None, new: NotNullConstraint) -> list[Change]:
    return comment_change(
        "constraint", f"CONSTRAINT {new.ident} ON {table.ident}", f"{table.ident}.{new.ident}",
        old.comment if old is not None else None, new.comment,
    )  # fmt: skip


def _both(ctx: DiffContext) -> list[tuple[Table, Table]]:
    """Tables on both sides that stay what they are (rebuilt ones are created anew) and
    have NOT NULL constraints by name in the desired state: only those have any to alter
    or rename (none do when read on a server older than PostgreSQL 18)."""
    current, desired = ctx.current.tables, ctx.desired.tables
    named = [i for i, t in desired.items() if t.not_null_constraints and i in current]
    if not named:
        return []
    rebuilt = rebuilt_tables(ctx.original_current or ctx.current, ctx.desired)
    return [(current[ident], desired[ident]) for ident in sorted(named) if ident not in rebuilt]


def _flags(ctx: DiffContext) -> list[Change]:
    """NO INHERIT and NOT VALID on a constraint both sides have (under either name)."""
    changes: list[Change] = []
    for old_table, table in _both(ctx):
        for new in table.not_null_constraints:
            old = old_table.not_null(new.column)
            column = table.column(new.column)
            if old is None or column is None or old_table.column(new.column) is None:
                continue
            subject = _subject(table, new)
            name = f"{table.ident}.{new.ident}"
            params = {"table": table, "old": old, "new": new}
            if old.valid and not new.valid:
                # Nothing makes a constraint unchecked again: it goes and comes back NOT VALID.
                changes += _drop_and_add_not_valid(table, column, new)
                continue
            if old.no_inherit != new.no_inherit:
                changes.append(
                    Change(
                        "constraint", name, "alter", "column.inherit_not_null", params,
                        Phase.ALTER_TABLE, subject=subject,
                        attributes=(AttributeChange("definition", _definition(old),
                                                    _definition(new)),),
                    )
                )  # fmt: skip
            if new.valid and not old.valid:
                changes.append(
                    Change(
                        "constraint", name, "alter", "column.validate_not_null", params,
                        Phase.VALIDATE_CONSTRAINT,
                        hazards.validate_constraint_online(new.name, table.ident),
                        subject=subject,
                        attributes=(AttributeChange("definition", _definition(old),
                                                    _definition(new)),),
                    )
                )  # fmt: skip
    return changes


def _drop_and_add_not_valid(table: Table, column: Column, new: NotNullConstraint) -> list[Change]:
    name = f"{table.ident}.{column.ident}"
    params = {"table": table, "column": column, "old": column}
    return [
        Change("column", name, "alter", "column.drop_not_null", params, Phase.ALTER_COLUMN),
        _add_not_valid(table, new),
    ]


# -- names ---------------------------------------------------------------------------------


def _parent(table: Table) -> str | None:
    if table.partition_of:
        return table.partition_of
    return table.inherits[0] if len(table.inherits) == 1 else None


def _renames(ctx: DiffContext) -> list[Change]:
    """Renames, parents before children, with the children taken out of the hierarchy
    whose constraint the parent's rename would not find or would misname."""
    pairs = _both(ctx)
    pairs.sort(key=lambda pair: (ctx.table_depth(ctx.desired, pair[1].ident), pair[1].ident))
    renamed: dict[tuple[str, str], _Rename] = {}  # (table, column) -> rename, as it happens
    changes: list[Change] = []
    for old_table, table in pairs:
        parent = _parent(table) if _parent(old_table) == _parent(table) else None
        taken_out = False
        renames: list[_Rename] = []
        for new in table.not_null_constraints:
            old = old_table.not_null(new.column)
            if old is None:
                continue
            by_parent = renamed.get((parent, new.column)) if parent else None
            name = old.name
            if by_parent is not None and not by_parent.old.no_inherit:
                if old.name != by_parent.old.name:
                    taken_out = True  # the parent's rename would not find it
                else:
                    name = by_parent.new.name  # renamed with the parent
            if name == new.name:
                if old.name != new.name:
                    renamed[(table.ident, new.column)] = _Rename(old, new)
                continue
            renames.append(_Rename(old, new))
            renamed[(table.ident, new.column)] = _Rename(old, new)
            if old.inherited:
                taken_out = True
        if taken_out and parent is None:
            continue  # several parents: not renamed (see the module's docstring)
        changes += _rename_changes(ctx, old_table, table, renames, taken_out)
    return changes


def _rename_changes(
    ctx: DiffContext, old_table: Table, table: Table, renames: list[_Rename], taken_out: bool
) -> list[Change]:
    depth = ctx.table_depth(ctx.desired, table.ident)
    changes = [
        Change(
            "constraint", f"{table.ident}.{r.new.ident}", "alter", "column.rename_not_null",
            {"table": table, "old": r.old, "new": r.new}, Phase.RENAME_NOT_NULL,
            order=(depth,), subject=_subject(table, r.new),
            attributes=(AttributeChange("name", r.old.name, r.new.name),),
        )
        for r in renames
    ]  # fmt: skip
    if taken_out and not _reattached_anyway(old_table, table):
        changes = _taken_out(ctx, old_table, table, depth) + changes
    return changes


def _reattached_anyway(old: Table, new: Table) -> bool:
    """A partition whose bound or parent changes is detached and attached again already."""
    return bool(
        old.partition_of
        and new.partition_of
        and (old.partition_of != new.partition_of or old.partition_bound != new.partition_bound)
    )


def _taken_out(ctx: DiffContext, old: Table, new: Table, depth: int) -> list[Change]:
    if new.partition_of:
        risk = hazards.reattach_to_rename(new.ident, new.partition_of)
        return [
            Change("table", old.ident, "alter", "partition.detach", {"table": old},
                   Phase.DROP_TABLE, risk, order=(-depth,)),
            Change("table", new.ident, "alter", "partition.attach", {"table": new},
                   Phase.CREATE_TABLE, risk, order=(depth, 1)),
        ]  # fmt: skip
    parent = new.inherits[0]
    params = {"table": new, "parent": parent}
    return [
        Change("table", new.ident, "alter", "table.no_inherit", params, Phase.DROP_TABLE,
               order=(-depth,)),
        Change("table", new.ident, "alter", "table.inherit", params, Phase.CREATE_TABLE,
               order=(depth, 1)),
    ]  # fmt: skip
