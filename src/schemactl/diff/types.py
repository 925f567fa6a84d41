"""User-defined types: enums, composite types, domains and ranges.

Types are created before the functions and tables that use them and dropped after
those are gone; among themselves they are ordered by dependency (a domain over an
enum, a composite type with a domain attribute), never by name. A type built on a
table's row type (``CREATE DOMAIN d AS some_table``) is created among the tables,
after the tables it uses and before the tables that use it (:func:`table_rank`).

PostgreSQL alters most of a type in place: ``ADD VALUE`` inserts an enum label
anywhere, ``ALTER DOMAIN`` changes a default, NOT NULL or a CHECK, ``ALTER TYPE``
adds, drops or retypes a composite attribute at its end. What it cannot alter (an
enum label removed or reordered, a domain's base type, a composite's attribute
order or, while columns hold the type, an attribute's type, a range's options) is
replaced: dropped and created when nothing stores values of the type, otherwise
swapped: the new type is created under a temporary name, every column is converted
``USING col::text::new``, the old type is dropped and the new one renamed.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

from schemactl.catalog.model import (
    Catalog,
    Column,
    DomainConstraint,
    Table,
    TypeAttribute,
    UserType,
)
from schemactl.diff import hazards
from schemactl.diff.changes import Change, Hazard, Phase, Subject
from schemactl.diff.comments import comment_change
from schemactl.diff.context import DiffContext
from schemactl.errors import SchemactlError
from schemactl.identifiers import suffixed

ENUM, COMPOSITE, DOMAIN, RANGE = "e", "c", "d", "r"
STAGE_SPAN = 1000  # further apart than any partition depth
TEMPORARY_SUFFIX = "_schemactl_new"
# A type whose values cannot be cast directly to another type (or from it).
TEXT_CAST_KINDS = frozenset({ENUM, DOMAIN})


def diff_types(ctx: DiffContext) -> list[Change]:
    current, desired = ctx.current.types, ctx.desired.types
    current_rank, desired_rank = _ranks(current), _ranks(desired)
    changes: list[Change] = []
    kept = current.keys() & desired.keys()
    replaced = _replaced_kept(ctx)
    swapped = set(swapped_types(ctx))
    recreated = _with_dependents(current, replaced - swapped) & desired.keys() - swapped
    # Types built on the row type of a table that is rebuilt go with it and come back.
    over_rebuilt = _over_rebuilt(ctx) - swapped
    recreated |= over_rebuilt & desired.keys() & kept
    gone, redefined = _changing_routines(ctx) if ctx.current.functions else (frozenset(),) * 2
    for ident in sorted(kept - swapped - recreated):
        old, new = current[ident], desired[ident]
        if old != new or _calls_any(old, gone) or _checks_call(old, redefined):
            changes += _alter(ctx, old, new, desired_rank[ident], gone, redefined)
    if swapped:
        changes += _swap(ctx, swapped, desired_rank)
    # Types built on a table's row type go between the tables they use and the tables
    # that use them.
    before = ctx.original_current or ctx.current  # rebuilt tables are set aside from current
    desired_bound, current_bound = _stages(ctx.desired).types, _stages(before).types
    for ident in sorted((desired.keys() - current.keys()) | recreated):
        rank = desired_rank[ident]
        placement = None
        if ident in desired_bound:
            placement = (Phase.CREATE_TABLE, (_bound_order(desired_bound[ident], rank),))
        changes += _create(desired[ident], rank, placement)
    late = _dropped_late(ctx, current.keys() - desired.keys())
    for ident in sorted((current.keys() - desired.keys()) | recreated):
        rank = current_rank[ident]
        if ident in current_bound:
            placement = (Phase.DROP_TABLE, (-_bound_order(current_bound[ident], rank),))
        elif ident in late:
            placement = (Phase.DROP_REPLACED_TYPE, (-rank,))
        else:
            placement = (Phase.DROP_TYPE, (-rank,))
        changes += _drop(current[ident], placement)
    return changes + _held_as_text(ctx, over_rebuilt)


def _set_aside(ctx: DiffContext) -> set[str]:
    """Tables the migration rebuilds (set aside from ``ctx.current``, there again after)
    whose row type keeps its shape: values of it survive as text and back."""
    before = ctx.original_current or ctx.current
    rebuilt = (before.tables.keys() - ctx.current.tables.keys()) & ctx.desired.tables.keys()
    return {
        ident
        for ident in rebuilt
        if _row_shape(before.tables[ident]) == _row_shape(ctx.desired.tables[ident])
    }


def _row_shape(table: Table) -> list[tuple[str, str]]:
    """A row type's fields in order: what its text form is read back by."""
    return [(c.name, c.type) for c in sorted(table.columns, key=lambda c: c.position)]


def _over_rebuilt(ctx: DiffContext) -> set[str]:
    """User types built on the row type of a rebuilt table, however indirectly."""
    rebuilt = _set_aside(ctx)
    if not rebuilt:
        return set()
    types = ctx.current.types
    return _with_dependents(types, {i for i, t in types.items() if rebuilt & set(t.depends_on)})


def _held_as_text(ctx: DiffContext, over_rebuilt: set[str]) -> list[Change]:
    """Columns of other tables holding values of a rebuilt table's row type (or of a type
    built on it) keep them as text while the table and its types are dropped and created
    again, and take the type back after: ``USING col::text``, then ``col::text::type``."""
    held = _set_aside(ctx) | over_rebuilt
    changes: list[Change] = []
    if not held:
        return changes
    for ident, table in sorted(ctx.current.tables.items()):
        if ident not in ctx.desired.tables:
            continue
        for column in table.columns:
            base = element_type(column.type)
            if base not in held:
                continue
            wanted = _desired_column(ctx, table, column)
            if wanted is None or wanted.type != column.type:
                continue
            as_text = dataclasses.replace(
                column, type="text" + column.type[len(base) :], collation=None, default=None
            )
            name = f"{ident}.{column.ident}"
            if column.default is not None:
                changes.append(
                    Change("column", name, "alter", "column.drop_default",
                           {"table": table, "column": column, "old": column}, Phase.HOLD_AS_TEXT)
                )  # fmt: skip
            changes += [
                Change("column", name, "alter", "column.set_type",
                       {"table": table, "column": as_text, "old": column}, Phase.HOLD_AS_TEXT,
                       hazards.change_type(ident, column.name, column.type, as_text.type)),
                Change("column", name, "alter", "column.set_type",
                       {"table": table, "column": wanted, "old": as_text, "via_text": True},
                       Phase.ALTER_COLUMN,
                       hazards.change_type(ident, column.name, as_text.type, column.type)),
            ]  # fmt: skip
            if wanted.default is not None:
                changes.append(
                    Change("column", name, "alter", "column.set_default",
                           {"table": table, "column": wanted, "old": as_text}, Phase.ALTER_COLUMN,
                           order=(1,))
                )  # fmt: skip
    return changes


def table_rank(ctx: DiffContext, catalog: Catalog, ident: str) -> int:
    """Where a table is created (and, negated, dropped) among tables: its partition
    depth, in stages that leave room for types built on a table's row type (a domain
    over a table's row type comes after that table and before the tables using it)."""
    return STAGE_SPAN * _stages(catalog).tables.get(ident, 0) + ctx.table_depth(catalog, ident)


def cast_through_text(ctx: DiffContext, changes: list[Change]) -> list[Change]:
    """``changes`` with every column type change from or to an enum or a domain
    marked to convert through text: PostgreSQL has no direct cast between two enums,
    nor from an enum to a domain (``USING col::text::new_type``)."""

    def needs_text(type_name: str) -> bool:
        base = element_type(type_name)
        found = ctx.current.types.get(base) or ctx.desired.types.get(base)
        return found is not None and found.kind in TEXT_CAST_KINDS

    result = []
    for change in changes:
        if change.operation == "column.set_type" and (
            needs_text(change.params["old"].type) or needs_text(change.params["column"].type)
        ):
            change = dataclasses.replace(change, params={**change.params, "via_text": True})
        result.append(change)
    return result


# -- ordering ---------------------------------------------------------------------------


def _ranks(types: dict[str, UserType]) -> dict[str, int]:
    """How many user types stand below each type (0: it uses none)."""
    ranks: dict[str, int] = {}

    def rank(ident: str, seen: frozenset[str]) -> int:
        if ident not in ranks:
            below = [d for d in types[ident].depends_on if d in types and d not in seen]
            ranks[ident] = 1 + max((rank(d, seen | {d}) for d in below), default=-1)
        return ranks[ident]

    for ident in types:
        rank(ident, frozenset({ident}))
    return ranks


@dataclasses.dataclass(frozen=True)
class _Stages:
    """Tables and the types built on table row types, staged: stage 0 holds the tables
    that use no such type; a table-bound type sits in the stage of the latest table it
    uses; a table that uses one comes a stage after it. Empty when there are none."""

    tables: dict[str, int]
    types: dict[str, int]


_STAGES: dict[int, tuple[Catalog, _Stages]] = {}


def _stages(catalog: Catalog) -> _Stages:
    cached = _STAGES.get(id(catalog))
    if cached is not None and cached[0] is catalog:
        return cached[1]
    tables, types = catalog.tables, catalog.types
    bound: set[str] = set()
    grew = True
    while grew:
        grew = False
        for ident, user_type in types.items():
            if ident not in bound and any(d in tables or d in bound for d in user_type.depends_on):
                bound.add(ident)
                grew = True
    table_stage: dict[str, int] = {}
    type_stage: dict[str, int] = {}

    def of_type(ident: str, seen: frozenset[str]) -> int:
        if ident not in type_stage:
            below = [d for d in types[ident].depends_on if d not in seen]
            type_stage[ident] = max(
                (of_table(d, seen | {d}) if d in tables else of_type(d, seen | {d})
                 for d in below if d in tables or d in bound),
                default=0,
            )  # fmt: skip
        return type_stage[ident]

    def of_table(ident: str, seen: frozenset[str]) -> int:
        if ident not in table_stage:
            table = tables[ident]
            used = {element_type(c.type) for c in table.columns} & bound
            stage = max((of_type(u, seen | {u}) + 1 for u in used if u not in seen), default=0)
            parent = table.partition_of or (table.inherits[0] if table.inherits else None)
            if parent in tables and parent not in seen:
                stage = max(stage, of_table(parent, seen | {parent}))
            table_stage[ident] = stage
        return table_stage[ident]

    if bound:
        for ident in tables:
            of_table(ident, frozenset({ident}))
        for ident in bound:
            of_type(ident, frozenset({ident}))
    stages = _Stages(table_stage, {i: type_stage[i] for i in bound})
    if len(_STAGES) > 32:
        _STAGES.clear()
    _STAGES[id(catalog)] = (catalog, stages)
    return stages


def _bound_order(stage: int, rank: int) -> int:
    return STAGE_SPAN * stage + STAGE_SPAN // 2 + rank


def dropped_or_replaced(ctx: DiffContext) -> set[str]:
    """User types the migration drops, or replaces (the columns holding them converted
    to a new type of the same name), with the types built on them: what objects using
    them (views, routines) must be rebuilt around."""
    current, desired = ctx.current.types, ctx.desired.types
    found = {
        ident
        for ident, old in current.items()
        if ident not in desired or (old != desired[ident] and _replaced(ctx, ident))
    }
    return _with_dependents(current, found)


def _with_dependents(types: dict[str, UserType], idents: set[str]) -> set[str]:
    """``idents`` and every type that uses one of them, however indirectly: dropping a
    type takes the types built on it along."""
    result = set(idents)
    grew = True
    while grew:
        grew = False
        for ident, user_type in types.items():
            if ident not in result and result.intersection(user_type.depends_on):
                result.add(ident)
                grew = True
    return result


def _dropped_late(ctx: DiffContext, dropped: set[str]) -> set[str]:
    """Dropped types that columns still hold until their type changes (ALTER_COLUMN), and
    the dropped types those depend on: they go after the columns are converted."""
    late = {ident for ident in dropped if _columns_using(ctx, ident)}
    grew = True
    while grew:
        grew = False
        for ident in list(late):
            for dependency in ctx.current.types[ident].depends_on:
                if dependency in dropped and dependency not in late:
                    late.add(dependency)
                    grew = True
    return late


def _columns_using(ctx: DiffContext, ident: str) -> list[tuple[Table, Column]]:
    """Columns of the current database, holding values of type ``ident`` (or arrays of
    it), that are still there when types are altered: dropped tables and columns are
    gone by then. Partitions and inheritance children follow their parent's column."""
    found = []
    for table_ident, table in sorted(ctx.current.tables.items()):
        if table_ident in ctx.dropped_tables:
            continue
        for column in table.columns:
            if element_type(column.type) == ident and ctx.column_survives(
                table_ident, column.ident
            ):
                found.append((table, column))
    return found


def element_type(type_name: str) -> str:
    """The type an array type holds (``public.st`` for ``public.st[]``), or the type."""
    while type_name.endswith("[]"):
        type_name = type_name[:-2]
    return type_name


# -- create and drop --------------------------------------------------------------------


def _template(user_type: UserType) -> str:
    return "domain" if user_type.kind == DOMAIN else "type"


def _create(
    user_type: UserType, rank: int, placement: tuple[Phase, tuple[int, ...]] | None = None
) -> list[Change]:
    """The type's creation; ``placement`` (phase and order) puts it, its CHECKs included,
    somewhere other than among the types."""
    phase, order = placement or (Phase.CREATE_TYPE, (rank,))
    ident = user_type.ident
    if user_type.kind == DOMAIN:
        inline = tuple(c for c in user_type.constraints if c.validated and not c.uses_functions)
        # A default that calls a routine is set once routines exist, as such CHECKs are.
        later_default = bool(user_type.default_calls)
        made = dataclasses.replace(user_type, default=None) if later_default else user_type
        changes = [
            Change(
                "domain", ident, "create", "domain.create",
                {"domain": made, "checks": inline}, phase, order=order,
            )
        ]  # fmt: skip
        if later_default:
            changes.append(
                Change(
                    "domain", ident, "alter", "domain.set_default", {"domain": user_type},
                    phase if placement else Phase.ADD_DOMAIN_CONSTRAINT, order=order,
                )
            )  # fmt: skip
        for constraint in user_type.constraints:
            if constraint not in inline:
                added = _add_domain_constraint(user_type, constraint, rank, on_new=True)
                if placement is not None:
                    added = dataclasses.replace(added, phase=phase, order=order)
                changes.append(added)
            changes += _domain_constraint_comment(user_type, constraint, None)
    else:
        operation = {ENUM: "type.create_enum", COMPOSITE: "type.create_composite"}
        changes = [
            Change(
                "type", ident, "create", operation.get(user_type.kind, "type.create_range"),
                {"type": user_type}, phase, order=order,
            )
        ]  # fmt: skip
    changes += _comment(user_type, None)
    return changes


def _drop(user_type: UserType, placement: tuple[Phase, tuple[int, ...]]) -> list[Change]:
    changes = [
        # A CHECK that calls a function would keep the function from being dropped.
        Change(
            "domain", user_type.ident, "alter", "domain.drop_constraint",
            {"domain": user_type, "constraint": constraint}, Phase.DROP_CONSTRAINT,
        )
        for constraint in user_type.constraints
        if constraint.uses_functions
    ]  # fmt: skip
    if user_type.default_calls:  # so would a default that calls one
        changes.append(
            Change(
                "domain", user_type.ident, "alter", "domain.drop_default",
                {"domain": user_type}, Phase.DETACH_DEFAULT,
            )
        )  # fmt: skip
    changes.append(
        Change(
            _template(user_type), user_type.ident, "drop", f"{_template(user_type)}.drop",
            {_param(user_type): user_type}, placement[0], order=placement[1],
        )
    )  # fmt: skip
    return changes


def _param(user_type: UserType) -> str:
    return "domain" if user_type.kind == DOMAIN else "type"


def _comment(user_type: UserType, old_comment: str | None) -> list[Change]:
    keyword = "DOMAIN" if user_type.kind == DOMAIN else "TYPE"
    return comment_change(
        _template(user_type), f"{keyword} {user_type.ident}", user_type.ident, old_comment,
        user_type.comment,
    )  # fmt: skip


# -- replacing what cannot be altered ---------------------------------------------------


def _must_replace(old: UserType, new: UserType) -> bool:
    if old.kind != new.kind:
        return True
    if old.kind == ENUM:
        return not _is_subsequence(old.labels, new.labels)
    if old.kind == DOMAIN:
        return (old.base_type, old.collation) != (new.base_type, new.collation)
    if old.kind == COMPOSITE:
        return not _appendable(old.attributes, new.attributes)
    return old.options != new.options


def _replaced(ctx: DiffContext, ident: str) -> bool:
    """Whether the kept type ``ident`` is replaced rather than altered: beyond what
    :func:`_must_replace` finds, a composite type whose attribute changes type while
    columns hold it, or a type built on it, which PostgreSQL refuses ("cannot alter type
    ... because column ... uses it"); its values convert through text instead."""
    old, new = ctx.current.types[ident], ctx.desired.types[ident]
    if _must_replace(old, new):
        return True
    return (
        old.kind == COMPOSITE
        and _retypes_attributes(old.attributes, new.attributes)
        and any(
            _columns_using(ctx, member) for member in _with_dependents(ctx.current.types, {ident})
        )
    )


def _retypes_attributes(old: tuple[TypeAttribute, ...], new: tuple[TypeAttribute, ...]) -> bool:
    before = {a.name: a for a in old}
    return any(a.name in before and before[a.name] != a for a in new)


def _is_subsequence(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    remaining = iter(long)
    return all(label in remaining for label in short)


def _appendable(old: tuple[TypeAttribute, ...], new: tuple[TypeAttribute, ...]) -> bool:
    """Whether ``new`` is ``old`` minus some attributes plus others at the end: the only
    shapes DROP ATTRIBUTE and ADD ATTRIBUTE (which appends) can reach."""
    new_names = [a.name for a in new]
    kept = [a.name for a in old if a.name in new_names]
    return new_names[: len(kept)] == kept


class SwapImpossible(SchemactlError):
    """A type must be swapped under a column PostgreSQL cannot convert."""


def swapped_types(ctx: DiffContext) -> frozenset[str]:
    """Types swapped under the columns that hold them (see :func:`_swap`). Their columns
    are converted as surely as columns given another type: what PostgreSQL refuses to keep
    over such a conversion (generated columns reading them, triggers, policies) must be
    taken down around it."""
    return ctx.answer("swapped_types", lambda: frozenset(_swapped(ctx, _replaced_kept(ctx))))


def _replaced_kept(ctx: DiffContext) -> set[str]:
    """Types in both states that are replaced rather than altered."""
    current, desired = ctx.current.types, ctx.desired.types
    return {
        ident
        for ident in current.keys() & desired.keys()
        if current[ident] != desired[ident] and _replaced(ctx, ident)
    }


def _swapped(ctx: DiffContext, replaced: set[str]) -> set[str]:
    """The types swapped rather than dropped and created: each replaced type that columns
    hold, directly or through a domain or composite type built on it, with those types.
    They could not outlive the old type, so they are swapped along. Where one of them
    goes for good, it is dropped in its own turn and only the replaced type swaps."""
    current, desired = ctx.current.types, ctx.desired.types
    swapped: set[str] = set()
    for ident in replaced:
        family = _with_dependents(current, {ident})
        if not family <= desired.keys():
            family = {ident}
        if any(_columns_using(ctx, member) for member in family):
            swapped |= family
    return swapped


# A swap's stages, in order: every new type exists before a column converts, and every
# column converts before an old type goes.
CREATE_NEW, CONVERT, DROP_OLD, RENAME, SET_DEFAULTS = range(5)


def _swap(ctx: DiffContext, idents: set[str], ranks: dict[str, int]) -> list[Change]:
    """Replace types that columns use: create the new ones under temporary names (a type
    built on another names the other's), convert each column through text, drop the old
    types, rename the new ones."""
    current, desired = ctx.current.types, ctx.desired.types
    ordered = sorted(idents, key=lambda ident: (ranks[ident], ident))
    temporaries = {ident: _temporary(ctx.desired, desired[ident]) for ident in ordered}
    renamed = {ident: temporaries[ident].ident for ident in ordered}
    group = ranks[ordered[0]]
    step = iter(range(1_000_000))
    changes: list[Change] = []
    for ident in ordered:
        old, new, rank = current[ident], desired[ident], ranks[ident]
        temporary = _retargeted(temporaries[ident], renamed)
        columns = _columns_using(ctx, ident)
        _refuse_partition_keys(old, columns)
        held = [f"{table.ident}.{column.ident}" for table, column in columns]
        risk = hazards.swap_type(old.ident, held) if held else hazards.swap_along(old.ident)
        changes += [
            dataclasses.replace(
                c, phase=Phase.ALTER_TYPE, order=(group, CREATE_NEW, rank, next(step)),
                hazards=risk, subject=Subject(_template(new), new.ident),
                params=_named_after(c.params, new),
            )
            for c in _create(temporary, rank)
            if c.operation != "comment.set"
        ]  # fmt: skip
        for table, column in columns:
            converted = dataclasses.replace(
                column, type=column.type.replace(old.ident, temporary.ident, 1)
            )
            params = {"table": table, "column": converted, "old": column}
            if column.default is not None:
                changes.append(
                    _swap_step(new, risk, (group, CONVERT, rank, next(step)),
                               "column.drop_default", params)
                )  # fmt: skip
            changes.append(
                _swap_step(new, risk, (group, CONVERT, rank, next(step)), "column.set_type",
                           {**params, "via_text": True})
            )  # fmt: skip
        changes.append(
            _swap_step(new, risk, (group, DROP_OLD, -rank, next(step)), f"{_template(old)}.drop",
                       {_param(old): old}, "drop")
        )  # fmt: skip
        changes.append(
            _swap_step(new, risk, (group, RENAME, rank, next(step)), f"{_template(new)}.rename",
                       {_param(new): temporary, "to": _quote(new.name)})
        )  # fmt: skip
        for table, column in columns:
            wanted = _desired_column(ctx, table, column)
            if wanted is not None and wanted.default is not None and wanted.type == column.type:
                changes.append(
                    _swap_step(new, risk, (group, SET_DEFAULTS, rank, next(step)),
                               "column.set_default",
                               {"table": table, "column": wanted, "old": column})
                )  # fmt: skip
        changes += _comment(new, old.comment)
    return changes


def _named_after(params: dict[str, Any], new: UserType) -> dict[str, Any]:
    """A temporary domain's creation, its NOT NULL named after the domain's final name:
    PostgreSQL 18 names the constraint after the domain it is created on, and the name
    would outlive the rename."""
    if "domain" not in params or not new.not_null:
        return params
    return {**params, "not_null_name": suffixed(new.name, "_not_null")}


def _refuse_partition_keys(old: UserType, columns: list[tuple[Table, Column]]) -> None:
    """Stop the plan before anything runs where a column holding ``old`` is in a partition
    key: PostgreSQL converts no such column, and the partitions' bounds hold the old type's
    values."""
    for table, column in columns:
        if column.ident in table.partition_key_columns:
            raise SwapImpossible(
                f"{old.ident} cannot be replaced: {table.ident}.{column.ident}, which holds it, "
                f"is in the partition key of {table.ident}, and PostgreSQL cannot convert a "
                f"partition key column. Keep {old.ident} as it is, or move the rows to a table "
                "partitioned another way in a migration file first"
            )


def _swap_step(
    new: UserType,
    risk: tuple[Hazard, ...],
    order: tuple[int, ...],
    operation: str,
    params: dict[str, Any],
    action: str = "alter",
) -> Change:
    """One step of swapping in ``new``: about the type (the temporary type is the
    replaced type's, for a reviewer), or about the column it converts."""
    kind, name = _template(new), new.ident
    about: Subject | None = Subject(kind, name)
    if "table" in params:
        kind, name = "column", f"{params['table'].ident}.{params['column'].ident}"
        about = None
    return Change(kind, name, action, operation, params, Phase.ALTER_TYPE, risk, order=order,
                  subject=about)  # fmt: skip


def _retargeted(user_type: UserType, renamed: dict[str, str]) -> UserType:
    """``user_type`` naming the temporary types of ``renamed`` in place of the types they
    replace: in its base type, attribute types, default, checks and range options."""

    def swap(text: str) -> str:
        for old, new in renamed.items():
            pattern = rf"(?<![\w$\"]){re.escape(old)}(?![\w$\"])"
            text = re.sub(pattern, new.replace("\\", "\\\\"), text)  # taken as is
        return text

    return dataclasses.replace(
        user_type,
        base_type=swap(user_type.base_type) if user_type.base_type else None,
        default=swap(user_type.default) if user_type.default else None,
        attributes=tuple(dataclasses.replace(a, type=swap(a.type)) for a in user_type.attributes),
        constraints=tuple(
            dataclasses.replace(c, definition=swap(c.definition)) for c in user_type.constraints
        ),
        options=tuple(swap(option) for option in user_type.options),
    )


def _desired_column(ctx: DiffContext, table: Table, column: Column) -> Column | None:
    desired_table = ctx.desired.tables.get(table.ident)
    return desired_table.column(column.name) if desired_table else None


def _temporary(catalog: Catalog, user_type: UserType) -> UserType:
    temporary_name = suffixed(user_type.name, TEMPORARY_SUFFIX)
    schema = next(
        (s.ident for s in catalog.schemas.values() if s.name == user_type.schema),
        _quote(user_type.schema),
    )
    return dataclasses.replace(
        user_type, name=temporary_name, ident=f"{schema}.{_quote(temporary_name)}", comment=None
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# -- altering in place ------------------------------------------------------------------


def _changing_routines(ctx: DiffContext) -> tuple[frozenset[str], frozenset[str]]:
    """Signatures of the routines the migration drops (for good or to create again), and
    of those it redefines in place (see routines.redefined_functions)."""
    from schemactl.diff.routines import recreated_functions, redefined_functions  # they import us

    dropped = ctx.current.functions.keys() - ctx.desired.functions.keys()
    return recreated_functions(ctx) | dropped, redefined_functions(ctx)


def _calls_any(user_type: UserType, routines: frozenset[str]) -> bool:
    """Whether a domain's default or one of its CHECKs calls one of ``routines``."""
    return bool(routines) and (
        not routines.isdisjoint(user_type.default_calls) or _checks_call(user_type, routines)
    )


def _checks_call(user_type: UserType, routines: frozenset[str]) -> bool:
    return bool(routines) and any(not routines.isdisjoint(c.calls) for c in user_type.constraints)


def _alter(
    ctx: DiffContext,
    old: UserType,
    new: UserType,
    rank: int,
    gone: frozenset[str],
    redefined: frozenset[str],
) -> list[Change]:
    """``gone`` and ``redefined``: see _alter_domain."""
    if new.kind == ENUM:
        changes = _add_labels(ctx, old, new, rank)
    elif new.kind == DOMAIN:
        changes = _alter_domain(old, new, rank, gone, redefined)
    elif new.kind == COMPOSITE:
        changes = _alter_attributes(old, new, rank)
    else:
        changes = []
    return changes + _comment(new, old.comment)


def _add_labels(ctx: DiffContext, old: UserType, new: UserType, rank: int) -> list[Change]:
    """One ADD VALUE per new label, placed next to a label that exists by then.

    A label added in a transaction cannot be used in that transaction; when the
    desired schema uses it (a default, a CHECK), the step commits on its own. Before
    PostgreSQL 12, ADD VALUE cannot run in a transaction block at all."""
    in_block = _major(ctx.current.server_version) >= 12
    changes = []
    for position, label in enumerate(new.labels):
        if label in old.labels:
            continue
        before = after = None
        if position > 0:
            after = new.labels[position - 1]
        elif old.labels:
            before = old.labels[0]
        used = in_block and _mentions(ctx.desired, f"{_literal(label)}::{new.ident}")
        changes.append(
            Change(
                "type", new.ident, "alter", "type.add_value",
                {"type": new, "label": label, "before": before, "after": after},
                # Committed on its own so that later steps may use it: if one of them
                # fails, the value stays (as what an online plan committed does).
                Phase.ALTER_TYPE, transactional=in_block, separate=used, order=(rank, position),
            )
        )  # fmt: skip
    return changes


def _major(version: str) -> int:
    digits = version.split(".", 1)[0].split(" ", 1)[0]
    return int(digits) if digits.isdigit() else 0


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _mentions(catalog: Catalog, needle: str) -> bool:
    """Whether any definition read into ``catalog`` contains ``needle``."""
    return any(needle in text for text in _strings(catalog))


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _strings(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _strings(getattr(value, f.name))


def _alter_domain(
    old: UserType,
    new: UserType,
    rank: int,
    gone: frozenset[str] = frozenset(),
    redefined: frozenset[str] = frozenset(),
) -> list[Change]:
    """``gone``: the routines the migration drops, for good or to create again; a default
    or a CHECK calling one would block the drop. It goes before them, and comes back
    once routines exist. ``redefined``: routines given a new body; a CHECK calling one
    is added again, so that the values of the domain's columns are checked with it."""
    rechecked = gone | redefined
    ident = new.ident
    changes: list[Change] = []

    def change(operation: str, risk: tuple[Hazard, ...] = (), step: int = 0) -> Change:
        return Change("domain", ident, "alter", operation, {"domain": new}, Phase.ALTER_TYPE,
                      risk, order=(rank, step))  # fmt: skip

    # A default calling a routine is set once routines exist (CHECKs that call one are
    # added in that phase too).
    set_default = change("domain.set_default")
    if new.default_calls:
        set_default = dataclasses.replace(set_default, phase=Phase.ADD_DOMAIN_CONSTRAINT)
    if gone.intersection(old.default_calls):
        early = Change("domain", ident, "alter", "domain.drop_default", {"domain": new},
                       Phase.DETACH_DEFAULT, order=(rank, 0))  # fmt: skip
        changes.append(early)
        if new.default is not None:
            changes.append(set_default)
    elif old.default != new.default:
        changes.append(set_default if new.default is not None else change("domain.drop_default"))
    if new.not_null and not old.not_null:
        changes.append(change("domain.set_not_null", hazards.domain_check(ident, "NOT NULL"), 3))
    elif old.not_null and not new.not_null:
        changes.append(change("domain.drop_not_null"))
    old_checks = {c.name: c for c in old.constraints}
    new_checks = {c.name: c for c in new.constraints}
    for name, check in sorted(old_checks.items()):
        wanted = new_checks.get(name)
        if (
            wanted is None
            or wanted.definition != check.definition
            or (check.validated and not wanted.validated)
            or rechecked.intersection(check.calls)
        ):
            phase = Phase.DROP_CONSTRAINT if check.uses_functions else Phase.ALTER_TYPE
            changes.append(
                Change("domain", ident, "alter", "domain.drop_constraint",
                       {"domain": new, "constraint": check}, phase, order=(rank, 1))
            )  # fmt: skip
    for name, check in sorted(new_checks.items()):
        previous = old_checks.get(name)
        if previous is not None and rechecked.intersection(previous.calls):
            previous = None  # dropped before its routine: added again, comment and all
        if (
            previous is None
            or previous.definition != check.definition
            or (previous.validated and not check.validated)
        ):
            changes.append(_add_domain_constraint(new, check, rank, on_new=False))
        elif check.validated and not previous.validated:
            changes.append(
                Change("domain", ident, "alter", "domain.validate_constraint",
                       {"domain": new, "constraint": check}, Phase.ALTER_TYPE,
                       hazards.domain_check(ident, check.name), order=(rank, 3))
            )  # fmt: skip
        changes += _domain_constraint_comment(new, check, previous.comment if previous else None)
    return changes


def _add_domain_constraint(
    domain: UserType, check: DomainConstraint, rank: int, on_new: bool
) -> Change:
    phase = Phase.ADD_DOMAIN_CONSTRAINT if check.uses_functions else Phase.ALTER_TYPE
    risk = () if on_new or not check.validated else hazards.domain_check(domain.ident, check.name)
    return Change(
        "domain", domain.ident, "alter", "domain.add_constraint",
        {"domain": domain, "constraint": check, "not_valid": not check.validated},
        phase, risk, order=(rank, 2),
    )  # fmt: skip


def _domain_constraint_comment(
    domain: UserType, check: DomainConstraint, old: str | None
) -> list[Change]:
    return comment_change(
        "constraint", f"CONSTRAINT {check.ident} ON DOMAIN {domain.ident}",
        f"{domain.ident}.{check.ident}", old, check.comment,
    )  # fmt: skip


def _alter_attributes(old: UserType, new: UserType, rank: int) -> list[Change]:
    ident = new.ident
    old_attributes = {a.name: a for a in old.attributes}
    new_names = {a.name for a in new.attributes}
    changes = []

    def change(operation: str, attribute: TypeAttribute, risk: tuple[Hazard, ...] = ()) -> Change:
        return Change("type", ident, "alter", operation, {"type": new, "attribute": attribute},
                      Phase.ALTER_TYPE, risk, order=(rank,))  # fmt: skip

    for attribute in old.attributes:
        if attribute.name not in new_names:
            changes.append(
                change(
                    "type.drop_attribute", attribute, hazards.drop_attribute(ident, attribute.name)
                )
            )
    for attribute in new.attributes:
        previous = old_attributes.get(attribute.name)
        if previous is None:
            changes.append(change("type.add_attribute", attribute))
        elif previous != attribute:
            changes.append(change("type.alter_attribute", attribute))
    return changes
