"""Rehearsal: the transactional steps run on the target inside a transaction that is
always rolled back. It reports the step that would fail, or that all would succeed;
the target stays byte-identical (pg_dump, row counts), even when the rehearsal is
killed half-way."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from tests.support import Server, execute, pg_dump_of, run_cli, write_schema

pytestmark = pytest.mark.version_matrix  # once per PostgreSQL major version (tests/conftest.py)
Capsys = pytest.CaptureFixture[str]
ROOT = Path(__file__).resolve().parents[1]

POPULATED = """
CREATE TABLE users (id int PRIMARY KEY, name text, email varchar(100));
INSERT INTO users SELECT n, 'user ' || n, NULL FROM generate_series(1, 200) AS n;
CREATE TABLE orders (id int, user_id int, total numeric(10,2));
INSERT INTO orders SELECT n, 1 + n % 200, n FROM generate_series(1, 500) AS n;
"""


def dump(url: str) -> str:
    """The whole database as pg_dump prints it: schema and data. (Recent pg_dump brackets
    its output with a random \\restrict key, the one thing that differs between runs.)"""
    pg_dump = pg_dump_of(url)
    result = subprocess.run(
        [str(pg_dump), "--no-owner", "--dbname", url], capture_output=True, text=True, check=True
    )
    lines = result.stdout.splitlines()
    return "\n".join(line for line in lines if not line.startswith(("\\restrict", "\\unrestrict")))


def row_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT oid::regclass::text FROM pg_class WHERE relkind IN ('r', 'p') "
            "AND relnamespace = 'public'::regnamespace ORDER BY 1"
        )]  # fmt: skip
        return {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables}  # type: ignore[index]


def args_for(server: Server, database: str, schema_dir: Path) -> list[str]:
    return ["--schema", str(schema_dir), "--database-url", database, "--dev-url", server.url]


def test_a_rehearsal_that_succeeds_says_so_and_changes_nothing(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, POPULATED)
    before, counts = dump(database), row_counts(database)
    write_schema(
        schema_dir,
        "CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL, email text,"
        " created timestamptz DEFAULT now());"
        "CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users,"
        " total numeric(12,2) CHECK (total >= 0));"
        "CREATE INDEX orders_user ON orders (user_id);"
        "CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;",
    )
    result = run_cli(capsys, "apply", *args_for(server, database, schema_dir), "--rehearse")
    assert result.code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert (
        "Rehearsal: all" in text
        and "transactional step(s) succeeded on the target and were rolled back" in text
    )
    # orders_user and the new key's index are built CONCURRENTLY, outside a transaction;
    # the key made of that index cannot be rehearsed without it
    assert (
        "2 step(s) that run outside a transaction were not rehearsed,"
        " nor 1 that use the indexes they build" in text
    )
    assert "takes the same locks as apply (lock_timeout 5s)" in " ".join(result.stderr.split())
    assert dump(database) == before
    assert row_counts(database) == counts
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT to_regclass('schemactl.history')").fetchone() == (None,)


def test_a_failing_step_is_named_with_its_error_and_nothing_is_committed(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, POPULATED + "UPDATE users SET name = NULL WHERE id = 7;")
    before, counts = dump(database), row_counts(database)
    write_schema(
        schema_dir,
        "CREATE TABLE users (id int PRIMARY KEY, name text, email varchar(200));"
        "CREATE TABLE orders (id int, user_id int, total numeric(10,2));"
        "ALTER TABLE users ALTER COLUMN name SET NOT NULL;",
    )
    args = [*args_for(server, database, schema_dir), "--rehearse", "--no-online"]
    result = run_cli(capsys, "apply", *args)
    assert result.code == 1
    error = " ".join(result.stderr.split())
    assert re.search(
        r"rehearsal: step \d `ALTER TABLE public.users ALTER COLUMN name SET NOT NULL;` would fail",
        error,
    )
    assert 'column "name" of relation "users" contains null values (SQLSTATE 23502)' in error
    assert "before it succeeded; all of it was rolled back" in error
    assert dump(database) == before
    assert row_counts(database) == counts
    # plan --rehearse reports the same, and fails the same way.
    planned = run_cli(capsys, "plan", *args)
    assert planned.code == 1
    assert "would fail" in planned.stderr


def test_the_rehearsal_runs_under_lock_timeout(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, POPULATED)
    before = dump(database)
    write_schema(
        schema_dir,
        "CREATE TABLE users (id int PRIMARY KEY, name text, email text);"
        "CREATE TABLE orders (id int, user_id int, total numeric(10,2));",
    )
    with psycopg.connect(database) as holder:
        holder.execute("LOCK TABLE users IN ACCESS SHARE MODE")  # a long reader
        args = [*args_for(server, database, schema_dir), "--rehearse", "--lock-timeout", "200ms"]
        result = run_cli(capsys, "plan", *args)
        holder.rollback()
    assert result.code == 1
    assert "canceling statement due to lock timeout (SQLSTATE 55P03)" in " ".join(
        result.stderr.split()
    )
    assert dump(database) == before


def test_a_rehearsal_killed_half_way_commits_nothing(
    server: Server, database: str, schema_dir: Path
) -> None:
    slow = (
        "CREATE FUNCTION slow_ok(int) RETURNS boolean LANGUAGE sql "
        "AS 'SELECT pg_sleep(0.1) IS NOT NULL';"
    )
    execute(database, POPULATED + slow)
    before, counts = dump(database), row_counts(database)
    write_schema(
        schema_dir,
        slow + "CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL, email text"
        " CHECK (public.slow_ok(id)));"
        "CREATE TABLE orders (id int, user_id int, total numeric(10,2));",
    )
    command = [
        sys.executable, "-m", "schemactl", "apply", *args_for(server, database, schema_dir),
        "--rehearse", "--no-preflight", "--no-online",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )  # fmt: skip
    try:
        backend = _wait_for_statement(database, "%slow_ok%")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    _wait_until_gone(database, backend)
    assert dump(database) == before
    assert row_counts(database) == counts


def _wait_for_statement(url: str, pattern: str, timeout: float = 60) -> int:
    """The pid of the backend running a statement like ``pattern`` (once it runs)."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'schemactl' "
                "AND state = 'active' AND query LIKE %s AND datname = current_database()",
                (pattern,),
            ).fetchone()
            if row:
                # The step is running inside the rehearsal's transaction: it has written.
                time.sleep(0.5)
                return int(row[0])
            time.sleep(0.05)
    raise AssertionError(f"no statement like {pattern} started")


def _wait_until_gone(url: str, pid: int, timeout: float = 60) -> None:
    """PostgreSQL ends a backend whose client died once its statement notices."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            if (
                conn.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
                is None
            ):
                return
            time.sleep(0.1)
    raise AssertionError(f"backend {pid} is still there")


def test_steps_that_name_an_index_built_concurrently_wait_for_it(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    """The index is built outside a transaction, so not in the rehearsal: its comment is
    not rehearsed either, where it would fail for want of the index."""
    execute(database, "CREATE TABLE t (id int); CREATE TABLE t_note_idx_log (id int);")
    write_schema(
        schema_dir,
        "CREATE TABLE t (id int, note text); CREATE INDEX t_note_idx ON t (note);"
        "COMMENT ON INDEX t_note_idx IS 'notes';"
        "CREATE TABLE t_note_idx_log (id int, seen bool);",
    )
    result = run_cli(capsys, "apply", *args_for(server, database, schema_dir), "--rehearse")
    assert result.code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert (
        "1 step(s) that run outside a transaction were not rehearsed,"
        " nor 1 that use the indexes they build" in text
    )


@pytest.mark.parametrize(
    "desired",
    [
        'CREATE TABLE "A b" (id int, tenant int NOT NULL DEFAULT 1, PRIMARY KEY (tenant, id));'
        'CREATE TABLE o (a_id int, tenant int NOT NULL DEFAULT 1, FOREIGN KEY (tenant, a_id) REFERENCES "A b");',
        'CREATE TABLE "A b" (id int PRIMARY KEY, code text, CONSTRAINT "the code" UNIQUE (code));'
        'CREATE TABLE o (a_id int REFERENCES "A b", code text REFERENCES "A b" (code));',
    ],
    ids=["replaced-key", "new-key"],
)
def test_foreign_keys_over_a_key_whose_index_is_built_concurrently_wait_for_it(
    server: Server, database: str, schema_dir: Path, capsys: Capsys, desired: str
) -> None:
    """A foreign key names no index, but stands on the unique index of the columns it
    references: where that index is built concurrently, outside the rehearsal, the
    foreign key waits for it too."""
    execute(
        database,
        'CREATE TABLE "A b" (id int PRIMARY KEY); CREATE TABLE o (a_id int REFERENCES "A b");',
    )
    write_schema(schema_dir, desired)
    result = run_cli(capsys, "apply", *args_for(server, database, schema_dir), "--rehearse")
    assert result.code == 0, result.stderr
    assert "that use the indexes they build" in " ".join(result.stdout.split())


def test_a_partitioned_tables_new_key_waits_for_its_partitions_keys(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    """Rehearsed without the partitions' keys (built concurrently, outside it), the
    partitioned table's key would build every partition's index under its lock: it
    names the keys it adopts, and waits for them."""
    events = (
        "CREATE TABLE ev (id bigint NOT NULL, at date NOT NULL{key}) PARTITION BY RANGE (at);"
        "CREATE TABLE ev_1 PARTITION OF ev FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');"
    )
    execute(database, events.format(key="") + "INSERT INTO ev VALUES (1, '2026-02-02');")
    write_schema(schema_dir, events.format(key=", PRIMARY KEY (id, at)"))
    result = run_cli(capsys, "apply", *args_for(server, database, schema_dir), "--rehearse")
    assert result.code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "1 step(s) that run outside a transaction were not rehearsed, nor 2 that use" in text
