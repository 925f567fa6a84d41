"""pg_partman registrations declared in schema files: ``SELECT partman.create_parent(...)``.

pg_partman keeps a partitioned table's children itself (it creates them ahead,
and retires old ones, from its own maintenance run). The registration is the
user's declaration; the children it makes are pg_partman's, not the schema's, so
they are never compared. Like a pg_cron job, the call is read here and never run
in the dev database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from schemactl.errors import SchemaSourceError, SourceLocation
from schemactl.source.calls import sole_call
from schemactl.source.pglast_modules import ast

if TYPE_CHECKING:
    from schemactl.source.statements import Statement

PARTMAN_SCHEMA = "partman"
DEFAULT_SCHEMA = "public"


@dataclass(frozen=True)
class PartmanRegistration:
    """A pg_partman ``create_parent`` call of the schema, run as written where the target
    lacks the registration."""

    parent: str  # schema-qualified, as pg_partman's part_config spells it: public.events
    sql: str  # the declaration, run as written when the target lacks the registration
    location: SourceLocation


def _create_parent_call(node: Any) -> ast.FuncCall | None:
    found = sole_call(node)
    if found is None:
        return None
    names, call = found
    return call if names == [PARTMAN_SCHEMA, "create_parent"] else None


def is_partman_registration(node: Any) -> bool:
    return _create_parent_call(node) is not None


def _parent_argument(call: ast.FuncCall) -> Any:
    for arg in call.args or ():
        if isinstance(arg, ast.NamedArgExpr) and arg.name == "p_parent_table":
            return arg.arg
    positional = [a for a in call.args or () if not isinstance(a, ast.NamedArgExpr)]
    return positional[0] if positional else None


def read_registrations(statements: Iterable[Statement]) -> list[PartmanRegistration]:
    found: dict[str, PartmanRegistration] = {}
    for statement in statements:
        call = _create_parent_call(statement.node)
        if call is None:
            continue
        where = statement.location()
        arg = _parent_argument(call)
        value = getattr(getattr(arg, "val", None), "sval", None)
        if not isinstance(arg, ast.A_Const) or not isinstance(value, str):
            raise SchemaSourceError(
                where, "partman.create_parent needs the parent table as a string constant"
            )
        parent = value if "." in value else f"{DEFAULT_SCHEMA}.{value}"
        if parent in found:
            raise SchemaSourceError(
                where,
                f"{parent} is registered with pg_partman twice (also at {found[parent].location})",
            )
        found[parent] = PartmanRegistration(parent, statement.sql.rstrip(";"), where)
    return list(found.values())
