"""Step 5 of the corpus property: rolling back brings T back to the schema of ``old.sql``.

Right after the apply, ``schemactl rollback --auto-approve`` (no --force) must
either restore T, compared independently of schemactl (pg_dump of T against a
fresh database loaded with setup + old, normalized), or refuse the entry as NOT
REVERSIBLE. A refusal is right only when the apply really dropped data: the SQL
it ran (read from the history table) drops a table, a column or a sequence. An
apply that dropped data must be refused. For refused cases the rollback is
forced and whether the schema came back is recorded too.

Set ``SCHEMACTL_ROLLBACK_REPORT`` to a file path to get one JSON line per case.
"""

from __future__ import annotations

import json
import os
import re

import psycopg
import pytest
from psycopg import sql

from tests.conformance.corpus import Case
from tests.conformance.dump import canonical_schema, normalized_schema
from tests.support import run_cli

REPORT_ENV = "SCHEMACTL_ROLLBACK_REPORT"
REVERSIBLE = "reversible"
NOTHING_APPLIED = "nothing applied (old and new are the same schema)"
FLAGGED_RESTORED = "not reversible (flag right); --force restores the schema"
FLAGGED_NOT_RESTORED = "not reversible (flag right); --force does not restore the schema"

# Statements that destroy stored data: what only a NOT REVERSIBLE rollback may follow.
_DATA_DROP = re.compile(
    r"^\s*(DROP\s+(TABLE|SEQUENCE)\b|ALTER\s+TABLE\b[^;]*\bDROP\s+COLUMN\b)",
    re.I | re.M,
)


# A table rebuilt in place (made partitioned, say) has its rows copied aside first and
# back after: its DROP TABLE drops no data.
_SET_ASIDE = re.compile(
    r"^\s*CREATE\s+TABLE\s+\S+\s+AS\s+SELECT\s+\*\s+FROM\s+(?:ONLY\s+)?([^;\s]+);",
    re.I | re.M,
)
_DROPPED_TABLE = re.compile(r"\s*DROP\s+TABLE\s+([^;\s]+)", re.I)


def dropped_data(up_sql: str) -> list[str]:
    """The statements of ``up_sql`` that drop a table, a column or a sequence (a table
    whose rows were copied aside to be copied back is not dropped data)."""
    kept = {m.group(1) for m in _SET_ASIDE.finditer(up_sql)}
    found = []
    for match in _DATA_DROP.finditer(up_sql):
        table = _DROPPED_TABLE.match(up_sql, match.start())
        if table is None or table.group(1) not in kept:
            found.append(match.group(0).strip())
    return found


def _last_apply_sql(url: str) -> str | None:
    """The SQL of the newest apply; None when the apply found nothing to change."""
    with psycopg.connect(url) as conn:
        if conn.execute("SELECT to_regclass('schemactl.history')").fetchone() == (None,):
            return None
        row = conn.execute(
            "SELECT up_sql FROM schemactl.history WHERE kind = 'apply' ORDER BY id DESC LIMIT 1"
        ).fetchone()
    return None if row is None else str(row[0])


def _same_schema(server_url: str, url: str, old: str) -> bool:
    if normalized_schema(url) == normalized_schema(old):
        return True
    return canonical_schema(server_url, url) == canonical_schema(server_url, old)


def _old_database(server_url: str, database: str, case: Case) -> str:
    name = psycopg.conninfo.conninfo_to_dict(database)["dbname"] + "_o"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    url = psycopg.conninfo.make_conninfo(database, dbname=name)
    with psycopg.connect(url, autocommit=True) as conn:
        for part in (case.setup_sql(), case.old_sql()):
            if part.strip():
                conn.execute(part.encode())
    return url


def _drop(server_url: str, url: str) -> None:
    name = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def check_rollback(
    case: Case, server_url: str, database: str, capsys: pytest.CaptureFixture[str]
) -> str:
    """Roll T back after the apply; assert the property; return the outcome's name."""
    up_sql = _last_apply_sql(database)
    old = _old_database(server_url, database, case)
    try:
        if up_sql is None:
            assert _same_schema(server_url, database, old), "no changes applied, yet T differs"
            return NOTHING_APPLIED
        drops = dropped_data(up_sql)
        rolled = run_cli(capsys, "rollback", "--database-url", database, "--auto-approve")
        if rolled.code == 0:
            assert not drops, f"the apply dropped data but rollback was not refused: {drops}"
            assert _same_schema(server_url, database, old), "rollback did not restore old.sql"
            return REVERSIBLE
        assert "NOT REVERSIBLE" in rolled.stderr, rolled.stderr
        assert drops, f"flagged NOT REVERSIBLE, yet the apply dropped no data: {rolled.stderr}"
        forced = run_cli(
            capsys, "rollback", "--database-url", database, "--auto-approve", "--force"
        )
        assert forced.code == 0, forced.stderr
        restored = _same_schema(server_url, database, old)
        return FLAGGED_RESTORED if restored else FLAGGED_NOT_RESTORED
    finally:
        _drop(server_url, old)


def write_rollback_report(case: Case, outcome: str, major: int) -> None:
    path = os.environ.get(REPORT_ENV)
    if path:
        line = json.dumps({"case": case.id, "major": major, "rollback": outcome})
        with open(path, "a") as report:  # one short append: whole lines from every worker
            report.write(line + "\n")
