"""Sequences, standalone or owned by a column (serial); identity sequences are not here."""

from __future__ import annotations

import dataclasses

from schemactl.catalog.model import Sequence
from schemactl.diff import hazards
from schemactl.diff.changes import AttributeChange, Change, Phase
from schemactl.diff.comments import comment_change
from schemactl.diff.context import DiffContext
from schemactl.identifiers import quote_ident, suffixed

PARAMETERS = ("data_type", "start", "increment", "min_value", "max_value", "cache", "cycle")


def _dropped_with_owner(ctx: DiffContext, sequence: Sequence) -> bool:
    """An owned sequence disappears with its column or table; dropping it again would fail."""
    if sequence.owned_by is None or sequence.owned_by_table is None:
        return False
    column_ident = sequence.owned_by[len(sequence.owned_by_table) + 1 :]
    return not ctx.column_survives(sequence.owned_by_table, column_ident)


STEPPING_ASIDE_SUFFIX = "_schemactl_old"


def succeeded_by_identity(ctx: DiffContext, sequence: Sequence) -> str | None:
    """Where a serial column becomes an identity column, its sequence goes and the
    identity's takes its name, and must go on from the values the old one gave (rows
    deleted since had theirs): the ident the old sequence steps aside to meanwhile (see
    _step_aside), else None."""
    if sequence.owned_by is None or sequence.owned_by_table is None:
        return None
    table = ctx.desired.tables.get(sequence.owned_by_table)
    before = ctx.current.tables.get(sequence.owned_by_table)
    if table is None or before is None:
        return None
    column_ident = sequence.owned_by[len(sequence.owned_by_table) + 1 :]
    wanted = next((c for c in table.columns if c.ident == column_ident), None)
    existing = next((c for c in before.columns if c.ident == column_ident), None)
    if wanted is None or existing is None or not wanted.identity or existing.identity:
        return None
    schema = sequence.ident[: -len(quote_ident(sequence.name)) - 1]
    return f"{schema}.{quote_ident(suffixed(sequence.name, STEPPING_ASIDE_SUFFIX))}"


def _step_aside(sequence: Sequence, aside: str) -> list[Change]:
    """The serial's sequence renamed out of the identity's way, and dropped once the
    identity has gone on from it."""
    name = suffixed(sequence.name, STEPPING_ASIDE_SUFFIX)
    kept = dataclasses.replace(sequence, ident=aside, name=name)
    return [
        Change(
            "sequence", sequence.ident, "alter", "sequence.step_aside",
            {"sequence": sequence, "to": name, "aside": aside}, Phase.DROP_SEQUENCE,
        ),
        Change(
            "sequence", sequence.ident, "drop", "sequence.drop", {"sequence": kept},
            Phase.DROP_STEPPED_ASIDE, hazards.drop_sequence(sequence.ident),
        ),
    ]  # fmt: skip


def _persistence(sequence: Sequence) -> str:
    return "UNLOGGED" if sequence.unlogged else "LOGGED"


def diff_sequences(ctx: DiffContext) -> list[Change]:
    changes: list[Change] = []
    current, desired = ctx.current.sequences, ctx.desired.sequences
    for ident in sorted(desired.keys() - current.keys()):
        seq = desired[ident]
        changes.append(
            Change(
                "sequence",
                ident,
                "create",
                "sequence.create",
                {"sequence": seq},
                Phase.CREATE_SEQUENCE,
            )
        )
        if seq.owned_by:
            changes.append(
                Change(
                    "sequence",
                    ident,
                    "alter",
                    "sequence.owned_by",
                    {"sequence": seq},
                    Phase.SEQUENCE_OWNERSHIP,
                )
            )
            changes += _continue_after_rows(ctx, seq)
        changes += comment_change("sequence", f"SEQUENCE {ident}", ident, None, seq.comment)
    for ident in sorted(current.keys() - desired.keys()):
        seq = current[ident]
        if (kept := succeeded_by_identity(ctx, seq)) is not None:
            changes += _step_aside(seq, kept)
        elif not _dropped_with_owner(ctx, seq):
            changes.append(
                Change(
                    "sequence",
                    ident,
                    "drop",
                    "sequence.drop",
                    {"sequence": seq},
                    Phase.DROP_SEQUENCE,
                    hazards.drop_sequence(ident),
                )
            )
    for ident in sorted(current.keys() & desired.keys()):
        old, new = current[ident], desired[ident]
        if any(getattr(old, p) != getattr(new, p) for p in PARAMETERS):
            move_to = bound_passed(new.increment, (old.min_value, old.max_value),
                                   (new.min_value, new.max_value))  # fmt: skip
            changes.append(
                Change(
                    "sequence",
                    ident,
                    "alter",
                    "sequence.alter",
                    {"sequence": new, "old": old, "move_to": move_to},
                    Phase.CREATE_SEQUENCE,
                )
            )
        if old.unlogged != new.unlogged:
            # After the tables: ALTER TABLE ... SET LOGGED carries its owned sequences along.
            changes.append(
                Change(
                    "sequence",
                    ident,
                    "alter",
                    "sequence.set_logged",
                    {"sequence": new},
                    Phase.SEQUENCE_OWNERSHIP,
                    attributes=(
                        AttributeChange("persistence", _persistence(old), _persistence(new)),
                    ),
                )
            )
        owner_goes = old.owned_by is not None and _dropped_with_owner(ctx, old)
        if owner_goes:
            # Dropping the column or table that owns it would drop the sequence too.
            changes.append(
                Change(
                    "sequence", ident, "alter", "sequence.owned_by",
                    {"sequence": dataclasses.replace(old, owned_by=None)},
                    Phase.DISOWN_SEQUENCE,
                )
            )  # fmt: skip
        if old.owned_by != new.owned_by and (new.owned_by is not None or not owner_goes):
            changes.append(
                Change(
                    "sequence",
                    ident,
                    "alter",
                    "sequence.owned_by",
                    {"sequence": new},
                    Phase.SEQUENCE_OWNERSHIP,
                )
            )
        changes += comment_change("sequence", f"SEQUENCE {ident}", ident, old.comment, new.comment)
    return changes


def bound_passed(
    increment: int, old_limits: tuple[int, int], new_limits: tuple[int, int]
) -> int | None:
    """The new first value a sequence is moved to before its limits change, where the
    limit ahead of its values moves up (``MINVALUE`` of an ascending sequence, ``MAXVALUE``
    of a descending one): PostgreSQL refuses limits that leave the current value outside
    ("RESTART value (2) cannot be less than MINVALUE (100)"). The step moves it only when
    it is behind; moving forward keeps it from repeating values it gave. A limit moving
    in behind the values (MAXVALUE of an ascending sequence lowered under its current
    value) has no such way out: preflight finds it (diff/preconditions.py)."""
    (old_min, old_max), (new_min, new_max) = old_limits, new_limits
    if increment > 0 and new_min > old_min:
        return new_min
    if increment < 0 and new_max < old_max:
        return new_max
    return None


def _continue_after_rows(ctx: DiffContext, seq: Sequence) -> list[Change]:
    """A new sequence behind a column that already holds values (a column that becomes
    serial) starts after the highest of them, or its first values would collide with the
    rows there. Only an ascending sequence; the step reads the column's maximum."""
    table_ident, _, column_ident = (seq.owned_by or "").rpartition(".")
    table = ctx.current.tables.get(table_ident)
    if seq.increment <= 0 or table is None or table_ident in ctx.created_tables:
        return []
    if not any(c.ident == column_ident for c in table.columns):
        return []  # a new column: ADD COLUMN fills the rows from the sequence
    return [
        Change(
            "sequence", seq.ident, "alter", "sequence.continue_after",
            {"sequence": seq, "table": table_ident, "column": column_ident},
            Phase.SEQUENCE_OWNERSHIP, order=(1,),
        )
    ]  # fmt: skip
