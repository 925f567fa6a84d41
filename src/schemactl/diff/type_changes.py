"""Whether a column type change rewrites the table: PostgreSQL's rules, as data.

``type_changes.toml`` beside this module lists the conversions PostgreSQL makes as a
relabel (no rewrite, no scan, indexes kept): ``varchar(100)`` to ``varchar(200)`` or
``text``, ``numeric(10,2)`` to ``numeric(12,2)``, a timestamp's precision raised, ...
Everything else rewrites. Arrays always rewrite (the element conversion runs per row).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from enum import Enum
from functools import cache
from importlib import resources

MAX_FRACTIONAL_PRECISION = 6
_MODIFIER = re.compile(r"\(([^()]*)\)")


class Cost(Enum):
    RELABEL = "relabel"  # metadata only
    REWRITE = "rewrite"
    DEPENDS = "depends"  # rewrites unless a session setting says otherwise


@dataclass(frozen=True)
class TypeChange:
    """What changing a column's type costs: a relabel, a rebuild of its indexes, or a
    rewrite of the table."""

    cost: Cost
    condition: str = ""  # for DEPENDS: when it is a relabel
    rebuilds_indexes: bool = False  # a relabel to a type of another operator family


@dataclass(frozen=True)
class _Rules:
    """The type-change rules of the data file, by source and target type."""

    modifier: dict[str, str]
    relabel: dict[str, tuple[str, ...]]
    relabel_rebuilds_indexes: dict[str, tuple[str, ...]]
    depends: dict[str, str]


@cache
def _rules() -> _Rules:
    text = resources.files("schemactl.diff").joinpath("type_changes.toml").read_text()
    data = tomllib.loads(text)
    return _Rules(
        modifier={str(k): str(v) for k, v in data["modifier"].items()},
        relabel={str(k): tuple(str(t) for t in v) for k, v in data["relabel"].items()},
        relabel_rebuilds_indexes={
            str(k): tuple(str(t) for t in v) for k, v in data["relabel_rebuilds_indexes"].items()
        },
        depends={str(k): str(v) for k, v in data["depends"].items()},
    )


def split_modifier(type_name: str) -> tuple[str, tuple[int, ...]]:
    """``timestamp(3) without time zone`` -> (``timestamp without time zone``, (3,))."""
    found = _MODIFIER.search(type_name)
    if found is None:
        return type_name, ()
    base = (type_name[: found.start()] + type_name[found.end() :]).strip()
    try:
        modifier = tuple(int(part) for part in found[1].split(","))
    except ValueError:
        return type_name, ()
    return base, modifier


def classify(old: str, new: str) -> TypeChange:
    """What ``ALTER COLUMN ... TYPE new`` costs on a column of type ``old``."""
    if old == new:
        return TypeChange(Cost.RELABEL)
    if old.endswith("[]") or new.endswith("[]"):
        return TypeChange(Cost.REWRITE)
    rules = _rules()
    old_base, old_modifier = split_modifier(old)
    new_base, new_modifier = split_modifier(new)
    condition = rules.depends.get(f"{old_base} -> {new_base}")
    if condition is not None:
        return TypeChange(Cost.DEPENDS, condition)
    if old_base == new_base:
        rule = rules.modifier.get(old_base)
        if rule is not None and _widens(rule, old_modifier, new_modifier):
            return TypeChange(Cost.RELABEL)
        return TypeChange(Cost.REWRITE)
    if new_base in rules.relabel.get(old_base, ()) and not new_modifier:
        rebuilds = new_base in rules.relabel_rebuilds_indexes.get(old_base, ())
        return TypeChange(Cost.RELABEL, rebuilds_indexes=rebuilds)
    return TypeChange(Cost.REWRITE)


def _widens(rule: str, old: tuple[int, ...], new: tuple[int, ...]) -> bool:
    if not new:
        return True  # no limit: every old value fits as it is
    if not old:
        return rule == "fractional" and new[0] >= MAX_FRACTIONAL_PRECISION
    if rule == "length":
        return new[0] >= old[0]
    if rule == "precision_scale":
        old_scale = old[1] if len(old) > 1 else 0
        new_scale = new[1] if len(new) > 1 else 0
        return old_scale == new_scale and new[0] >= old[0]
    if rule == "fractional":
        return new[0] >= old[0] or new[0] >= MAX_FRACTIONAL_PRECISION
    return False
