"""Comparing two databases' schemas independently of schemactl: pg_dump, normalized.

Normalized means: comments and session settings removed, statements sorted,
and inside CREATE TABLE the column lines sorted (column order is physical and
not part of the desired state).
"""

from __future__ import annotations

import functools
import re
import secrets
import subprocess
from pathlib import Path

import psycopg
from psycopg import conninfo, sql

from schemactl.devdb.binaries import find_server_binaries

_NOISE = re.compile(r"^(--.*|SET .*|SELECT pg_catalog\.set_config.*|\\(un)?restrict .*)$")


@functools.cache
def _pg_dump_for(major: int) -> Path:
    """pg_dump of the server's own major version (an older one refuses a newer server)."""
    return find_server_binaries(major=major) / "pg_dump"


def pg_dump_schema(url: str, owners: bool = False) -> str:
    with psycopg.connect(url) as conn:
        pg_dump = _pg_dump_for(conn.info.server_version // 10000)
    ownership = [] if owners else ["--no-owner"]
    result = subprocess.run(
        [str(pg_dump), "--schema-only", *ownership, "--exclude-schema=schemactl", url],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _normalize_statement(statement: str) -> str:
    lines = statement.strip().splitlines()
    if lines and lines[0].startswith("CREATE TABLE") and lines[-1].startswith(")"):
        body = sorted(line.strip().rstrip(",") for line in lines[1:-1])
        return "\n".join([lines[0], *body, lines[-1]])
    return "\n".join(line.rstrip() for line in lines)


def normalized_schema(url: str, owners: bool = False) -> list[str]:
    text = "\n".join(
        line for line in pg_dump_schema(url, owners).splitlines() if not _NOISE.match(line.strip())
    )
    statements = [s for s in re.split(r";\s*\n", text) if s.strip()]
    return sorted(_normalize_statement(s) for s in statements)


def canonical_schema(server_url: str, url: str) -> list[str]:
    """The normalized schema after one more trip through PostgreSQL.

    PostgreSQL's printout is not always a fixpoint (an IN list over varchar
    prints one way when written as IN and another when written as its own
    printout). Loading a dump into a scratch database and dumping it again
    brings two equal schemas to the same text.
    """
    name = f"canon_{secrets.token_hex(5)}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    scratch = conninfo.make_conninfo(server_url, dbname=name)
    try:
        with psycopg.connect(scratch, autocommit=True) as conn:
            script = "\n".join(
                line for line in pg_dump_schema(url).splitlines() if not line.startswith("\\")
            )
            conn.execute(script.encode())
        return normalized_schema(scratch)
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
