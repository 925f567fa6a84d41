"""Where the dev database comes from: a server named by --dev-url, or an embedded one.

On a named server we create a uniquely named database and drop it afterwards.
Where we may not create databases, we use the named database itself, but only
if it is empty, and empty it again afterwards.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from psycopg import conninfo, errors, sql

from schemactl.db import connect, describe
from schemactl.devdb.embedded import EmbeddedServer
from schemactl.errors import DevDatabaseError

USER_OBJECTS_QUERY = """
SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
"""


@dataclass(frozen=True)
class DevDatabase:
    """An empty database we may fill with the desired state."""

    url: str
    server_version: str
    embedded: bool


def _with_dbname(url: str, dbname: str) -> str:
    return conninfo.make_conninfo(url, dbname=dbname)


@contextmanager
def dev_database(dev_url: str | None, pg_bin: str | None = None) -> Iterator[DevDatabase]:
    """Yield an empty dev database, removed again when the block ends."""
    if dev_url:
        with _database_on_server(dev_url, embedded=False) as dev:
            yield dev
        return
    with EmbeddedServer(pg_bin) as server, _database_on_server(server.url, embedded=True) as dev:
        yield dev


@contextmanager
def dev_databases(
    dev_url: str | None, pg_bin: str | None, count: int
) -> Iterator[list[DevDatabase]]:
    """Yield ``count`` empty dev databases on one server (one embedded server at most),
    for comparing two schema folders."""
    with contextlib.ExitStack() as stack:
        server_url = dev_url
        if not server_url:
            server_url = stack.enter_context(EmbeddedServer(pg_bin)).url
        yield [
            stack.enter_context(_database_on_server(server_url, embedded=not dev_url))
            for _ in range(count)
        ]


@contextmanager
def _database_on_server(server_url: str, embedded: bool) -> Iterator[DevDatabase]:
    admin = connect(server_url, "dev database server")
    version = str(admin.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
    name = f"schemactl_dev_{secrets.token_hex(6)}"
    try:
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    except errors.InsufficientPrivilege:
        admin.close()
        with _reuse_empty_database(server_url) as dev:
            yield dev
        return
    try:
        yield DevDatabase(_with_dbname(server_url, name), version, embedded)
    finally:
        with contextlib.suppress(psycopg.Error):
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        admin.close()


@contextmanager
def _reuse_empty_database(url: str) -> Iterator[DevDatabase]:
    conn = connect(url, "dev database")
    row = conn.execute(USER_OBJECTS_QUERY).fetchone()
    if row and row[0]:
        conn.close()
        raise DevDatabaseError(
            f"the dev database {describe(url)} is not empty and schemactl may not create a "
            "temporary database there: point --dev-url at an empty database or grant CREATEDB"
        )
    version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
    try:
        yield DevDatabase(url, version, embedded=False)
    finally:
        _empty_database(conn)
        conn.close()


EMPTY_PUBLIC_QUERY = """
SELECT format('DROP %s IF EXISTS %s CASCADE', kind, name) FROM (
    SELECT 'EXTENSION' AS kind, quote_ident(extname) AS name FROM pg_extension
     WHERE extname <> 'plpgsql'
    UNION ALL
    SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                          WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
           c.oid::regclass::text
      FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
       AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND NOT c.relispartition
    UNION ALL
    SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END,
           p.oid::regprocedure::text
      FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
    UNION ALL
    SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.oid::regtype::text
      FROM pg_type t WHERE t.typnamespace = 'public'::regnamespace
       AND t.typtype IN ('e', 'd', 'r', 'c', 'm')
       AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
) objects
"""


def _empty_database(conn: psycopg.Connection) -> None:
    """Remove everything a load put into a database that was empty before.

    Schemas it created are dropped whole; ``public`` is kept (we may not be
    allowed to create it again) and emptied object by object.
    """
    schemas = conn.execute(
        "SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', "
        "'information_schema', 'public') AND nspname NOT LIKE 'pg_%'"
    ).fetchall()
    for (schema,) in schemas:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
    for (statement,) in conn.execute(EMPTY_PUBLIC_QUERY).fetchall():
        conn.execute(statement.encode())
