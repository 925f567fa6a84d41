"""Opening connections with errors that never show a password."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import conninfo

from schemactl import metrics
from schemactl.config import password_of, redact_secret
from schemactl.errors import ConnectionFailed

CONNECT_TIMEOUT_SECONDS = 10


class CountingCursor(psycopg.Cursor[Any]):
    """A cursor that counts its statements: each is one round trip to the server (the
    connection's ``execute`` goes through one too). Set on connections while the metrics
    record."""

    def execute(self, *args: Any, **kwargs: Any) -> CountingCursor:
        metrics.count("round_trips")
        super().execute(*args, **kwargs)
        return self

    def executemany(self, *args: Any, **kwargs: Any) -> None:
        metrics.count("round_trips")
        super().executemany(*args, **kwargs)


def describe(url: str) -> str:
    """host:port/dbname of a URL, for messages; never includes credentials."""
    try:
        params = conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "<unparseable database URL>"
    host = params.get("host") or os.environ.get("PGHOST") or "localhost"
    port = params.get("port") or os.environ.get("PGPORT") or "5432"
    dbname = params.get("dbname") or os.environ.get("PGDATABASE") or "?"
    return f"{host}:{port}/{dbname}"


def describe_connection(conn: psycopg.Connection) -> str:
    """host:port/dbname of an open connection, for messages."""
    info = conn.info
    return f"{info.host}:{info.port}/{info.dbname}"


def check_url(url: str, purpose: str) -> None:
    """Refuse URLs that cannot name a database, before connecting."""
    try:
        params = conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise ConnectionFailed(
            f"{purpose}: invalid database URL ({redact_secret(str(exc), password_of(url))})"
        ) from None
    if not params.get("dbname") and not os.environ.get("PGDATABASE"):
        raise ConnectionFailed(f"{purpose}: the database URL names no database")


def connect(url: str, purpose: str = "database", autocommit: bool = True) -> psycopg.Connection:
    """Connect, turning every failure into a one-line, redacted ConnectionFailed.

    Never with server-side prepared statements: through a pooler in transaction
    mode a statement prepared on one backend is unknown to the next, and no
    query of schemactl runs often enough on one connection to gain from them.
    """
    check_url(url, purpose)
    try:
        conn = psycopg.connect(
            url,
            autocommit=autocommit,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            application_name="schemactl",
            prepare_threshold=None,
        )
        return _counted(conn)
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split()) + _tls_advice(str(exc), url)
        for secret in (password_of(url), os.environ.get("PGPASSWORD")):
            reason = redact_secret(reason, secret)
        raise ConnectionFailed(
            f"cannot connect to the {purpose} at {describe(url)}: {reason}"
        ) from None


def another_connection(conn: psycopg.Connection) -> psycopg.Connection:
    """A second connection to the database behind ``conn``, made as ``conn`` was (its
    parameters, the password it used); psycopg.Error where it cannot be made."""
    params = conn.info.get_parameters()
    if conn.info.password:
        params["password"] = conn.info.password
    another = psycopg.connect(
        conninfo.make_conninfo(**params),
        autocommit=True,
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        prepare_threshold=None,
    )
    return _counted(another)


def _counted(conn: psycopg.Connection) -> psycopg.Connection:
    """``conn``, its statements and itself counted while the metrics record."""
    if metrics.enabled():
        conn.cursor_factory = CountingCursor
        metrics.count("connections")
    return conn


DEFAULT_ROOT_CERTIFICATE = "~/.postgresql/root.crt"


def _tls_advice(reason: str, url: str) -> str:
    """What libpq's terse TLS failures mean, where its own words do not say."""
    if "certificate verify failed" not in reason:
        return ""
    try:
        params = conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        params = {}
    root = params.get("sslrootcert") or os.environ.get("PGSSLROOTCERT") or DEFAULT_ROOT_CERTIFICATE
    return (
        f" (the server's certificate is not signed by a certificate in sslrootcert={root}: "
        "point sslrootcert at the certificate authority that signed it, or sslrootcert=system "
        "for the machine's trusted ones)"
    )


@contextmanager
def connection(url: str, purpose: str = "database") -> Iterator[psycopg.Connection]:
    conn = connect(url, purpose)
    try:
        yield conn
    finally:
        conn.close()


def server_version(conn: psycopg.Connection) -> str:
    row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "unknown"


def major_version(conn: psycopg.Connection) -> int:
    return int(conn.info.server_version) // 10000
