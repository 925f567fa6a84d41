"""Loading the desired state into the dev database, so PostgreSQL normalizes it.

Statements go to the server in batches, many per round trip (one multi-statement
query, which PostgreSQL runs as one implicit transaction). A batch that fails is rolled
back by the server and replayed statement by statement, so a rejection names its file,
line and column (PostgreSQL reports where in the statement it stopped) and carries
PostgreSQL's own message, exactly as if every statement had run on its own; statements
that cannot run inside a transaction block (``CREATE INDEX CONCURRENTLY``) or that need
the one before committed (a new enum value used) load in the replay too. Roles the schema
names or declares are created first, bare (``NOLOGIN``, no memberships): they are
server-wide, and the dev server may be shared or be the target's own, so the
schema's role statements themselves never run here (``source/roles.py``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

import psycopg
from psycopg import sql

from schemactl.catalog.external import grantees
from schemactl.catalog.model import Catalog
from schemactl.db import connect
from schemactl.devdb.extensions import extension_problem, missing_library_message
from schemactl.devdb.external import create_external_objects, routine_oids
from schemactl.errors import SchemaSourceError, SourceLocation
from schemactl.source.calls import is_declared_call
from schemactl.source.pglast_modules import ast
from schemactl.source.roles import is_role_statement, read_role_declarations
from schemactl.source.statements import Statement
from schemactl.source.syntax import walk

BUILTIN_ROLE_PREFIX = "pg_"


def roles_in(nodes: Iterable[Any]) -> set[str]:
    """Role names used below these syntax trees (grants, policies, owners, default
    privileges), without PostgreSQL's built-in roles."""
    roles = {
        node.rolename
        for tree in nodes
        for node in walk(tree)
        if isinstance(node, ast.RoleSpec) and node.rolename
    }
    return {r for r in roles if not r.startswith(BUILTIN_ROLE_PREFIX)}


def referenced_roles(statements: Iterable[Statement]) -> set[str]:
    """Role names the schema's statements use (role declarations are read apart)."""
    roles = {
        node.rolename
        for s in statements
        if not is_role_statement(s.node)
        for node in s.nodes
        if isinstance(node, ast.RoleSpec) and node.rolename
    }
    return {r for r in roles if not r.startswith(BUILTIN_ROLE_PREFIX)}


def dev_roles(statements: list[Statement]) -> set[str]:
    """Roles the dev database needs before the schema loads: those it uses and those
    it declares (but not those it drops)."""
    return referenced_roles(statements) | set(read_role_declarations(statements).declared)


def existing_roles(conn: psycopg.Connection) -> set[str]:
    """The roles the server behind ``conn`` has (roles are server-wide)."""
    return {row[0] for row in conn.execute("SELECT rolname FROM pg_roles").fetchall()}


def ensure_roles(conn: psycopg.Connection, roles: Iterable[str]) -> None:
    existing = existing_roles(conn)
    for role in sorted(set(roles) - existing):
        # Another run on the same server may create it concurrently.
        with contextlib.suppress(psycopg.errors.DuplicateObject):
            conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))


def _check_extensions(conn: psycopg.Connection, statements: Iterable[Statement]) -> None:
    """Each extension the schema creates must work on the dev server: one clear error
    naming it and the remedies otherwise (see :mod:`schemactl.devdb.extensions`)."""
    available = {
        row[0] for row in conn.execute("SELECT name FROM pg_available_extensions").fetchall()
    }
    for statement in statements:
        node = statement.node
        if isinstance(node, ast.CreateExtensionStmt):
            problem = extension_problem(conn, str(node.extname), available)
            if problem:
                raise SchemaSourceError(statement.location(), problem)


def _error_message(exc: psycopg.Error) -> str:
    diag = exc.diag
    message = diag.message_primary or str(exc).strip()
    if diag.message_detail:
        message += f" ({diag.message_detail})"
    if diag.message_hint:
        message += f" hint: {diag.message_hint}"
    return " ".join(message.split())


VALIDATION_QUERY = """
SELECT p.oid, p.proname, format('SELECT %%s(%%s)', l.lanvalidator::regproc, p.oid),
       (SELECT substr(c, length('search_path=') + 1) FROM unnest(p.proconfig) c
         WHERE c LIKE 'search_path=%%') AS search_path
FROM pg_proc p
JOIN pg_language l ON l.oid = p.prolang
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE l.lanvalidator <> 0
  AND p.prokind IN ('f', 'p')
  AND l.lanname NOT IN ('internal', 'c')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                  AND d.objid = p.oid AND d.deptype = 'e')
  AND p.oid <> ALL(%(before)s::oid[])
ORDER BY p.oid
"""


def validate_function_bodies(
    conn: psycopg.Connection, statements: list[Statement], before: list[int]
) -> None:
    """Bodies were loaded unchecked (they may name objects defined later); check them
    now that everything exists, so a broken body fails here and not at call time.

    A routine that sets its own search_path is checked with it, as it runs with it.
    Others run with their caller's: they are checked with the loading session's, and
    failing that with the server's default (a pg_dump file empties the session's
    search_path and qualifies every name it writes, but not those inside bodies)."""
    conn.execute("SET check_function_bodies = on")
    default_row = conn.execute(
        "SELECT reset_val FROM pg_settings WHERE name = 'search_path'"
    ).fetchone()
    default_path = str(default_row[0]) if default_row else None
    rows = conn.execute(VALIDATION_QUERY, {"before": before}).fetchall()
    for _oid, name, validation, search_path in rows:
        error = _validation_error(conn, validation, search_path)
        if error is not None and search_path is None and default_path is not None:
            error = error if _validation_error(conn, validation, default_path) else None
        if error is not None:
            raise SchemaSourceError(_function_location(statements, str(name)), error)


def _validation_error(
    conn: psycopg.Connection, validation: str, search_path: str | None
) -> str | None:
    """Run one validator call, under ``search_path`` when given; the error, if any."""
    try:
        with conn.transaction():
            if search_path is not None:
                conn.execute("SELECT set_config('search_path', %s, true)", (search_path,))
            conn.execute(validation.encode())
    except psycopg.Error as exc:
        return _error_message(exc)
    return None


def _function_location(statements: list[Statement], name: str) -> SourceLocation:
    for statement in statements:
        node = statement.node
        if isinstance(node, ast.CreateFunctionStmt) and any(
            isinstance(part, ast.String) and part.sval == name for part in node.funcname or ()
        ):
            return statement.location()
    return statements[0].location() if statements else SourceLocation("<schema>", 1, 1)


def load_desired_state(
    url: str,
    statements: list[Statement],
    external: Catalog | None = None,
    roles: Iterable[str] | None = None,
) -> None:
    """Run the ordered statements in the dev database, stopping at the first rejection.

    ``external`` holds the target's objects the schema uses but does not manage
    (``catalog.external``): they are created first, and are not the schema's to validate.
    ``roles``: :func:`dev_roles` of the statements where the caller has them already
    (a folder's facts): walking every tree again for them cost a tenth of a second at a
    thousand tables."""
    conn = connect(url, "dev database")
    try:
        needed = set(dev_roles(statements) if roles is None else roles)
        ensure_roles(conn, needed | grantees(external or Catalog("")))
        if external is not None:
            create_external_objects(conn, external)
        before = routine_oids(conn)
        _check_extensions(conn, statements)
        conn.execute("SET check_function_bodies = off")
        for batch in batches(loaded_statements(statements)):
            _run_batch(conn, batch)
        validate_function_bodies(conn, statements, before)
    finally:
        conn.close()


def loaded_statements(statements: Iterable[Statement]) -> list[Statement]:
    """The statements that run in the dev database: jobs and roles join the desired
    state from their declarations instead."""
    return [s for s in statements if not is_declared_call(s.node) and not is_role_statement(s.node)]


def batch_text(batch: list[Statement]) -> bytes:
    """One round trip's query; a newline before each separator ends a comment on a
    statement's last line."""
    return "\n;\n".join(s.sql for s in batch).encode()


# A batch is at most this many statements or characters: few round trips, and a failing
# batch's replay stays short.
BATCH_STATEMENTS = 500
BATCH_CHARACTERS = 512 * 1024


def batches(statements: list[Statement]) -> Iterator[list[Statement]]:
    """Consecutive runs of ``statements``, in order, each sent in one round trip."""
    batch: list[Statement] = []
    size = 0
    for statement in statements:
        if batch and (
            len(batch) >= BATCH_STATEMENTS or size + len(statement.sql) > BATCH_CHARACTERS
        ):
            yield batch
            batch, size = [], 0
        batch.append(statement)
        size += len(statement.sql)
    if batch:
        yield batch


def _run_batch(conn: psycopg.Connection, batch: list[Statement]) -> None:
    """Run a batch in one round trip; where the server rejects it (and so rolls it back
    whole), run its statements one by one, to pin the failing one as it stands alone."""
    if len(batch) > 1:
        with contextlib.suppress(psycopg.Error):
            conn.execute(batch_text(batch))
            return
    for statement in batch:
        try:
            conn.execute(statement.sql.encode())
        except psycopg.Error as exc:
            position = exc.diag.statement_position
            offset = int(position) - 1 if position else 0
            message = _error_message(exc)
            explained = missing_library_message(message, conn.info.server_version // 10000)
            raise SchemaSourceError(statement.location(offset), explained or message) from None
