"""Checking what a declared pg_cron job's command names against the desired state.

A job whose command refreshes a view that no longer exists fails every time it
runs, silently; it is cheaper to say so while planning. The dev database holds
the desired state, so a name that does not resolve there will not resolve on
the target after the migration either.
"""

from __future__ import annotations

from collections.abc import Iterable

import psycopg

from schemactl.errors import SchemaSourceError
from schemactl.source.jobs import JobDeclaration
from schemactl.source.pglast_modules import ast, parser
from schemactl.source.syntax import walk

# pg_cron runs a job with the role's default search_path.
JOB_SEARCH_PATH = "public"

RELATION_EXISTS = "SELECT to_regclass(%s) IS NOT NULL"
ROUTINE_EXISTS = """
SELECT EXISTS (
    SELECT 1 FROM pg_proc p
    WHERE p.proname = %(name)s
      AND p.pronamespace::regnamespace::text = ANY (%(schemas)s)
)
"""


def _names(command: str) -> tuple[set[tuple[str | None, str]], set[tuple[str | None, str]]]:
    """The relations and routines a command names (CTE names excluded)."""
    relations: set[tuple[str | None, str]] = set()
    routines: set[tuple[str | None, str]] = set()
    ctes: set[str] = set()
    for tree in parser.parse_sql(command) or ():
        for node in walk(tree.stmt):
            if isinstance(node, ast.CommonTableExpr) and node.ctename:
                ctes.add(str(node.ctename))
            elif isinstance(node, ast.RangeVar) and node.relname:
                relations.add((node.schemaname, str(node.relname)))
            elif isinstance(node, ast.FuncCall):
                parts = [str(p.sval) for p in node.funcname or () if isinstance(p, ast.String)]
                if parts:
                    routines.add((parts[0] if len(parts) > 1 else None, parts[-1]))
    return {r for r in relations if r[0] is not None or r[1] not in ctes}, routines


def check_job_commands(conn: psycopg.Connection, jobs: Iterable[JobDeclaration]) -> None:
    """Every relation and routine a job's command names exists in the desired state."""
    for job in jobs:
        relations, routines = _names(job.command)
        with conn.transaction():
            conn.execute(f"SET LOCAL search_path = {JOB_SEARCH_PATH}")
            for schema, name in sorted(relations, key=str):
                qualified = f"{schema}.{name}" if schema else name
                row = conn.execute(RELATION_EXISTS, (qualified,)).fetchone()
                if not row or not row[0]:
                    raise SchemaSourceError(
                        job.location,
                        f"pg_cron job {job.name!r}: its command names relation {qualified}, "
                        "which the schema does not define",
                    )
            for schema, name in sorted(routines, key=str):
                schemas = [schema] if schema else ["pg_catalog", JOB_SEARCH_PATH]
                row = conn.execute(ROUTINE_EXISTS, {"name": name, "schemas": schemas}).fetchone()
                if not row or not row[0]:
                    qualified = f"{schema}.{name}" if schema else name
                    raise SchemaSourceError(
                        job.location,
                        f"pg_cron job {job.name!r}: its command calls {qualified}(), "
                        "which the schema does not define",
                    )
