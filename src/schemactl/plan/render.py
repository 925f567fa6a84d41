"""Rendering changes into SQL through the jinja2 templates beside this module."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from schemactl.catalog.identity import creation_options
from schemactl.catalog.model import Column
from schemactl.diff.changes import Change
from schemactl.identifiers import quote_ident as quote_ident  # re-exported for templates' users

if TYPE_CHECKING:
    from jinja2 import Environment

_ON_ONLY = re.compile(r"^(CREATE (?:UNIQUE )?INDEX \S+ ON) ONLY ")


def quote_literal(text: object) -> str:
    """A standard-conforming SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def dollar_quote(text: object, tag: str = "job") -> str:
    """A dollar-quoted literal whose tag does not occur in the text."""
    body, n = str(text), 0
    while f"${tag}{n or ''}$" in body:
        n += 1
    delimiter = f"${tag}{n or ''}$"
    return f"{delimiter}{body}{delimiter}"


def literal_or_current_database(name: str | None) -> str:
    """A database name as a literal; None is the database the statement runs in."""
    return "current_database()" if name is None else quote_literal(name)


_INDEX_HEAD = re.compile(r"^CREATE (UNIQUE )?INDEX ")


def concurrently(index_definition: str) -> str:
    """``CREATE INDEX`` -> ``CREATE INDEX CONCURRENTLY``: no write lock while it builds."""
    return _INDEX_HEAD.sub(
        lambda m: f"CREATE {m[1] or ''}INDEX CONCURRENTLY ", index_definition, count=1
    )


def cascade_to_partitions(index_definition: str) -> str:
    """``pg_get_indexdef`` prints ``ON ONLY`` for a partitioned parent's index; creating
    it that way would leave the partitions without their copies."""
    return _ON_ONLY.sub(r"\1 ", index_definition)


def identity_options(column: Column) -> str:
    """`` (START WITH 5 CACHE 10)``: what an identity column's sequence does not leave to
    PostgreSQL's defaults, its name included when PostgreSQL would choose another."""
    sequence = column.identity_sequence
    if sequence is None:
        return ""
    options = creation_options(sequence, qualified_name=sequence.named)
    return f" ({' '.join(options)})" if options else ""


@cache
def environment() -> Environment:
    """The templates' environment, made on the first change rendered: a run that renders
    none (drift in sync, a plan without changes) never imports jinja2."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    from schemactl.plan.template_cache import template_cache

    env = Environment(
        loader=PackageLoader("schemactl", "plan/templates"),
        bytecode_cache=template_cache(),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
    )
    env.filters["literal"] = quote_literal
    env.filters["ident"] = quote_ident
    env.filters["cascade_to_partitions"] = cascade_to_partitions
    env.filters["concurrently"] = concurrently
    env.filters["dollar_quote"] = dollar_quote
    env.filters["literal_or_current_database"] = literal_or_current_database
    env.filters["identity_options"] = identity_options
    return env


def warm_up() -> None:
    """Make the environment and load every template now: for a thread that would
    otherwise only wait on a server (a dev database loading, two catalogs being read),
    so that the first changes rendered find them ready. Some thirty templates take a few
    hundredths of a second, which a run with no change to render spends in that wait."""
    env = environment()
    for name in env.list_templates(extensions=["j2"]):
        env.get_template(name).module  # noqa: B018 - made once, kept on the template


def render(change: Change) -> str:
    """The SQL of one change: macro ``name`` of template ``kind.sql.j2``."""
    return str(_macro(environment(), change.operation)(**change.params)).strip()


@lru_cache(maxsize=256)
def _macro(env: Environment, operation: str) -> Callable[..., object]:
    """The macro an operation (``table.create``) names, looked up once per environment:
    ``get_template`` checks the template file for changes on every call, and a plan
    renders thousands of changes through a few dozen macros."""
    template_name, macro_name = operation.split(".", 1)
    module = env.get_template(f"{template_name}.sql.j2").module
    return getattr(module, macro_name)  # type: ignore[no-any-return]
