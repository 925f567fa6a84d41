"""Rendering changes into SQL through the jinja2 templates beside this module."""

from __future__ import annotations

import re
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from schemactl.diff.changes import Change

_ON_ONLY = re.compile(r"^(CREATE (?:UNIQUE )?INDEX \S+ ON) ONLY ")


def quote_literal(text: object) -> str:
    """A standard-conforming SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def cascade_to_partitions(index_definition: str) -> str:
    """``pg_get_indexdef`` prints ``ON ONLY`` for a partitioned parent's index; creating
    it that way would leave the partitions without their copies."""
    return _ON_ONLY.sub(r"\1 ", index_definition)


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("schemactl", "plan/templates"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
    )
    env.filters["literal"] = quote_literal
    env.filters["cascade_to_partitions"] = cascade_to_partitions
    return env


def render(change: Change) -> str:
    """The SQL of one change: macro ``name`` of template ``kind.sql.j2``."""
    template_name, macro_name = change.operation.split(".", 1)
    module = environment().get_template(f"{template_name}.sql.j2").module
    macro = getattr(module, macro_name)
    return str(macro(**change.params)).strip()
