"""Acceptance run: two concurrent applies of a 200-table schema through PgBouncer.

Starts a throwaway server and a real PgBouncer in transaction mode in front of it,
then, round after round, gives each round a fresh database and starts two
``schemactl apply`` processes at once: half the rounds without ``--wait-lock``
(the loser must fail saying another apply holds the lock), half with it (the
loser must wait, then find nothing to do). After each round: exactly one apply
entry in the history, all tables there, ``drift`` through the pooler exits 0.
Prints one line per round and a summary; exits 1 if any round misbehaved.

    python bench/pooler_race.py [--rounds 10] [--tables 200]
"""

from __future__ import annotations

import argparse
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import conninfo, sql

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.pgbouncer import PgBouncer  # noqa: E402
from tests.test_poolers import many_tables, run_together  # noqa: E402

from schemactl.devdb.embedded import EmbeddedServer  # noqa: E402

LOCK_MESSAGE = "error: another schemactl apply is running on this database"


def scalar(url: str, query: str) -> object:
    with psycopg.connect(url) as conn:
        row = conn.execute(query.encode()).fetchone()
        return row[0] if row else None


def one_round(server: str, bouncer: PgBouncer, tables: int, wait: bool, folder: Path) -> str:
    """Run one race; return '' when it behaved, else what went wrong."""
    name = f"race_{secrets.token_hex(4)}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        database = conninfo.make_conninfo(server, dbname=name)
        pooled = bouncer.url_for(database)
        schema = folder / "schema"
        schema.mkdir(exist_ok=True)
        (schema / "tables.sql").write_text(many_tables(tables))
        args = ["apply", "--schema", str(schema), "--database-url", pooled]
        args += ["--dev-url", server, "--auto-approve"] + (["--wait-lock"] if wait else [])
        outcomes = run_together(folder, args, args)
        applied = [o for o in outcomes if o.code == 0 and "Applied" in o.stdout]
        others = [o for o in outcomes if o not in applied]
        problems = []
        if len(applied) != 1 or len(others) != 1:
            problems.append(f"codes {[o.code for o in outcomes]}")
        elif wait and not (others[0].code == 0 and "No changes" in others[0].stdout):
            problems.append(f"waiting loser said: {others[0].stdout[-300:]}{others[0].stderr}")
        elif not wait and not others[0].stderr.startswith(LOCK_MESSAGE):
            problems.append(f"loser said: {others[0].stderr.strip()}")
        history = scalar(database, "SELECT count(*) FROM schemactl.history")
        created = scalar(database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        if history != 1 or created != tables:
            problems.append(f"history {history}, tables {created}")
        drift = subprocess.run(
            [sys.executable, "-m", "schemactl", "drift", "--schema", str(schema)]
            + ["--database-url", pooled, "--dev-url", server],
            capture_output=True,
            text=True,
        )
        if drift.returncode != 0:
            problems.append(f"drift exit {drift.returncode}")
        return "; ".join(problems)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10, help="rounds per mode")
    parser.add_argument("--tables", type=int, default=200)
    args = parser.parse_args()
    failures = 0
    with EmbeddedServer() as server, PgBouncer(server.url) as bouncer:
        for wait in (False, True):
            for index in range(args.rounds):
                started = time.monotonic()
                with tempfile.TemporaryDirectory() as folder:
                    problem = one_round(server.url, bouncer, args.tables, wait, Path(folder))
                mode = "--wait-lock" if wait else "fail-fast "
                verdict = "ok" if not problem else f"FAILED: {problem}"
                print(f"{mode} round {index + 1:2d}: {verdict} ({time.monotonic() - started:.1f}s)")
                failures += bool(problem)
    total = 2 * args.rounds
    print(f"{total - failures} of {total} rounds: one apply, loser said why, drift 0")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
