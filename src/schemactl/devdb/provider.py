"""Where the dev database comes from: a server named by --dev-url, or an embedded one.

On a named server we create a uniquely named database and drop it afterwards.
Where we may not create databases, we use the named database itself, but only
if it is empty, and empty it again afterwards.

A run killed outright (``SIGKILL``, a lost machine) cannot drop its database. So
each run holds an advisory lock named after its database for as long as it lives,
and a run that creates one drops those of runs no longer holding theirs (see
:func:`_drop_abandoned`). ``pg_locks`` shows every database's advisory locks, so
this works whichever database ``--dev-url`` names.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from psycopg import conninfo, errors, sql

from schemactl.db import connect, describe
from schemactl.devdb.embedded import EmbeddedServer
from schemactl.devdb.versions import check_dev_server_version, connection_major
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
    major: int = 0
    # Created for this run and dropped after it; False: the --dev-url database itself,
    # emptied again after it (where schemactl may not create databases).
    throwaway: bool = True


def _with_dbname(url: str, dbname: str) -> str:
    return conninfo.make_conninfo(url, dbname=dbname)


@dataclass(frozen=True)
class DevServerChoice:
    """Which server the dev database lives on.

    ``major`` is the major version it must run (the target's); None when there is
    no target to match. A ``dev_url`` server of another major version is refused
    unless ``allow_version_mismatch``.
    """

    dev_url: str | None = None
    pg_bin: str | None = None
    major: int | None = None
    allow_version_mismatch: bool = False
    extensions: frozenset[str] = frozenset()  # what the schema creates (see devdb.extensions)

    def embedded(self, database: str = "postgres") -> EmbeddedServer:
        """A server of our own, ready to hold the schema's extensions in ``database``."""
        return EmbeddedServer(
            self.pg_bin, major=self.major, extensions=self.extensions, database=database
        )

    def check(self, conn: psycopg.Connection) -> int:
        """The major version of the server behind ``conn``, refused if it is not ours."""
        found = connection_major(conn)
        check_dev_server_version(found, self.major, self.allow_version_mismatch)
        return found


@contextmanager
def dev_server(
    dev_url: str | None,
    pg_bin: str | None = None,
    *,
    major: int | None = None,
    allow_version_mismatch: bool = False,
    extensions: Iterable[str] = (),
) -> Iterator[str]:
    """A server URL on which temporary dev databases may be created: ``--dev-url``
    (checked to run the wanted major version), or an embedded server of that major
    version that lives as long as the block."""
    choice = DevServerChoice(dev_url, pg_bin, major, allow_version_mismatch, frozenset(extensions))
    if choice.dev_url:
        conn = connect(choice.dev_url, "dev database server")
        try:
            choice.check(conn)
        finally:
            conn.close()
        yield choice.dev_url
        return
    with choice.embedded() as server:
        yield server.url


@contextmanager
def dev_database(
    dev_url: str | None,
    pg_bin: str | None = None,
    *,
    major: int | None = None,
    allow_version_mismatch: bool = False,
    extensions: Iterable[str] = (),
) -> Iterator[DevDatabase]:
    """Yield an empty dev database on a server of PostgreSQL ``major`` (any when None),
    removed again when the block ends."""
    choice = DevServerChoice(dev_url, pg_bin, major, allow_version_mismatch, frozenset(extensions))
    if choice.dev_url:
        with _database_on_server(choice.dev_url, False, choice) as dev:
            yield dev
        return
    name = _new_name()
    with (
        choice.embedded(database=name) as server,
        _database_on_server(server.url, True, choice, name) as dev,
    ):
        yield dev


@contextmanager
def dev_databases(
    dev_url: str | None,
    pg_bin: str | None,
    count: int,
    *,
    major: int | None = None,
    allow_version_mismatch: bool = False,
    extensions: Iterable[str] = (),
) -> Iterator[list[DevDatabase]]:
    """Yield ``count`` empty dev databases on one server (one embedded server at most)
    of PostgreSQL ``major`` (any when None), for comparing two schema folders."""
    choice = DevServerChoice(dev_url, pg_bin, major, allow_version_mismatch, frozenset(extensions))
    with contextlib.ExitStack() as stack:
        server_url = dev_url
        if not server_url:
            server_url = stack.enter_context(choice.embedded()).url
        yield [
            stack.enter_context(_database_on_server(server_url, not dev_url, choice))
            for _ in range(count)
        ]


DEV_NAME_PREFIX = "schemactl_dev_"
# First key of the two-key advisory lock a run holds while its dev database lives (the
# second is the hash of the database's name): the bytes of "sdev", stable forever.
DEV_DATABASE_LOCK = int.from_bytes(b"sdev", "big")

ABANDONED_QUERY = """
SELECT d.datname FROM pg_database d
 WHERE d.datname ~ ('^' || %(prefix)s || '[0-9a-f]{12}$')
   AND NOT EXISTS (SELECT 1 FROM pg_locks l
                    WHERE l.locktype = 'advisory' AND l.objsubid = 2
                      AND l.classid = %(lock)s::oid AND l.objid = hashtext(d.datname)::oid)
   AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)
"""


def _new_name() -> str:
    return f"{DEV_NAME_PREFIX}{secrets.token_hex(6)}"


def _claim(admin: psycopg.Connection, name: str) -> None:
    """Mark ``name`` as this run's for as long as ``admin`` is open (taken before the
    database exists, so no other run ever sees it unclaimed)."""
    admin.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", (DEV_DATABASE_LOCK, name))


def _release(admin: psycopg.Connection, name: str) -> None:
    """Give the name up explicitly: a pooler in session mode may keep the backend (and
    a session lock) after the connection closes."""
    admin.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", (DEV_DATABASE_LOCK, name))


def _drop_abandoned(admin: psycopg.Connection) -> None:
    """Drop the dev databases of runs that died before dropping theirs: named as
    schemactl names them, claimed by no live run and with no one connected. Never
    forced: a database someone uses, or one we may not drop, stays."""
    rows = admin.execute(ABANDONED_QUERY, {"prefix": DEV_NAME_PREFIX, "lock": DEV_DATABASE_LOCK})
    for (name,) in rows.fetchall():
        with contextlib.suppress(psycopg.Error):
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


@contextmanager
def _database_on_server(
    server_url: str, embedded: bool, choice: DevServerChoice, name: str | None = None
) -> Iterator[DevDatabase]:
    admin = connect(server_url, "dev database server")
    try:
        major = choice.check(admin)
    except DevDatabaseError:
        admin.close()
        raise
    version = str(admin.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
    name = name or _new_name()
    shared = not embedded  # our own server's databases go with its data folder
    try:
        if shared:
            _claim(admin, name)
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    except errors.InsufficientPrivilege:
        admin.close()
        with _reuse_empty_database(server_url) as dev:
            yield dev
        return
    try:
        if shared:
            _drop_abandoned(admin)
        yield DevDatabase(_with_dbname(server_url, name), version, embedded, major)
    finally:
        with contextlib.suppress(psycopg.Error):
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        if shared:
            with contextlib.suppress(psycopg.Error):
                _release(admin, name)  # also where the drop failed: the name is given up
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
        yield DevDatabase(
            url, version, embedded=False, major=connection_major(conn), throwaway=False
        )
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
