"""Tables and their columns: create, drop, and ALTER wherever PostgreSQL can alter."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from schemactl.catalog.model import DEFAULT_BOUND, Column, Table
from schemactl.diff import hazards
from schemactl.diff.changes import Change, Hazard, Phase
from schemactl.diff.comments import comment_change
from schemactl.diff.context import DiffContext
from schemactl.diff.conversions import converted
from schemactl.diff.identity import identity_sequence_changes
from schemactl.diff.partition_bounds import rows_condition
from schemactl.diff.regenerated import (
    in_place_expressions,
    names_types,
    regenerates,
    retyped_columns,
    sets_expression,
)
from schemactl.diff.routines import recreated_functions, redefined_functions
from schemactl.diff.sequences import succeeded_by_identity
from schemactl.diff.types import (
    cast_through_text,
    dropped_or_replaced,
    element_type,
    swapped_types,
    table_rank,
)


def diff_tables(ctx: DiffContext) -> list[Change]:
    changes: list[Change] = []
    for ident in sorted(ctx.created_tables):
        changes += _create_table(ctx, ctx.desired.tables[ident])
    for ident in sorted(ctx.dropped_tables):
        table = ctx.current.tables[ident]
        depth = table_rank(ctx, ctx.current, ident)  # partition depth, type stages
        changes.append(
            Change(
                "table", ident, "drop", "table.drop", {"table": table}, Phase.DROP_TABLE,
                hazards.drop_table(ident), order=(-depth,),
            )
        )  # fmt: skip
    recreated = recreated_functions(ctx)
    gone = recreated | (ctx.current.functions.keys() - ctx.desired.functions.keys())
    checked_domains = _checked_domains(ctx)
    swapped = swapped_types(ctx)
    replaced = frozenset(dropped_or_replaced(ctx)) if ctx.current.types else frozenset()
    # Generated columns calling a routine that is recreated or computes anew are added again.
    regenerating = recreated | redefined_functions(ctx)
    in_place = in_place_expressions(ctx)  # 17 and later: SET EXPRESSION
    for ident in sorted(ctx.current.tables.keys() & ctx.desired.tables.keys()):
        if not regenerating and not replaced and ident in ctx.unchanged_tables:
            continue  # nothing to alter: only a routine or a replaced type touches it
        old, new = ctx.current.tables[ident], ctx.desired.tables[ident]
        altered = _alter_table(
            old, new, ctx.online, regenerating, checked_domains, swapped, in_place
        )
        detached = _detach_defaults(old, new, gone, replaced)
        if detached:  # dropped early already: not again with the column's other changes
            early = {c.name for c in detached if c.operation == "column.drop_default"}
            altered = [c for c in altered if not _drops_default_of(c, early)]
        changes += _going_on_from_serials(ctx, converted(cast_through_text(ctx, altered)))
        changes += detached
    return changes


def _going_on_from_serials(ctx: DiffContext, changes: list[Change]) -> list[Change]:
    """An identity added to a serial column goes on from the serial's sequence (see
    sequences.succeeded_by_identity)."""
    result = []
    for change in changes:
        if change.operation == "column.add_identity":
            owner = f"{change.params['table'].ident}.{change.params['column'].ident}"
            previous = next(
                (
                    aside
                    for seq in ctx.current.sequences.values()
                    if seq.owned_by == owner
                    and seq.ident not in ctx.desired.sequences
                    and (aside := succeeded_by_identity(ctx, seq)) is not None
                ),
                None,
            )
            if previous is not None:
                change = dataclasses.replace(change, params={**change.params, "previous": previous})
        result.append(change)
    return result


def _drops_default_of(change: Change, columns: set[str]) -> bool:
    return (
        change.operation == "column.drop_default"
        and change.phase is Phase.ALTER_COLUMN
        and change.name in columns
    )


def _detach_defaults(
    old: Table, new: Table, gone: frozenset[str], replaced: frozenset[str]
) -> list[Change]:
    """A default that calls a routine the migration drops (for good, or to create it
    again), or names a type it drops or replaces (``'open'::public.status`` in a text
    column), would block the drop: it is dropped before, and set again, where the
    desired state keeps it, once the routine or type exists anew; a new default is set
    with the column's other changes. Columns holding a replaced type have their defaults
    taken off and put back by the replacement itself."""
    changes: list[Change] = []
    wanted = {c.name: c for c in new.columns}
    for column in old.columns:
        target = wanted.get(column.name)
        if target is None or column.default is None:
            continue
        if not gone & set(column.default_calls) and (
            not replaced
            or element_type(column.type) in replaced
            or not names_types(column.default, replaced)
        ):
            continue
        params = {"table": new, "column": target, "old": column}
        name = f"{new.ident}.{target.ident}"
        changes.append(
            Change("column", name, "alter", "column.drop_default", params, Phase.DETACH_DEFAULT)
        )
        if target.default is not None and target.default == column.default:
            changes.append(
                Change("column", name, "alter", "column.set_default", params, Phase.ALTER_COLUMN)
            )
    return changes


def _default_partition(ctx: DiffContext, parent: str | None) -> Table | None:
    """The DEFAULT partition of ``parent`` that exists now and stays."""
    if parent is None or parent in ctx.created_tables:
        return None
    default = ctx.current.default_partition(parent)
    return default if default is not None and default.ident in ctx.desired.tables else None


def _create_table(ctx: DiffContext, table: Table) -> list[Change]:
    depth = table_rank(ctx, ctx.desired, table.ident)  # partition depth, type stages
    default = _default_partition(ctx, table.partition_of)
    parent = ctx.desired.tables.get(table.partition_of or "")
    condition = (
        rows_condition(parent.partition_key, table.partition_bound)
        if default is not None and parent is not None and table.partition_bound != DEFAULT_BOUND
        else None
    )
    if parent is not None and default is not None and condition is not None:
        columns = [c for c in parent.columns if c.generated is None]
        create = Change(
            "table", table.ident, "create", "partition.create_beside_default",
            {"table": table, "parent": parent, "default": default, "condition": condition,
             "columns": columns},
            Phase.CREATE_TABLE, hazards.move_default_rows(default.ident, table.ident),
            order=(depth,),
        )  # fmt: skip
    else:
        create = Change(
            "table", table.ident, "create", "table.create", {"table": table}, Phase.CREATE_TABLE,
            order=(depth,),
        )  # fmt: skip
    changes = [create]
    changes += _row_security(table.ident, False, False, table.rls_enabled, table.rls_forced)
    changes += comment_change("table", f"TABLE {table.ident}", table.ident, None, table.comment)
    for column in table.columns:
        changes += comment_change(
            "column", f"COLUMN {table.ident}.{column.ident}", f"{table.ident}.{column.ident}",
            None, column.comment,
        )  # fmt: skip
    return changes


def _checked_domains(ctx: DiffContext) -> frozenset[str]:
    """Domains with constraints: a column of one checks every row's value when added."""
    return frozenset(
        ident
        for ident, user_type in ctx.desired.types.items()
        if user_type.kind == "d" and (user_type.constraints or user_type.not_null)
    )


def _computed_per_row(column: Column, checked_domains: frozenset[str]) -> str:
    """Why ADD COLUMN must visit every row (the empty string when it need not)."""
    if column.identity:
        return "an identity"
    if column.generated is not None and column.generated_storage == "STORED":
        return "a stored generated expression"  # a VIRTUAL one (PostgreSQL 18) is computed on read
    if column.type.removesuffix("[]") in checked_domains:
        return f"the checks of domain {column.type}"
    return ""


def _alter_table(
    old: Table,
    new: Table,
    online: bool = False,
    recreated: frozenset[str] = frozenset(),
    checked_domains: frozenset[str] = frozenset(),
    swapped: frozenset[str] = frozenset(),
    in_place: frozenset[str] | None = None,
) -> list[Change]:
    changes: list[Change] = []
    ident = new.ident
    old_columns = {c.name: c for c in old.columns}
    new_columns = {c.name: c for c in new.columns}
    retyped = retyped_columns(old, new, swapped)
    for column in new.columns:
        before = old_columns.get(column.name)
        if before is None:
            changes.append(
                Change(
                    "column", f"{ident}.{column.ident}", "create", "column.add",
                    {"table": new, "column": column}, _add_phase(column),
                    hazards.add_column(
                        ident, column.name, column.default_volatile,
                        _computed_per_row(column, checked_domains),
                    ),
                )
            )  # fmt: skip
        else:
            changes += _alter_column(new, before, column, online, recreated, retyped, in_place)
        if before is not None and regenerates(before, column, recreated, retyped, in_place):
            before = None  # added again: its comment with it
        changes += comment_change(
            "column", f"COLUMN {ident}.{column.ident}", f"{ident}.{column.ident}",
            before.comment if before else None, column.comment,
        )  # fmt: skip
    for column in old.columns:
        if column.name not in new_columns:
            changes.append(
                Change(
                    "column", f"{ident}.{column.ident}", "drop", "column.drop",
                    {"table": old, "column": column}, Phase.DROP_COLUMN,
                    hazards.drop_column(ident, column.name),
                )
            )  # fmt: skip
    if old.unlogged != new.unlogged:
        changes.append(
            Change(
                "table", ident, "alter", "table.set_logged", {"table": new}, Phase.ALTER_TABLE,
                hazards.set_persistence(ident, new.unlogged),
            )
        )  # fmt: skip
    if old.of_type != new.of_type:  # the columns already match the type, or stay
        changes.append(
            Change("table", ident, "alter", "table.set_type_of", {"table": new}, Phase.ALTER_TABLE)
        )
    if sorted(old.options) != sorted(new.options):  # the order they were set in is no matter
        removed = sorted(
            {o.split("=", 1)[0] for o in old.options} - {o.split("=", 1)[0] for o in new.options}
        )
        changes.append(
            Change(
                "table", ident, "alter", "table.set_options",
                {"table": new, "set": new.options, "reset": removed}, Phase.ALTER_TABLE,
            )
        )  # fmt: skip
    changes += _row_security(
        ident, old.rls_enabled, old.rls_forced, new.rls_enabled, new.rls_forced
    )
    changes += comment_change("table", f"TABLE {ident}", ident, old.comment, new.comment)
    return [c for c in changes if not _defaulted_by_swap(c, swapped)] if swapped else changes


def _row_security(
    ident: str, old_enabled: bool, old_forced: bool, new_enabled: bool, new_forced: bool
) -> list[Change]:
    changes: list[Change] = []
    if old_enabled != new_enabled:
        changes.append(
            Change(
                "table", ident, "alter", "table.row_security",
                {"ident": ident, "enable": new_enabled}, Phase.ALTER_TABLE,
                hazards.rls_change(ident),
            )
        )  # fmt: skip
    if old_forced != new_forced:
        changes.append(
            Change(
                "table", ident, "alter", "table.force_row_security",
                {"ident": ident, "force": new_forced}, Phase.ALTER_TABLE,
                hazards.rls_change(ident),
            )
        )  # fmt: skip
    return changes


def _defaulted_by_swap(change: Change, swapped: frozenset[str]) -> bool:
    """A column's default set or dropped by its own change where its type is replaced
    under it, keeping its name: the replacement drops the old default before converting
    the column and sets the new one after (diff/types.py), once is enough."""
    if change.operation not in ("column.set_default", "column.drop_default"):
        return False
    old, new = change.params.get("old"), change.params["column"]
    if old is None or old.type != new.type or element_type(old.type) not in swapped:
        return False
    return change.operation == "column.set_default" or old.default is not None


def _alter_column(
    table: Table,
    old: Column,
    new: Column,
    online: bool,
    recreated: frozenset[str],
    retyped: frozenset[str] = frozenset(),
    in_place: frozenset[str] | None = None,
) -> list[Change]:
    """The smallest ALTERs that turn ``old`` into ``new``; ``retyped``: the idents of
    the table's columns that change type or collation; ``in_place``: see
    diff/regenerated.py, ``in_place_expressions``."""
    name = f"{table.ident}.{new.ident}"
    params = {"table": table, "column": new, "old": old}

    def change(
        operation: str, hazard_list: tuple[Hazard, ...] = (), phase: Phase = Phase.ALTER_COLUMN
    ) -> Change:
        return Change("column", name, "alter", operation, params, phase, hazard_list)

    if in_place is not None and sets_expression(old, new, in_place, retyped):
        stored = new.generated_storage == "STORED"
        if old.generated != new.generated or (stored and recreated & set(old.default_calls)):
            return [
                change(
                    "column.set_expression",
                    hazards.set_expression(table.ident, new.name, stored),
                    Phase.ADD_GENERATED_COLUMN,
                ),
                *_plain_column_changes(table, old, new, change, online),
            ]
    if regenerates(old, new, recreated, retyped, in_place):
        # PostgreSQL cannot change a generation expression in place, nor drop a routine
        # it calls, nor change the type of a column it reads: the column goes (before
        # those) and comes back (after them).
        return [
            change(
                "column.drop",
                hazards.regenerate_column(
                    table.ident, new.name, _why_regenerated(old, new, retyped)
                ),
                Phase.DROP_COLUMN,
            ),
            change("column.add", (), _add_phase(new)),
        ]
    if old.generated != new.generated and new.generated is None:
        if old.generated_storage != "STORED":  # a virtual column has no values to keep
            return [
                change(
                    "column.drop",
                    hazards.regenerate_column(table.ident, new.name),
                    Phase.DROP_COLUMN,
                ),
                change("column.add", (), Phase.ADD_COLUMN),
            ]
        # DROP EXPRESSION keeps a stored column's values.
        return [
            change("column.drop_expression"),
            *_plain_column_changes(table, old, new, change, online),
        ]
    return _plain_column_changes(table, old, new, change, online)


def _why_regenerated(old: Column, new: Column, retyped: frozenset[str]) -> str:
    if old.generated != new.generated or old.generated_storage != new.generated_storage:
        return "to change its expression"
    if reads := sorted(retyped.intersection(old.generated_uses)):
        return f"around the type change of {', '.join(reads)}, which its expression reads"
    return "around a routine it calls, which is dropped and created again or computes anew"


def _add_phase(column: Column) -> Phase:
    """A generated column is added after the other columns' changes: its expression
    reads them as they will be (PostgreSQL refuses to change the type of a column that
    an expression reads)."""
    return Phase.ADD_GENERATED_COLUMN if column.generated is not None else Phase.ADD_COLUMN


def _plain_column_changes(
    table: Table, old: Column, new: Column, change: Callable[..., Change], online: bool = False
) -> list[Change]:
    changes: list[Change] = []
    if old.identity and not new.identity:
        changes.append(change("column.drop_identity", (), Phase.DROP_IDENTITY))  # keeps NOT NULL
    if old.type != new.type or old.collation != new.collation:
        if old.default is not None:
            changes.append(change("column.drop_default"))  # the old default may not cast
        changes.append(
            change(
                "column.set_type",
                hazards.change_type(
                    table.ident, new.name, old.type, new.type, old.collation != new.collation
                ),
            )
        )
        if new.default is not None:
            changes.append(change("column.set_default"))
    elif old.default != new.default:
        operation = "column.set_default" if new.default is not None else "column.drop_default"
        changes.append(change(operation))
    unchecked = (constraint := table.not_null(new.name)) is not None and not constraint.valid
    if new.not_null and not old.not_null and unchecked:
        changes.append(change("column.set_not_null"))  # NOT VALID: existing rows stay unchecked
    elif new.not_null and not old.not_null and online and not (new.identity and not old.identity):
        changes += _set_not_null_online(table, new, change)
    elif new.not_null and not old.not_null:
        changes.append(change("column.set_not_null", hazards.set_not_null(table.ident, new.name)))
    elif old.not_null and not new.not_null:
        changes.append(change("column.drop_not_null"))
    if new.identity and not old.identity:
        changes.append(change("column.add_identity", (), Phase.ADD_IDENTITY))  # needs NOT NULL
    elif new.identity and old.identity != new.identity:
        changes.append(change("column.set_identity_generation"))
    if new.identity and old.identity:
        changes += identity_sequence_changes(table, old, new)
    return changes


def _set_not_null_online(
    table: Table, column: Column, change: Callable[..., Change]
) -> list[Change]:
    """SET NOT NULL without a long exclusive scan: a NOT VALID check, validated in its
    own transaction, lets SET NOT NULL skip the scan; then the check goes."""
    return [
        change("column.add_not_null_check", (), Phase.ALTER_COLUMN),
        dataclasses.replace(
            change(
                "column.validate_not_null_check",
                hazards.validate_constraint_online(f"{column.name} IS NOT NULL", table.ident),
                Phase.VALIDATE_CONSTRAINT,
            ),
            separate=True,
        ),
        change("column.set_not_null", (), Phase.FINISH_NOT_NULL),
        change("column.drop_not_null_check", (), Phase.FINISH_NOT_NULL),
    ]
