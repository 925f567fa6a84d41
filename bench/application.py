"""A real application's schema of a few hundred tables: the example schema grown tenfold.

The example schema (``schema/``: a travel-planning platform with row-level security,
triggers, SECURITY DEFINER functions, a partitioned table, views and materialized views)
declares its objects in ``public`` with unqualified names. Grown ``copies`` times, each
copy lives in a schema of its own, ``app_01``, ``app_02``, ..., as a platform hosting
one application per tenant (or a monolith with one schema per module) has it: every
statement is parsed with pglast, every name that refers to one of the application's own
relations, routines or row types is qualified with the copy's schema in the syntax tree,
and the tree is printed back as SQL. What is global is declared once: the roles (server
wide) and the extensions (``citext`` and ``pgcrypto`` stay in ``public``, where every
copy's columns and functions find them).

Function bodies are strings to the parser: they keep their unqualified names and find
their copy's tables through the routine's own ``SET search_path``, rewritten to the copy's
schema (then ``public``, for the extensions' functions); the one schema-qualified literal
in a body (``'public.audit_log'``) is rewritten the same way. Left out, because the other
tools could not load them: the pg_cron jobs (``70_platform/40_jobs.sql``: pg_cron needs
``shared_preload_libraries``) and the partition rule of ``user_behavior_log`` (a
schemactl comment hint; the declared monthly partitions stay).

The output is a schema folder (``schema/``: the global files, ``00_schemas.sql`` creating
the copies' schemas, and one folder per copy with the example's files, one statement a
line) and the same statements in one file in load order (``all.sql``, for ``psql -1 -f``;
without the roles, which the server must have first: :data:`ROLES`).

    python -m bench.application [--copies 10] FOLDER
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pglast
from pglast import ast, enums, visitors
from pglast.stream import RawStream

EXAMPLE = Path(__file__).resolve().parent.parent / "schema"
ROLES = ("app_user", "app_admin")
GLOBAL_FILES = ("00_roles.sql", "00_extensions.sql")  # declared once, not per copy
LEFT_OUT = ("70_platform/40_jobs.sql",)  # pg_cron jobs: see the module's docstring
COPIES = 10

# COMMENT ON <kind> takes a name list; the length it has when unqualified.
_COMMENT_NAME_LENGTHS = {
    enums.ObjectType.OBJECT_TABLE: 1,
    enums.ObjectType.OBJECT_VIEW: 1,
    enums.ObjectType.OBJECT_MATVIEW: 1,
    enums.ObjectType.OBJECT_INDEX: 1,
    enums.ObjectType.OBJECT_SEQUENCE: 1,
    enums.ObjectType.OBJECT_COLUMN: 2,
    enums.ObjectType.OBJECT_TABCONSTRAINT: 2,
    enums.ObjectType.OBJECT_TRIGGER: 2,
    enums.ObjectType.OBJECT_POLICY: 2,
}


@dataclass
class Names:
    """The application's own objects, by the names its files give them."""

    relations: set[str] = field(default_factory=set)
    routines: set[str] = field(default_factory=set)

    def learn(self, statement: ast.Node) -> None:
        if isinstance(statement, ast.CreateStmt):
            self.relations.add(statement.relation.relname)
        elif isinstance(statement, ast.ViewStmt):
            self.relations.add(statement.view.relname)
        elif isinstance(statement, ast.CreateTableAsStmt):
            self.relations.add(statement.into.rel.relname)
        elif isinstance(statement, ast.CreateFunctionStmt):
            self.routines.add(statement.funcname[-1].sval)


class Qualifier(visitors.Visitor):  # type: ignore[misc]
    """Qualifies, in place, every unqualified reference to the application's objects."""

    def __init__(self, names: Names, schema: str) -> None:
        super().__init__()
        self.names = names
        self.schema = schema

    def _qualified(self, name: tuple[ast.String, ...] | None, known: set[str]) -> Any:
        if name and len(name) == 1 and name[0].sval in known:
            return (ast.String(sval=self.schema), *name)
        return name

    def visit_RangeVar(self, ancestors: Any, node: ast.RangeVar) -> None:
        if node.schemaname is None and node.relname in self.names.relations:
            node.schemaname = self.schema

    def visit_FuncCall(self, ancestors: Any, node: ast.FuncCall) -> None:
        node.funcname = self._qualified(node.funcname, self.names.routines)

    def visit_ObjectWithArgs(self, ancestors: Any, node: ast.ObjectWithArgs) -> None:
        node.objname = self._qualified(node.objname, self.names.routines)

    def visit_CreateTrigStmt(self, ancestors: Any, node: ast.CreateTrigStmt) -> None:
        node.funcname = self._qualified(node.funcname, self.names.routines)

    def visit_TypeName(self, ancestors: Any, node: ast.TypeName) -> None:
        node.names = self._qualified(node.names, self.names.relations)  # row types

    def visit_CommentStmt(self, ancestors: Any, node: ast.CommentStmt) -> None:
        length = _COMMENT_NAME_LENGTHS.get(node.objtype)
        if length is not None and len(node.object) == length:
            node.object = (ast.String(sval=self.schema), *node.object)

    def visit_CreateFunctionStmt(self, ancestors: Any, node: ast.CreateFunctionStmt) -> None:
        node.funcname = self._qualified(node.funcname, self.names.routines)
        for option in node.options or ():
            if option.defname == "set" and option.arg.name == "search_path":
                path: list[ast.Node] = []
                for value in option.arg.args:
                    if isinstance(value.val, ast.String) and value.val.sval == "public":
                        path.append(ast.A_Const(val=ast.String(sval=self.schema)))
                    path.append(value)
                option.arg.args = tuple(path)
            elif option.defname == "as":
                option.arg = tuple(
                    ast.String(sval=re.sub(r"\bpublic\.", f"{self.schema}.", s.sval))
                    for s in option.arg
                )


def _statements(text: str) -> list[ast.Node]:
    return [raw.stmt for raw in pglast.parse_sql(text)]


def _files() -> dict[str, str]:
    """The example's files of one copy, by path relative to ``schema/``, in load order."""
    paths = sorted(EXAMPLE.rglob("*.sql"))
    found = {str(p.relative_to(EXAMPLE)): p.read_text() for p in paths}
    return {k: v for k, v in found.items() if k not in GLOBAL_FILES and k not in LEFT_OUT}


def _copy(names: Names, schema: str, text: str) -> str:
    printed = []
    for statement in _statements(text):
        Qualifier(names, schema)(statement)
        printed.append(RawStream()(statement) + ";\n")
    return "\n".join(printed)


def files(copies: int = COPIES) -> dict[str, str]:
    """The schema folder: relative path -> text, in load order (path order)."""
    originals = _files()
    names = Names()
    for text in originals.values():
        for statement in _statements(text):
            names.learn(statement)
    written = {name: (EXAMPLE / name).read_text() for name in GLOBAL_FILES}
    schemas = [f"app_{i:02d}" for i in range(1, copies + 1)]
    written["00_schemas.sql"] = "\n".join(
        f"CREATE SCHEMA {schema};\n"
        f"COMMENT ON SCHEMA {schema} IS 'Copy {i} of the example application.';\n"
        f"GRANT USAGE ON SCHEMA {schema} TO {', '.join(ROLES)};\n"
        for i, schema in enumerate(schemas, 1)
    )
    for schema in schemas:
        for relative, text in originals.items():
            written[f"{schema}/{relative}"] = _copy(names, schema, text)
    return written


def write(folder: Path, copies: int = COPIES) -> Path:
    """``folder/schema/...`` and ``folder/all.sql`` (without the roles); returns ``folder``."""
    written = files(copies)
    for relative, text in written.items():
        path = folder / "schema" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    loaded = (text for relative, text in sorted(written.items()) if relative != "00_roles.sql")
    (folder / "all.sql").write_text("\n".join(loaded))
    return folder


def label(copies: int) -> str:
    """The workload's name in the report, in place of a table count."""
    return f"app ×{copies}"


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--copies", type=int, default=COPIES)
    args = parser.parse_args(None if argv is None else list(argv))
    write(args.folder, args.copies)


if __name__ == "__main__":
    main()
