"""Which rows of a DEFAULT partition belong to a new partition: its bound as a condition.

PostgreSQL refuses to create a partition while its DEFAULT partition holds rows
of the new range. The plan moves those rows: it needs the new partition's bound
(``FOR VALUES FROM (a) TO (b)`` / ``FOR VALUES IN (...)``) over the parent's key
(``RANGE (k)``) as a WHERE clause. Both are PostgreSQL's printouts; pglast reads
their parts. Where a bound is beyond this (an expression key with an operator
class, say), there is no condition and the partition is created plainly.
"""

from __future__ import annotations

import re

from schemactl.source.pglast_modules import ast, parser, stream

_RANGE = re.compile(r"^FOR VALUES FROM \((?P<low>.*)\) TO \((?P<high>.*)\)$", re.S)
_LIST = re.compile(r"^FOR VALUES IN \((?P<values>.*)\)$", re.S)
_KEY = re.compile(r"^(?P<strategy>RANGE|LIST)\s*\((?P<columns>.*)\)$", re.S | re.I)
UNBOUNDED = ("minvalue", "maxvalue")


def _items(text: str) -> list[str] | None:
    """The comma-separated expressions of ``text``, each as SQL, or None."""
    try:
        statement = parser.parse_sql(f"SELECT {text}")[0].stmt
    except parser.ParseError:
        return None
    if not isinstance(statement, ast.SelectStmt):
        return None
    items = []
    for target in statement.targetList or ():
        value = target.val
        fields = value.fields or () if isinstance(value, ast.ColumnRef) else ()
        if len(fields) == 1:
            name = getattr(fields[0], "sval", "")
            if name in UNBOUNDED:
                items.append(name)
                continue
        items.append(stream.RawStream()(value))
    return items


def _row(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"({', '.join(items)})"


def _range_side(keys: list[str], values: list[str], lower: bool) -> str | None:
    """``keys >= values`` (lower) or ``keys < values`` (upper), with MINVALUE/MAXVALUE
    cutting the comparison short the way range bounds do."""
    for i, value in enumerate(values):
        if value in UNBOUNDED:
            if i == 0:
                return None  # unbounded on this side
            prefix_keys, prefix_values = keys[:i], values[:i]
            if lower:
                op = ">=" if value == "minvalue" else ">"
            else:
                op = "<=" if value == "maxvalue" else "<"
            return f"{_row(prefix_keys)} {op} {_row(prefix_values)}"
    return f"{_row(keys)} {'>=' if lower else '<'} {_row(values)}"


def rows_condition(partition_key: str | None, partition_bound: str | None) -> str | None:
    """The WHERE clause selecting the rows that belong to a partition, or None."""
    key = _KEY.match((partition_key or "").strip())
    if not key or not partition_bound:
        return None
    keys = _items(key["columns"])
    if not keys:
        return None
    if key["strategy"].upper() == "RANGE" and (bounds := _RANGE.match(partition_bound)):
        low, high = _items(bounds["low"]), _items(bounds["high"])
        if not low or not high or len(low) != len(keys) or len(high) != len(keys):
            return None
        sides = [s for s in (_range_side(keys, low, True), _range_side(keys, high, False)) if s]
        return " AND ".join(sides) if sides else "true"
    if key["strategy"].upper() == "LIST" and (listed := _LIST.match(partition_bound)):
        values = _items(listed["values"])
        if not values or len(keys) != 1:
            return None
        present = [v for v in values if v.upper() != "NULL"]
        parts = [f"{keys[0]} IN ({', '.join(present)})"] if present else []
        if len(present) < len(values):
            parts.append(f"{keys[0]} IS NULL")
        return " OR ".join(parts) if len(parts) > 1 else parts[0]
    return None
