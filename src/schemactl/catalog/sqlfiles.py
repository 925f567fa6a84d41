"""Running the catalog queries kept as ``.sql`` files in ``queries/``.

A catalog read runs some forty queries one after another on one connection. Run
plainly, each waits for its answer and only then turns its rows into the model: the
server and Python take turns. Inside :func:`reading_ahead` the next query of a known
order is sent before the rows of the current one are handed over, so the server
answers it while Python builds the model from the rows before.

On a far server (a managed database, tens of milliseconds away) each query sent alone
costs a round trip, forty of them per read. There the queries go ahead in groups, one
round trip each, sized by the latency the connection showed
(:func:`schemactl.catalog.latency.read_ahead_depth`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import psycopg
from psycopg.rows import RowFactory, dict_row, tuple_row

from schemactl.catalog.second_connection import Answer, SecondConnection


@cache
def query(name: str) -> str:
    """The text of ``queries/<name>.sql``."""
    return resources.files("schemactl.catalog").joinpath("queries", f"{name}.sql").read_text()


@cache
def _encoded(name: str) -> bytes:
    return query(name).encode()


def rows(conn: psycopg.Connection, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Run ``queries/<name>.sql`` with ``params`` and return its rows as dicts."""
    return _run(conn, name, params, dict_row)


def together(
    conn: psycopg.Connection, asked: Sequence[tuple[str, dict[str, Any]]]
) -> list[list[dict[str, Any]]]:
    """The rows (as dicts) of several queries that do not depend on each other, sent in
    one round trip where libpq can pipeline them."""
    if not psycopg.Pipeline.is_supported():
        return [rows(conn, name, params) for name, params in asked]
    cursors = []
    with conn.pipeline():
        for name, params in asked:
            cursor = conn.cursor(row_factory=dict_row)
            cursor.execute(_encoded(name), params)
            cursors.append(cursor)
    return [cursor.fetchall() for cursor in cursors]


def tuples(conn: psycopg.Connection, name: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Run ``queries/<name>.sql`` with ``params`` and return its rows as tuples, in the
    order of its select list: for the large reads, where building a dict per row costs
    more than the rest of the row's way into the model."""
    return _run(conn, name, params, tuple_row)


def _run(
    conn: psycopg.Connection, name: str, params: dict[str, Any], row_factory: RowFactory[Any]
) -> list[Any]:
    if name in _NEEDLESS.get(id(conn), ()):
        return []
    second = _SECOND.get(id(conn))
    answer = second.take(name, params) if second is not None else None
    if answer is not None:
        return _shaped(answer, row_factory)
    ahead = _READING_AHEAD.get(id(conn))
    if ahead is None or ahead.conn is not conn:
        with conn.cursor(row_factory=row_factory) as cur:
            cur.execute(_encoded(name), params)
            return cur.fetchall()
    with ahead.take(name, params) as cur:
        ahead.arrived(cur)
        cur.row_factory = row_factory
        return cur.fetchall()


@dataclass
class _ReadAhead:
    """The queries still to come on one connection, in the order they will be asked
    for, and those sent before they were asked for."""

    conn: psycopg.Connection
    pipeline: psycopg.Pipeline
    planned: list[tuple[str, dict[str, Any]]]
    depth: int = 1  # queries sent ahead together
    sent: dict[str, tuple[psycopg.Cursor[Any], dict[str, Any]]] = field(default_factory=dict)

    def send_next(self) -> None:
        """Send the next ``depth`` planned queries, unless some are still being answered
        (their answers come together: psycopg waits for all that were sent)."""
        if any(cur.pgresult is None for cur, _ in self.sent.values()):
            return
        count = 0
        while self.planned and count < self.depth:
            name, params = self.planned.pop(0)
            if name not in self.sent:
                self.sent[name] = (self._send(name, params), params)
                count += 1

    def take(self, name: str, params: dict[str, Any]) -> psycopg.Cursor[Any]:
        """A cursor on which ``name`` has been sent: sent ahead, or now (a reader asked
        for a query out of the planned order, or one not planned)."""
        found = self.sent.pop(name, None)
        if found is not None and found[1] == params:
            return found[0]
        if found is not None:
            found[0].close()
        self.planned = [p for p in self.planned if p[0] != name]
        return self._send(name, params)

    def arrived(self, cur: psycopg.Cursor[Any]) -> None:
        """Wait for the answer on ``cur``, then send the next query before its rows are used."""
        if cur.pgresult is None:
            self.pipeline.sync()
        self.send_next()

    def close(self) -> None:
        for cur, _ in self.sent.values():
            cur.close()
        self.sent.clear()

    def _send(self, name: str, params: dict[str, Any]) -> psycopg.Cursor[Any]:
        cur = self.conn.cursor()
        cur.execute(_encoded(name), params)
        return cur


_READING_AHEAD: dict[int, _ReadAhead] = {}
_SECOND: dict[int, SecondConnection] = {}
_NEEDLESS: dict[int, frozenset[str]] = {}


def _shaped(answer: Answer, row_factory: RowFactory[Any]) -> list[Any]:
    """Rows answered on a second connection, as ``row_factory`` would have made them."""
    columns, found = answer
    if row_factory is tuple_row:
        return found
    assert row_factory is dict_row
    return [dict(zip(columns, row, strict=True)) for row in found]


@contextlib.contextmanager
def reading_ahead(
    conn: psycopg.Connection,
    planned: Sequence[tuple[str, dict[str, Any]]],
    second: SecondConnection | None = None,
    needless: frozenset[str] = frozenset(),
    depth: int = 1,
) -> Iterator[None]:
    """While inside, :func:`rows` and :func:`tuples` on ``conn`` send the next of
    ``planned`` (query name, params: in the order they will be asked for) before handing
    over the rows of the current one. A query asked for out of that order still runs,
    only without the overlap; where libpq lacks pipeline mode, nothing changes. Other
    statements on ``conn`` meanwhile wait for what is pending first. The queries
    ``second`` answers are taken from it (see :mod:`catalog.second_connection`); those
    in ``needless`` (left out of ``planned``) find nothing without being sent (see
    :mod:`catalog.census`). ``depth``: how many are sent ahead together
    (:func:`schemactl.catalog.latency.read_ahead_depth`)."""
    _NEEDLESS[id(conn)] = needless
    if second is not None:
        _SECOND[id(conn)] = second.start()
        planned = [query for query in planned if query[0] not in second.names]
    try:
        with _pipelined(conn, planned, depth):
            yield
    finally:
        del _NEEDLESS[id(conn)]
        if second is not None:
            del _SECOND[id(conn)]
            second.close()


def planned_texts(
    planned: Sequence[tuple[str, dict[str, Any]]],
) -> list[tuple[str, dict[str, Any], bytes]]:
    """``planned`` with each query's text, for a second connection to run."""
    return [(name, params, _encoded(name)) for name, params in planned]


@contextlib.contextmanager
def _pipelined(
    conn: psycopg.Connection, planned: Sequence[tuple[str, dict[str, Any]]], depth: int
) -> Iterator[None]:
    if not psycopg.Pipeline.is_supported() or id(conn) in _READING_AHEAD:
        yield
        return
    ahead: _ReadAhead | None = None
    try:
        with conn.pipeline() as pipeline:
            ahead = _READING_AHEAD[id(conn)] = _ReadAhead(conn, pipeline, list(planned), depth)
            ahead.send_next()
            yield
    finally:
        if ahead is not None:
            del _READING_AHEAD[id(conn)]
            ahead.close()
