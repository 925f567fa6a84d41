"""Column type changes and how their values convert, each way.

PostgreSQL converts a column's values with an assignment cast when ``ALTER ... TYPE``
has no USING, and refuses when there is none. schemactl converts ``USING col::new``
(through text from or to an enum or a domain, diff/types.py), which also works where
only an explicit cast exists, but may then fail on some values; where no cast exists
at all, or the schema declares the conversion (``-- @using EXPR``, see
source/conversions.py), the declared expression is the only way.

The desired column carries what schema/ declares and what the server offers each way
(:class:`~schemactl.catalog.model.TypeConversion`). The migration uses ``using``; its
rollback, diffed the other way, finds the same column as its *old* one and uses
``rollback_using``. So:

* no cast and nothing declared: the plan stops before anything runs, naming the column
  and the missing cast, and how to declare the conversion;
* an explicit cast only: the step says so in its hazard (values that do not convert
  make the apply fail);
* no way back (no cast back, no ``rollback-using``): the step is NOT REVERSIBLE, and
  says why.
"""

from __future__ import annotations

import dataclasses

from schemactl.catalog.model import Column, Table, TypeConversion
from schemactl.diff.changes import Change, Hazard, HazardKind
from schemactl.errors import SchemactlError

SET_TYPE = "column.set_type"
NO_CAST, EXPLICIT = "none", "explicit"


class MissingConversion(SchemactlError):
    """A column changes to a type its values have no cast to, and schema/ declares none."""


def _way(old: Column, new: Column) -> tuple[str | None, str, bool]:
    """(declared USING, what PostgreSQL offers, this is the migration's direction) for
    converting ``old`` into ``new``. The desired column carries the conversion: it is
    ``new`` in the migration, ``old`` in its rollback."""
    if new.conversion is not None:
        return new.conversion.using, new.conversion.cast, True
    if old.conversion is not None:
        return old.conversion.rollback_using, old.conversion.rollback_cast, False
    return None, "", True


def _back(conversion: TypeConversion | None) -> tuple[str | None, str]:
    if conversion is None:
        return None, ""
    return conversion.rollback_using, conversion.rollback_cast


def converted(changes: list[Change]) -> list[Change]:
    """``changes`` with every type change given its USING and its hazards; raises
    :class:`MissingConversion` where a migration step could not convert at all."""
    return [_converted(c) if c.operation == SET_TYPE else c for c in changes]


def _converted(change: Change) -> Change:
    table: Table = change.params["table"]
    old: Column = change.params["old"]
    new: Column = change.params["column"]
    via_text = bool(change.params.get("via_text"))
    using, cast, forward = _way(old, new)
    where = f"{table.ident}.{new.ident}"
    risks = list(change.hazards)
    if using is not None:
        risks = _noted(risks, f"converted USING {using}, as schema/ declares")
    elif cast == NO_CAST and not via_text:
        if forward:
            raise MissingConversion(
                f"{where} changes type {old.type} -> {new.type} and PostgreSQL has no cast "
                f"for it: declare the conversion on the column's line in schema/, e.g. "
                f"`{new.ident} {new.type}, -- @using <expression of {new.ident}>`"
            )
    elif cast == EXPLICIT and not via_text:
        risks = _noted(
            risks,
            f"no automatic cast: converted USING {new.ident}::{new.type}, and a value that does "
            "not convert makes the apply fail (`-- @using EXPR` on the column's line "
            "chooses the conversion)",
        )
    if forward and new.conversion is not None:
        back_using, back_cast = _back(new.conversion)
        if back_using is None and back_cast == NO_CAST and not via_text:
            risks.append(
                Hazard(
                    HazardKind.NOT_REVERSIBLE,
                    f"{where}: PostgreSQL has no cast from {new.type} back to {old.type}, so "
                    "the rollback cannot convert it (`-- @rollback-using EXPR` on "
                    "the column's line declares one)",
                )
            )
    params = {**change.params, "using": using}
    return dataclasses.replace(change, params=params, hazards=tuple(risks))


def _noted(risks: list[Hazard], note: str) -> list[Hazard]:
    """The table rewrite hazard, its reason extended by how the values convert."""
    return [
        dataclasses.replace(h, reason=f"{h.reason}; {note}")
        if h.kind == HazardKind.TABLE_REWRITE
        else h
        for h in risks
    ]
