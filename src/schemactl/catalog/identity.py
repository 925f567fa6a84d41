"""PostgreSQL's defaults for an identity column's sequence, which follow the column's type.

``CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY)`` gets MINVALUE 1, MAXVALUE
2147483647, START WITH 1; the same column as bigint gets MAXVALUE 2^63-1; a negative
INCREMENT turns the defaults around. ``ALTER COLUMN ... TYPE`` moves limits that were
the old type's defaults to the new type's. The model therefore keeps such options as
None, and this module says what they stand for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from schemactl.catalog.model import IdentitySequence

TYPE_BOUNDS = {
    "smallint": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "bigint": (-(2**63), 2**63 - 1),
}


@dataclass(frozen=True)
class Resolved:
    """Every option of an identity sequence, defaults filled in for a column type."""

    start: int
    increment: int
    min_value: int
    max_value: int
    cache: int
    cycle: bool


def default_limits(column_type: str, increment: int) -> tuple[int, int]:
    low, high = TYPE_BOUNDS.get(column_type, TYPE_BOUNDS["bigint"])
    return (1, high) if increment > 0 else (low, -1)


def resolve(sequence: IdentitySequence, column_type: str) -> Resolved:
    low, high = default_limits(column_type, sequence.increment)
    minimum = low if sequence.min_value is None else sequence.min_value
    maximum = high if sequence.max_value is None else sequence.max_value
    default_start = minimum if sequence.increment > 0 else maximum
    return Resolved(
        start=default_start if sequence.start is None else sequence.start,
        increment=sequence.increment,
        min_value=minimum,
        max_value=maximum,
        cache=sequence.cache,
        cycle=sequence.cycle,
    )


def identity_sequence(
    read: Sequence[Any], table_name: str, column_name: str, column_type: str
) -> IdentitySequence:
    """An identity column's sequence as read (name, ident, start, increment, min, max,
    cache, cycle), for a column of ``column_type``: options that are the type's defaults
    left out."""
    name, ident, start, increment, minimum, maximum, cache, cycle = read
    increment, minimum, maximum, start = int(increment), int(minimum), int(maximum), int(start)
    low, high = default_limits(column_type, increment)
    default_start = minimum if increment > 0 else maximum
    return IdentitySequence(
        name=str(name),
        ident=str(ident),
        increment=increment,
        start=None if start == default_start else start,
        min_value=None if minimum == low else minimum,
        max_value=None if maximum == high else maximum,
        cache=int(cache),
        cycle=bool(cycle),
        named=name != f"{table_name}_{column_name}_seq",
    )


def creation_options(sequence: IdentitySequence, qualified_name: bool) -> list[str]:
    """The options ``GENERATED ... AS IDENTITY (...)`` states: those not left to defaults."""
    options = [f"SEQUENCE NAME {sequence.ident}"] if qualified_name else []
    if sequence.start is not None:
        options.append(f"START WITH {sequence.start}")
    if sequence.increment != 1:
        options.append(f"INCREMENT BY {sequence.increment}")
    if sequence.min_value is not None:
        options.append(f"MINVALUE {sequence.min_value}")
    if sequence.max_value is not None:
        options.append(f"MAXVALUE {sequence.max_value}")
    if sequence.cache != 1:
        options.append(f"CACHE {sequence.cache}")
    if sequence.cycle:
        options.append("CYCLE")
    return options


def set_options(old: IdentitySequence, new: IdentitySequence, column_type: str) -> list[str]:
    """``SET ...`` clauses of ``ALTER COLUMN`` that turn ``old`` into ``new`` on a column of
    ``column_type`` (after any type change): options compared as they resolve, a limit
    going back to its default spelled ``NO MINVALUE``/``NO MAXVALUE``."""
    before, after = resolve(old, column_type), resolve(new, column_type)
    clauses = []
    if before.start != after.start:
        clauses.append(f"START WITH {after.start}")
    if before.increment != after.increment:
        clauses.append(f"INCREMENT BY {after.increment}")
    if before.min_value != after.min_value:
        clauses.append("NO MINVALUE" if new.min_value is None else f"MINVALUE {after.min_value}")
    if before.max_value != after.max_value:
        clauses.append("NO MAXVALUE" if new.max_value is None else f"MAXVALUE {after.max_value}")
    if before.cache != after.cache:
        clauses.append(f"CACHE {after.cache}")
    if before.cycle != after.cycle:
        clauses.append("CYCLE" if after.cycle else "NO CYCLE")
    return clauses
