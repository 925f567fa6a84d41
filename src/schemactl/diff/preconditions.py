"""What the target's rows must satisfy for a step to succeed.

Some steps are right for the schema and still fail on the data: a NOT NULL column
added without a default to a table that has rows, SET NOT NULL over NULLs, a unique
index over duplicates, a CHECK or a foreign key over rows that break it, a type
change whose conversion fails for some value, an enum value removed that rows still
hold, a sequence limit moved in behind the values the sequence has given. The diff
says which condition each such step needs (a :class:`Precondition`, carried by the
step into plan files); ``apply/preflight.py`` asks the target.

Only tables that exist before the migration are concerned: a table the migration
creates is empty. Definitions are read as the catalog printed them: a CHECK's predicate
is that text itself, keys and references are read with the PostgreSQL parser (pglast).

A condition over a column the plan adds is a condition over the value the column gives
every existing row: its default, or NULL. Each condition carries those values for the
tables it reads (:func:`_new_columns`), so that a key or a CHECK over a new column is
asked of the rows as the plan leaves them. Where the value is not one preflight can
know beforehand (a volatile default gives each row its own; a domain's default is the
domain's; a routine the plan creates or redefines computes it), the column is left out
and the condition is reported unchecked.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

from schemactl.catalog.identity import resolve
from schemactl.catalog.model import Column, Constraint, Index, Sequence, Table
from schemactl.diff.changes import Change, Precondition
from schemactl.diff.context import DiffContext
from schemactl.diff.type_changes import Cost, classify
from schemactl.source.pglast_modules import ast, parser, stream

PRIMARY_KEY, UNIQUE, CHECK, FOREIGN_KEY = "p", "u", "c", "f"
# How the catalog prints the start of a CHECK constraint.
CHECK_PREFIX = "CHECK "


def with_preconditions(ctx: DiffContext, changes: Iterable[Change]) -> list[Change]:
    result = []
    added: dict[str, tuple[tuple[str, str, str], ...]] = {}
    for change in changes:
        finder = _FINDERS.get(change.operation)
        found = finder(ctx, change) if finder else ()
        if found and not change.preconditions:
            found = [_with_new_columns(ctx, condition, added) for condition in found]
            change = dataclasses.replace(change, preconditions=tuple(found))
        result.append(change)
    return result


# Conditions that read no column of a table's rows, or none the plan adds.
_READ_NO_NEW_COLUMN = frozenset({"empty", "sequence_within", "unknowable"})


def _with_new_columns(
    ctx: DiffContext, condition: Precondition, added: dict[str, tuple[tuple[str, str, str], ...]]
) -> Precondition:
    """``condition`` with the values existing rows get in the columns the plan adds to the
    tables it reads (``added`` keeps them by table)."""
    if condition.kind in _READ_NO_NEW_COLUMN:
        return condition
    found: list[tuple[str, str, str]] = []
    for table in dict.fromkeys(t for t in (condition.table, condition.referenced) if t):
        if table not in added:
            added[table] = _new_columns(ctx, table)
        found += added[table]
    return dataclasses.replace(condition, new_columns=tuple(found)) if found else condition


def _new_columns(ctx: DiffContext, table: str) -> tuple[tuple[str, str, str], ...]:
    """(table, column, value) for each column the plan adds to existing ``table`` whose
    value in the existing rows preflight can write down: a default that calls nothing
    volatile and nothing the plan creates or redefines, or NULL where there is none. An
    identity or generated column, or one of a domain (its default may be the domain's),
    is left out."""
    existing, desired = _existing_table(ctx, table), ctx.desired.tables.get(table)
    if existing is None or desired is None:
        return ()
    present = {column.ident for column in existing.columns}
    found = []
    for column in desired.columns:
        if column.ident in present or column.identity or column.generated:
            continue
        if column.default_volatile or _domain(ctx, column.type):
            continue
        if any(_changed_routine(ctx, call) for call in column.default_calls):
            continue
        value = f"CAST(({column.default or 'NULL'}) AS {column.type})"
        if column.collation:
            value = f"({value} COLLATE {column.collation})"
        found.append((table, column.ident, value))
    return tuple(found)


def _changed_routine(ctx: DiffContext, signature: str) -> bool:
    """Whether the plan creates the routine or changes what it computes, itself or through
    what it calls (one in neither catalog is an extension's or the platform's, and stays
    as it is)."""
    from schemactl.diff.routines import redefined_functions  # it imports views, which import us

    before, after = ctx.current.functions.get(signature), ctx.desired.functions.get(signature)
    if after is None:
        return False
    return (
        before is None
        or before.definition != after.definition
        or signature in redefined_functions(ctx)
    )


def _domain(ctx: DiffContext, type_name: str) -> bool:
    user_type = ctx.desired.types.get(type_name.removesuffix("[]"))
    return user_type is not None and user_type.kind == "d"


def _existing_table(ctx: DiffContext, table: str) -> Table | None:
    """The table as the target holds it now, unless the migration creates it."""
    return ctx.current.tables.get(table)


def _existing_column(ctx: DiffContext, table: str, column: Column) -> bool:
    existing = _existing_table(ctx, table)
    return existing is not None and any(c.ident == column.ident for c in existing.columns)


def _add_column(ctx: DiffContext, change: Change) -> list[Precondition]:
    table: Table = change.params["table"]
    column: Column = change.params["column"]
    if _existing_table(ctx, table.ident) is None:
        return []
    if column.not_null and column.default is None and not column.identity and not column.generated:
        return [Precondition("empty", table.ident, (column.ident,))]
    return []


def _not_null(ctx: DiffContext, change: Change) -> list[Precondition]:
    table: Table = change.params["table"]
    column: Column = change.params["column"]
    if not _existing_column(ctx, table.ident, column) and not _inherited(ctx, table, column):
        return []
    return [Precondition("no_nulls", table.ident, (column.ident,))]


def _inherited(ctx: DiffContext, table: Table, column: Column) -> bool:
    """A partition's column lives on its parent."""
    return bool(table.partition_of) and _existing_column(ctx, table.partition_of or "", column)


def _constraint(ctx: DiffContext, change: Change) -> list[Precondition]:
    constraint: Constraint = change.params["constraint"]
    if change.params.get("not_valid") or _existing_table(ctx, constraint.table) is None:
        return []
    if unknowable := _computed_anew(ctx, constraint.table, constraint.calls):
        return unknowable
    table = constraint.table
    if constraint.type == CHECK and constraint.definition.startswith(CHECK_PREFIX):
        # The predicate is the printed text itself: no parse (nor pglast's import, most
        # of a run that only compares two live databases).
        return [Precondition("check", table, predicate=_check_expression(constraint.definition))]
    try:
        statement = f"ALTER TABLE t ADD CONSTRAINT c {constraint.definition}"
        node: Any = parser.parse_sql(statement)[0].stmt
        definition = node.cmds[0].def_
    except Exception:  # noqa: BLE001 - a definition we cannot read is not checked
        return []
    if constraint.type in (PRIMARY_KEY, UNIQUE):
        keys = tuple(_ident(k.sval) for k in definition.keys or ())
        distinct = not getattr(definition, "nulls_not_distinct", False)
        found = [Precondition("unique", table, keys, keys, nulls_distinct=distinct)]
        if constraint.type == PRIMARY_KEY:
            found.append(Precondition("no_nulls", table, keys))
        return found
    if constraint.type == FOREIGN_KEY and definition.pktable is not None:
        referenced = definition.pktable
        name = ".".join(_ident(p) for p in (referenced.schemaname, referenced.relname) if p)
        before = ctx.original_current or ctx.current  # rebuilt tables keep their rows
        return [
            Precondition(
                "references", table,
                tuple(_ident(k.sval) for k in definition.fk_attrs or ()),
                referenced=name,
                referenced_columns=tuple(_ident(k.sval) for k in definition.pk_attrs or ()),
                match_full=definition.fk_matchtype == "f",
                referenced_new=name not in before.tables,
            )
        ]  # fmt: skip
    return []


def _computed_anew(ctx: DiffContext, table: str, calls: tuple[str, ...]) -> list[Precondition]:
    """A condition that calls a routine the plan redefines holds or not by the new
    definition, which the target does not have yet: preflight says it could not check it
    (asked with the old one, it would answer for the wrong routine)."""
    from schemactl.diff.routines import redefined_functions  # it imports views, which import us

    redefined = sorted(redefined_functions(ctx).intersection(calls)) if calls else []
    if not redefined:
        return []
    reason = f"it calls {', '.join(redefined)}, which the plan redefines"
    return [Precondition("unknowable", table, predicate=reason)]


def _check_expression(definition: str) -> str:
    """``CHECK ((a > 0)) NO INHERIT`` -> ``(a > 0)``: the expression as the catalog prints it."""
    expression = definition.removeprefix(CHECK_PREFIX).removesuffix(" NO INHERIT")
    return (
        expression[1:-1] if expression.startswith("(") and expression.endswith(")") else expression
    )


def _unique_index(ctx: DiffContext, change: Change) -> list[Precondition]:
    index: Index = change.params["index"]
    if not index.unique or _existing_table(ctx, index.table) is None:
        return []  # only a unique index has a condition; telling needs no parse
    if unknowable := _computed_anew(ctx, index.table, index.calls):
        return unknowable
    try:
        node = parser.parse_sql(index.definition)[0].stmt
    except Exception:  # noqa: BLE001
        return []
    if not isinstance(node, ast.IndexStmt) or not node.unique:
        return []
    expressions = tuple(
        _ident(element.name) if element.name else f"({stream.RawStream()(element.expr)})"
        for element in node.indexParams or ()
    )
    predicate = stream.RawStream()(node.whereClause) if node.whereClause is not None else ""
    return [
        Precondition(
            "unique", index.table, expressions=expressions, predicate=predicate,
            nulls_distinct=not node.nulls_not_distinct,
        )
    ]  # fmt: skip


def _set_type(ctx: DiffContext, change: Change) -> list[Precondition]:
    table: Table = change.params["table"]
    old: Column = change.params["old"]
    column: Column = change.params["column"]
    if not _existing_column(ctx, table.ident, old):
        return []
    removed = _removed_labels(ctx, table, old)
    if removed is not None:
        return [Precondition("values_unused", table.ident, (old.ident,), values=removed)] if (
            removed
        ) else []  # fmt: skip
    via_text = bool(change.params.get("via_text"))
    if not via_text and classify(old.type, column.type).cost is Cost.RELABEL:
        return []
    conversion = f"{old.ident}::{'text::' if via_text else ''}{column.type}"
    return [
        Precondition("castable", table.ident, (old.ident,), (conversion,), target_type=column.type)
    ]


def _held_values(ctx: DiffContext, change: Change) -> list[Precondition]:
    """A rebuilt table's values held as text while their enum is replaced come back
    only if the enum they come back to keeps their labels."""
    table: Table = change.params["table"]
    held = set(change.params.get("as_text") or ())
    found = []
    for column in change.params["columns"]:
        if column.ident not in held:
            continue
        removed = _removed_labels(ctx, table, column)
        if removed:
            found.append(
                Precondition("values_unused", table.ident, (column.ident,), values=removed)
            )
    return found


def _removed_labels(ctx: DiffContext, table: Table, old: Column) -> tuple[str, ...] | None:
    """Labels of the column's enum that the enum it ends up with lacks; None unless the
    column goes from one enum to another (or to a new version of its own)."""
    before = ctx.current.types.get(old.type.removesuffix("[]"))
    desired_table = ctx.desired.tables.get(table.ident)
    wanted = desired_table.column(old.name) if desired_table else None
    after = ctx.desired.types.get(wanted.type.removesuffix("[]")) if wanted else None
    if before is None or after is None or before.kind != "e" or after.kind != "e":
        return None
    return tuple(label for label in before.labels if label not in after.labels)


def _sequence_limits(ctx: DiffContext, change: Change) -> list[Precondition]:
    old: Sequence = change.params["old"]
    new: Sequence = change.params["sequence"]
    return _within(
        old.ident, new.increment, (old.min_value, old.max_value), (new.min_value, new.max_value)
    )


def _identity_limits(ctx: DiffContext, change: Change) -> list[Precondition]:
    column: Column = change.params["column"]
    before = change.params["sequence"]
    if column.identity_sequence is None:
        return []
    old, new = resolve(before, column.type), resolve(column.identity_sequence, column.type)
    return _within(
        before.ident, new.increment, (old.min_value, old.max_value), (new.min_value, new.max_value)
    )


def _within(
    sequence: str, increment: int, old_limits: tuple[int, int], new_limits: tuple[int, int]
) -> list[Precondition]:
    """The limit behind a sequence's values moving in (MAXVALUE of an ascending sequence
    lowered, MINVALUE of a descending one raised) holds only if the values have not
    passed it. The limit ahead of them is no condition: the step moves the sequence up
    to it first (sequences.bound_passed)."""
    (old_min, old_max), (new_min, new_max) = old_limits, new_limits
    if increment > 0 and new_max < old_max:
        return [Precondition("sequence_within", sequence, predicate=f"last_value <= {new_max}",
                             expressions=(f"MAXVALUE {new_max}",))]  # fmt: skip
    if increment < 0 and new_min > old_min:
        return [Precondition("sequence_within", sequence, predicate=f"last_value >= {new_min}",
                             expressions=(f"MINVALUE {new_min}",))]  # fmt: skip
    return []


def _ident(name: str) -> str:
    """A name as SQL: quoted where PostgreSQL needs it (reserved words included)."""
    return str(stream.RawStream()(ast.ColumnRef(fields=(ast.String(sval=name),))))


_FINDERS: dict[str, Callable[[DiffContext, Change], list[Precondition]]] = {
    "column.add": _add_column,
    "column.set_not_null": _not_null,
    "column.validate_not_null_check": _not_null,
    "partition.set_not_null": _not_null,
    "constraint.add": _constraint,
    "constraint.add_adopting": _constraint,
    "constraint.validate": _constraint,
    "constraint.build_key_index": _constraint,
    "index.create": _unique_index,
    "index.create_concurrently": _unique_index,
    "index.create_beside": _unique_index,
    "column.set_type": _set_type,
    "sequence.alter": _sequence_limits,
    "partition.copy_back": _held_values,
    "column.set_identity_options": _identity_limits,
}
