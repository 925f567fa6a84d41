"""Catalog queries answered on a second connection, in the first one's snapshot.

Reading a large catalog is mostly the server's work (printing definitions, joining
catalogs), done one query after another on one backend, one core. A second connection
to the same database takes some of the queries, so two backends answer them at once
while Python builds the model from what has arrived. Both read the same snapshot (the
first exports it, the second imports it), so the catalog is as consistent as if one
connection had read it all.

Nothing depends on the second connection: where it cannot be made, cannot import the
snapshot (a pooler that sends it to another server) or fails a query, the first
connection runs the queries it was to answer, as it would have without it.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any

import psycopg
from psycopg import sql

from schemactl import metrics
from schemactl.catalog.latency import read_ahead_depth
from schemactl.db import another_connection

# Below this many relations in the database (system catalogs included) the second
# connection costs more than it saves: its connection alone (a TLS handshake to a
# managed server) outweighs the server time of a small catalog.
WORTH_IT_RELATIONS = 2500

Answer = tuple[list[str], list[tuple[Any, ...]]]  # column names, rows


# Where a server listens on this machine (a Unix socket's folder starts with "/").
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
BACKENDS_PER_READ = 2


def worth_it(relations: int) -> bool:
    """Whether a database of ``relations`` relations is read faster on two connections."""
    return relations >= WORTH_IT_RELATIONS


def on_this_machine(conn: psycopg.Connection) -> bool:
    """Whether the server behind ``conn`` runs here (a Unix socket or loopback)."""
    host = conn.info.host
    return host.startswith("/") or host in LOOPBACK_HOSTS


def cores_for_second_connections(
    readers: Sequence[psycopg.Connection], cores: int | None = None
) -> bool:
    """Whether catalogs read at the same time on ``readers`` may each take a second
    connection. A server elsewhere has cores of its own. The backends of servers on this
    machine share its ``cores`` (those this process may use) with each other and with
    the reading process: more busy backends than cores wait their turn, and each second
    backend warms its own catalog caches first, work the first has done already. Two
    databases on a machine of two cores (``schemactl diff`` of two local databases) read
    faster on one connection each (1.71 s against 1.52 s, median of 20, at 1,000 tables)."""
    local = sum(on_this_machine(conn) for conn in readers)
    available = len(os.sched_getaffinity(0)) if cores is None else cores
    return local * BACKENDS_PER_READ <= available


class SecondConnection:
    """A thread with its own connection that runs ``planned`` (query name, params) in
    order, in the snapshot ``snapshot``, after ``settings`` (the session settings the
    catalog queries need); :meth:`take` hands over an answer when it is asked for."""

    def __init__(
        self,
        first: psycopg.Connection,
        snapshot: str,
        settings: str,
        planned: Sequence[tuple[str, dict[str, Any], bytes]],
    ) -> None:
        self._first = first
        self._snapshot = snapshot
        self._settings = settings
        self._planned: list[tuple[bytes, dict[str, Any], Future[Answer]]] = [
            (text, params, Future()) for _, params, text in planned
        ]
        # What the first connection may still take: it takes each answer once.
        self._answers: dict[str, tuple[dict[str, Any], Future[Answer]]] = {
            name: (params, future)
            for (name, params, _), (_, _, future) in zip(planned, self._planned, strict=True)
        }
        self._stopping = threading.Event()
        self._conn: psycopg.Connection | None = None  # while the thread has one
        self._thread = threading.Thread(target=self._answer_all, name="catalog", daemon=True)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self._answers)

    def start(self) -> SecondConnection:
        self._thread.start()
        return self

    def take(self, name: str, params: dict[str, Any]) -> Answer | None:
        """The answer to ``name`` with ``params``; None where this connection has none
        (not planned here, other params, or it failed): the first connection runs it."""
        planned = self._answers.pop(name, None)
        if planned is None or planned[0] != params:
            return None
        try:
            answer = planned[1].result()
        except Exception:  # noqa: BLE001 - whatever failed here fails again, reported, there
            return None
        metrics.count("second_connection_answers")
        return answer

    def close(self) -> None:
        """Stop and wait (the first connection's snapshot must outlive every query of this
        one). Queries not yet answered are cancelled: only a read that failed, or a reader
        that asked for less than was planned, closes before every answer is in."""
        self._stopping.set()
        conn = self._conn
        if conn is not None and any(not future.done() for _, _, future in self._planned):
            cancel = getattr(conn, "cancel_safe", None) or conn.cancel  # psycopg 3.1: cancel
            with contextlib.suppress(psycopg.Error):
                cancel()
        self._thread.join()

    def _answer_all(self) -> None:
        try:
            conn = another_connection(self._first)
        except psycopg.Error as exc:
            self._fail_rest(exc)
            return
        self._conn = conn
        try:
            with conn.transaction():
                snapshot = sql.SQL("SET TRANSACTION SNAPSHOT {}; ").format(
                    sql.Literal(self._snapshot)
                )
                started = time.perf_counter()
                conn.execute(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ; "
                    + snapshot.as_string(conn)
                    + self._settings
                )  # one round trip: the snapshot is set before the transaction's first query
                latency = time.perf_counter() - started
                self._answer_in_groups(conn, read_ahead_depth(latency, len(self._planned)))
        except psycopg.Error as exc:
            self._fail_rest(exc)
        finally:
            self._conn = None
            conn.close()
        self._fail_rest(RuntimeError("stopped"))

    def _answer_in_groups(self, conn: psycopg.Connection, size: int) -> None:
        """The queries in groups of ``size``, each group sent in one round trip (its
        answers come together). Near the server, one at a time: this thread turns each
        answer into rows while the first connection keeps the server busy."""
        if size > 1 and not psycopg.Pipeline.is_supported():
            size = 1
        for first in range(0, len(self._planned), size):
            if self._stopping.is_set():
                return
            group = self._planned[first : first + size]
            if size == 1:
                text, params, future = group[0]
                with conn.cursor() as cursor:
                    cursor.execute(text, params)
                    self._answer(cursor, future)
                continue
            with conn.pipeline():
                sent = [(conn.cursor(), future) for _, _, future in group]
                for (cursor, _), (text, params, _) in zip(sent, group, strict=True):
                    cursor.execute(text, params)
                for cursor, future in sent:
                    self._answer(cursor, future)

    @staticmethod
    def _answer(cursor: psycopg.Cursor[Any], future: Future[Answer]) -> None:
        future.set_running_or_notify_cancel()
        answered = cursor.fetchall()  # in a pipeline, the columns are known once it is in
        future.set_result(([column.name for column in cursor.description or ()], answered))

    def _fail_rest(self, exc: BaseException) -> None:
        for _, _, future in self._planned:
            pending = not future.done()
            if pending and (future.running() or future.set_running_or_notify_cancel()):
                future.set_exception(exc)
