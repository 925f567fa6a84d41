"""Is a connection pooled per transaction, and where is the direct connection?

A pooler in transaction mode (PgBouncer, Supavisor, Neon's pooler) runs each
transaction on whichever server connection is free. Whatever outlives a
transaction on the server (a session advisory lock, ``SET``, a prepared
statement) stays behind on a backend that other clients use next, and the
client's next transaction may run elsewhere. Commands that change a target ask
here first, and then keep everything that matters inside one transaction.

Two kinds of evidence: the address (ports and host names of known poolers,
kept as data in ``poolers.toml``), and behaviour (a second client is handed the
backend our last transaction ran on, or our next transaction runs on another
backend). Behaviour catches poolers the data file does not know.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import psycopg
from psycopg import conninfo

from schemactl.db import connect
from schemactl.errors import ConnectionFailed

TRANSACTION = "transaction"
SESSION = "session"
BEHAVIOUR = "behaviour"
DEFAULT_PORT = 5432
UNKNOWN_POOLER = "a connection pooler in transaction mode"
UNKNOWN_DIRECT = "PostgreSQL itself rather than the pooler"


@dataclass(frozen=True)
class PoolerHint:
    """One entry of ``poolers.toml``: how to recognize a pooler by its address."""

    name: str
    mode: str
    direct: str = ""
    host_suffix: str | None = None
    host_contains: str | None = None
    port: int | None = None
    direct_host_replace: tuple[str, str] | None = None

    def matches(self, host: str, port: int) -> bool:
        host = host.lower()
        return (
            (self.host_suffix is None or host.endswith(self.host_suffix.lower()))
            and (self.host_contains is None or self.host_contains.lower() in host)
            and (self.port is None or self.port == port)
        )

    def direct_connection(self, host: str, port: int) -> str:
        direct_host = host
        if self.direct_host_replace:
            old, new = self.direct_host_replace
            direct_host = host.replace(old, new, 1)
        return self.direct.format(host=host, port=port, direct_host=direct_host)


@cache
def known_poolers() -> tuple[PoolerHint, ...]:
    text = resources.files("schemactl").joinpath("poolers.toml").read_text()
    entries: list[dict[str, Any]] = tomllib.loads(text).get("pooler", [])
    hints = []
    for entry in entries:
        replace = entry.get("direct_host_replace")
        hints.append(
            PoolerHint(
                name=str(entry["name"]),
                mode=str(entry["mode"]),
                direct=str(entry.get("direct", "")),
                host_suffix=entry.get("host_suffix"),
                host_contains=entry.get("host_contains"),
                port=int(entry["port"]) if "port" in entry else None,
                direct_host_replace=(str(replace[0]), str(replace[1])) if replace else None,
            )
        )
    return tuple(hints)


@dataclass(frozen=True)
class Pooling:
    """What schemactl knows about the way a target connection is pooled."""

    transaction_pooled: bool
    pooler: str = ""  # its name, when known
    direct: str = ""  # where the direct connection is
    evidence: str = ""  # why we think so, for messages

    def describe(self) -> str:
        """ "PgBouncer (backend changed between transactions)", for messages."""
        name = self.pooler or UNKNOWN_POOLER
        return f"{name} ({self.evidence})" if self.evidence else name


DIRECT = Pooling(transaction_pooled=False)


def _address(url: str) -> tuple[str, int]:
    params = conninfo.conninfo_to_dict(url)
    host = str(params.get("host") or os.environ.get("PGHOST") or "localhost").split(",")[0]
    port_text = str(params.get("port") or os.environ.get("PGPORT") or DEFAULT_PORT).split(",")[0]
    try:
        port = int(port_text)
    except ValueError:
        port = DEFAULT_PORT
    return host, port


def hint_for(url: str) -> PoolerHint | None:
    """The first known pooler whose address matches the URL's."""
    host, port = _address(url)
    return next((hint for hint in known_poolers() if hint.matches(host, port)), None)


def _backend_pid(conn: psycopg.Connection) -> int:
    row = conn.execute("SELECT pg_backend_pid()").fetchone()
    return int(row[0]) if row else 0


def hands_backends_around(conn: psycopg.Connection, url: str) -> bool:
    """Whether transactions of ``conn`` run on backends that other clients share.

    ``conn`` must be idle in autocommit mode. Its last transaction's backend is
    free again once it ends; a second client opening a transaction then gets
    that very backend from a transaction pooler (never from PostgreSQL itself,
    nor from a session pooler, where ``conn`` keeps it). Where the pooler hands
    the second client another one, our next transaction may move instead.
    """
    first = _backend_pid(conn)
    try:
        other = connect(url, "target database (pooler check)")
    except ConnectionFailed:
        # No second connection to spare (a full server): our next transaction alone tells.
        return _backend_pid(conn) != first
    try:
        with other.transaction():
            if _backend_pid(other) == first:
                return True
    finally:
        other.close()
    return _backend_pid(conn) != first


def detect_pooling(conn: psycopg.Connection, url: str) -> Pooling:
    """How the target behind ``conn`` (opened from ``url``) is pooled."""
    hint = hint_for(url)
    host, port = _address(url)
    if hint is not None and hint.mode == SESSION:
        return DIRECT
    if hint is not None and hint.mode == TRANSACTION:
        return Pooling(
            True, hint.name, hint.direct_connection(host, port), f"address {host}:{port}"
        )
    if not hands_backends_around(conn, url):
        return DIRECT
    return Pooling(
        True,
        hint.name if hint else "",
        hint.direct_connection(host, port) if hint and hint.direct else UNKNOWN_DIRECT,
        "its transactions change backends",
    )
