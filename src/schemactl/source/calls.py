"""Statements that call a function to declare something: read, never loaded.

``SELECT cron.schedule(...)`` declares a pg_cron job and ``SELECT
partman.create_parent(...)`` a pg_partman registration. Every other ``SELECT`` in
a schema file is a query, and refused.
"""

from __future__ import annotations

from typing import Any

from schemactl.source.pglast_modules import ast


def sole_call(node: Any) -> tuple[list[str | None], ast.FuncCall] | None:
    """The function call a ``SELECT`` consists of, if that is all it is (no FROM, no
    WHERE, one target), with the function's name parts: ``["cron", "schedule"]``."""
    if not isinstance(node, ast.SelectStmt) or node.fromClause or node.whereClause:
        return None
    targets = node.targetList or ()
    if len(targets) != 1 or not isinstance(targets[0].val, ast.FuncCall):
        return None
    call = targets[0].val
    return [getattr(part, "sval", None) for part in call.funcname or ()], call


def is_declared_call(node: Any) -> bool:
    if not isinstance(node, ast.SelectStmt):  # asked of every statement, thrice
        return False
    from schemactl.source.jobs import is_job_declaration  # they read calls with sole_call
    from schemactl.source.partman import is_partman_registration

    return is_job_declaration(node) or is_partman_registration(node)
