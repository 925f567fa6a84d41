"""What pg_dump output (and files built on it) holds that is not a declaration.

``pg_dump --schema-only`` written into schema/ is a schema folder as it is. Most of
it is declarative DDL already; the rest is understood here:

- session settings: ``SET ...`` and ``SELECT pg_catalog.set_config(...)`` set up the
  loading session, like ``SET`` in any schema file;
- the ``--clean --if-exists`` prelude (``DROP ... IF EXISTS``, ``ALTER TABLE IF
  EXISTS ... DROP CONSTRAINT IF EXISTS`` / ``DROP DEFAULT``) clears the way for the
  objects the file then creates: skipped, since a schema folder always starts from
  an empty database;
- ``CREATE SCHEMA public``: every database has it (``AUTHORIZATION r`` states its
  owner);
- ``CREATE DATABASE`` / ``ALTER DATABASE`` (``--create``): the database itself is
  not part of its schema;
- a migration framework's bookkeeping ``INSERT`` into its own table (Rails'
  ``INSERT INTO "schema_migrations" (version) VALUES ...``): data, not schema;
  skipped with a note;
- ``ALTER DEFAULT PRIVILEGES``, which pg_dump writes last: the grants it wrote on
  each object are complete, so the defaults reach only objects created after them
  (see ``order``), where elsewhere they are in force wherever they are stated.

Everything else that runs code or changes data stays refused.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

from schemactl.source.pglast_modules import ast

PUBLIC_SCHEMA = "public"

CLEAN_PRELUDE = (
    "a clean-up before the object is created again (pg_dump --clean --if-exists); "
    "a schema folder always loads into an empty database"
)
PUBLIC_EXISTS = "every database has the public schema"
DATABASE_LEVEL = "the database itself is not part of its schema: schemactl works in the database it is pointed at"  # fmt: skip

# ALTER TABLE IF EXISTS subcommands --clean writes: they only take things away.
_CLEAN_SUBCOMMANDS = frozenset({"AT_DropConstraint", "AT_ColumnDefault", "AT_DropIdentity"})


@cache
def migration_tables() -> dict[str, str]:
    """Framework bookkeeping table -> the framework, from ``migration_tables.toml``."""
    text = resources.files("schemactl.source").joinpath("migration_tables.toml").read_text()
    return {name: str(framework) for name, framework in tomllib.loads(text)["tables"].items()}


PG_DUMP_HEADER = "-- PostgreSQL database dump"


def written_by_pg_dump(text: str, nodes: list[Any]) -> bool:
    """Whether a file is pg_dump output: its header, or (headers stripped, as Rails
    does) the search_path reset pg_dump writes at the top of every dump."""
    return PG_DUMP_HEADER in text[:500] or any(_resets_search_path(node) for node in nodes)


def _resets_search_path(node: Any) -> bool:
    if not is_session_setting(node) or not isinstance(node, ast.SelectStmt):
        return False
    call = (node.targetList or ())[0].val
    first = call.args[0].val if call.args else None
    return isinstance(first, ast.String) and first.sval == "search_path"


def is_session_setting(node: Any) -> bool:
    """``SET name = value`` or ``SELECT pg_catalog.set_config('name', 'value', false)``."""
    if isinstance(node, ast.VariableSetStmt):
        return True
    if not isinstance(node, ast.SelectStmt) or node.fromClause or node.whereClause:
        return False
    targets = node.targetList or ()
    return len(targets) > 0 and all(_is_set_config(t) for t in targets)


def _is_set_config(target: Any) -> bool:
    call = getattr(target, "val", None)
    if not isinstance(call, ast.FuncCall):
        return False
    name = [n.sval for n in call.funcname or () if isinstance(n, ast.String)]
    return name in (["set_config"], ["pg_catalog", "set_config"]) and all(
        isinstance(arg, ast.A_Const) for arg in call.args or ()
    )


def skip_reason(node: Any) -> str | None:
    """Why a statement that is not a declaration may be skipped; None if it may not."""
    match node:
        case ast.DropStmt(missing_ok=True):
            return CLEAN_PRELUDE
        case ast.AlterTableStmt(missing_ok=True) if _only_takes_away(node):
            return CLEAN_PRELUDE
        case ast.CreateSchemaStmt(schemaname="public", authrole=None) if not node.schemaElts:
            return PUBLIC_EXISTS
        case ast.CreatedbStmt() | ast.AlterDatabaseStmt() | ast.AlterDatabaseSetStmt():
            return DATABASE_LEVEL
        case ast.AlterOwnerStmt() if getattr(node.objectType, "name", "") == "OBJECT_DATABASE":
            return DATABASE_LEVEL
        case ast.InsertStmt():
            return _bookkeeping(node)
    return None


def _only_takes_away(node: ast.AlterTableStmt) -> bool:
    commands = node.cmds or ()
    return bool(commands) and all(
        getattr(c.subtype, "name", "") in _CLEAN_SUBCOMMANDS and getattr(c, "def_", None) is None
        for c in commands
    )


def _bookkeeping(node: ast.InsertStmt) -> str | None:
    """An INSERT of constant rows into a migration framework's own table."""
    table = node.relation.relname if node.relation is not None else None
    framework = migration_tables().get(table or "")
    select = node.selectStmt
    if (
        framework is None
        or node.onConflictClause is not None
        or node.returningClause is not None
        or node.withClause is not None
        or not isinstance(select, ast.SelectStmt)
        or not select.valuesLists
        or not all(isinstance(v, ast.A_Const) for row in select.valuesLists for v in row)
    ):
        return None
    return f"{framework} bookkeeping of the migrations it ran ({table}): data, not schema"


def public_schema_owner(node: Any) -> str | None:
    """``CREATE SCHEMA public AUTHORIZATION r``: the owner it states, to be said as
    ``ALTER SCHEMA public OWNER TO r`` (the schema itself exists already)."""
    if (
        isinstance(node, ast.CreateSchemaStmt)
        and node.schemaname == PUBLIC_SCHEMA
        and node.authrole is not None
        and not node.schemaElts
        and node.authrole.rolename
    ):
        return str(node.authrole.rolename)
    return None
