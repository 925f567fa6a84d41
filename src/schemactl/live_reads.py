"""Reading two live databases' catalogs from the moment a command knows them.

``schemactl diff`` between two databases spends its first tenths of a second importing
the modules that compare and plan; the servers sat idle meanwhile, and the catalogs
were read only afterwards. Started here instead, right after psycopg is imported, the
connections are made (both at once: on a far server each costs round trips) and the
catalogs read while the rest is imported.

Only what connecting needs is imported before the connections are begun; the reading
modules are imported by the reading threads, while they wait for their servers. The
comparison takes the connections and catalogs over (:meth:`LiveReads.take`). A failure
to connect or read is raised there, origin first, as it would have been without the
head start.

``plan`` and ``drift`` begin the read of their one target the same way, before the
schema's files are read; bad input in the files is still reported first, and the read
is then abandoned (its connection closed once made).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING

import psycopg

from schemactl.config import Scope
from schemactl.db import connect

if TYPE_CHECKING:
    from schemactl.catalog import Catalog


@dataclass(frozen=True)
class LiveDatabase:
    """A database compared as it is; it is read, never changed."""

    url: str
    purpose: str = "database"  # names it in connection errors: "--from database"


class LiveReads:
    """The connections to ``databases`` and their catalogs in ``scope``, being made
    in threads of their own (network and server time, mostly). ``schemactl diff``
    begins them for its two sides; :func:`schemactl.pipeline.compare` takes them.
    Used as a context manager, reads never taken are abandoned on leaving it."""

    def __init__(self, databases: Sequence[LiveDatabase], scope: Scope) -> None:
        self._taken = False
        self._pool = ThreadPoolExecutor(max_workers=len(databases), thread_name_prefix="live-read")
        self._connections: list[Future[psycopg.Connection]] = [
            self._pool.submit(connect, database.url, database.purpose) for database in databases
        ]
        self._catalogs = [
            self._pool.submit(self._read, connection, scope) for connection in self._connections
        ]

    def _read(self, connection: Future[psycopg.Connection], scope: Scope) -> Catalog:
        """Read once every connection is made: whether each read may take a second
        connection depends on where all the servers are (see second_connection)."""
        from schemactl.catalog import introspect
        from schemactl.catalog.second_connection import cores_for_second_connections

        conn = connection.result()
        everyone = [other.result() for other in self._connections]
        return introspect(conn, scope, cores_for_second_connections(everyone))

    def take(self, stack: ExitStack) -> list[tuple[psycopg.Connection, Catalog]]:
        """Each database's connection (closed by ``stack``) and catalog, in the order
        given; the first failure, in that order, is raised."""
        self._taken = True
        try:
            for connection in self._connections:
                stack.callback(_close_when_made, connection)
            return [
                (connection.result(), catalog.result())
                for connection, catalog in zip(self._connections, self._catalogs, strict=True)
            ]
        finally:
            self._pool.shutdown(wait=True)

    def __enter__(self) -> LiveReads:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if not self._taken:
            self.abandon()

    def abandon(self) -> None:
        """The command ended before taking the reads (bad input was found first): each
        connection is closed once made, without waiting for it here."""
        self._taken = True
        for connection in self._connections:
            connection.add_done_callback(_close_when_made)
        self._pool.shutdown(wait=False, cancel_futures=True)


def _close_when_made(connection: Future[psycopg.Connection]) -> None:
    if not connection.cancelled() and connection.exception() is None:
        connection.result().close()
