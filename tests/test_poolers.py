"""Through a connection pooler in transaction mode (a real PgBouncer the suite starts):
schemactl notices the pooling, holds its lock inside the one transaction that does the
work, refuses what cannot run in it, and two applies never interleave."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import conninfo

from schemactl import metrics
from schemactl.apply.lock import ADVISORY_LOCK_KEY
from schemactl.db import connect
from schemactl.pooler import detect_pooling, hint_for, known_poolers
from schemactl.profiles import available_profiles, load_profile
from tests.pgbouncer import PgBouncer
from tests.support import Server, catalog_of, comparable, execute, run_cli, write_schema

Capsys = pytest.CaptureFixture[str]
TABLES = 200


def many_tables(count: int = TABLES) -> str:
    """``count`` tables, each with a key, a few columns, an index and a foreign key to the
    one before: a schema whose apply takes long enough for a second one to run into it."""
    parts = []
    for i in range(count):
        reference = f",\n    parent_id bigint REFERENCES t{i - 1:03d}" if i else ""
        parts.append(
            f"CREATE TABLE t{i:03d} (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
            f"    name text NOT NULL,\n    created_at timestamptz NOT NULL DEFAULT now()"
            f"{reference}\n);\nCREATE INDEX t{i:03d}_created_idx ON t{i:03d} (created_at);\n"
        )
    return "\n".join(parts)


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str


def run_together(folder: Path, *commands: list[str]) -> list[Outcome]:
    """Start every ``schemactl`` command at once and wait for all. Output goes to files:
    a process blocked on a full pipe would never give up the lock the others wait for."""
    started = []
    for index, args in enumerate(commands):
        out, err = folder / f"{index}.out", folder / f"{index}.err"
        with out.open("w") as stdout, err.open("w") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", "schemactl", *args],
                stdout=stdout,
                stderr=stderr,
                stdin=subprocess.DEVNULL,
            )
        started.append((process, out, err))
    for process, _, _ in started:
        process.wait(timeout=300)
    return [Outcome(int(p.returncode), o.read_text(), e.read_text()) for p, o, e in started]


def history_rows(url: str) -> int:
    with psycopg.connect(url) as conn:
        if conn.execute("SELECT to_regclass('schemactl.history')").fetchone() == (None,):
            return 0
        row = conn.execute("SELECT count(*) FROM schemactl.history").fetchone()
        return int(row[0]) if row else 0


def args_for(schema_dir: Path, target: str, server: Server) -> list[str]:
    return ["--schema", str(schema_dir), "--database-url", target, "--dev-url", server.url]


def test_a_transaction_pooler_is_recognized_by_its_behaviour(
    server: Server, database: str, pgbouncer: PgBouncer
) -> None:
    pooled_url = pgbouncer.url_for(database)
    with connect(pooled_url) as conn:
        pooling = detect_pooling(conn, pooled_url)
    assert pooling.transaction_pooled
    assert "transactions change backends" in pooling.describe()
    with connect(database) as conn:
        assert not detect_pooling(conn, database).transaction_pooled


def test_a_session_pooler_keeps_the_session_lock(server: Server, database: str) -> None:
    with PgBouncer(server.url, pool_mode="session") as bouncer:
        url = bouncer.url_for(database)
        with connect(url) as conn:
            assert not detect_pooling(conn, url).transaction_pooled


def test_the_platforms_pooled_addresses_are_known_with_their_direct_connection() -> None:
    neon = hint_for(
        "postgresql://app@ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech/neondb"
    )
    assert neon is not None and neon.mode == "transaction"
    assert "ep-cool-darkness-123456.us-east-2.aws.neon.tech" in neon.direct_connection(
        "ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech", 5432
    )
    supavisor = hint_for("postgresql://postgres.ref@aws-0-eu-west-1.pooler.supabase.com:6543/db")
    assert supavisor is not None and supavisor.mode == "transaction"
    assert "port 5432" in supavisor.direct_connection("aws-0-eu-west-1.pooler.supabase.com", 6543)
    session = hint_for("postgresql://postgres.ref@aws-0-eu-west-1.pooler.supabase.com:5432/db")
    assert session is not None and session.mode == "session"
    bouncer = hint_for("host=db.internal port=6432 dbname=app")
    assert bouncer is not None and bouncer.name == "PgBouncer" and bouncer.mode == "behaviour"
    assert hint_for("postgresql://app@db.internal:5432/app") is None


def test_schemactl_never_prepares_statements_on_the_server(database: str) -> None:
    with connect(database) as conn:
        assert conn.prepare_threshold is None


def test_two_concurrent_applies_of_200_tables_through_pgbouncer_never_interleave(
    server: Server, database: str, schema_dir: Path, tmp_path: Path, pgbouncer: PgBouncer
) -> None:
    write_schema(schema_dir, many_tables())
    pooled = pgbouncer.url_for(database)
    args = ["apply", *args_for(schema_dir, pooled, server), "--auto-approve"]
    outcomes = run_together(tmp_path, args, args)
    assert sorted(o.code for o in outcomes) == [0, 1], outcomes
    winner, loser = sorted(outcomes, key=lambda o: o.code)
    assert "Applied" in winner.stdout and "pg_advisory_xact_lock" in winner.stdout
    assert loser.stderr.startswith("error: another schemactl apply is running on this database")
    assert "transaction that plans and applies" in loser.stderr and "--wait-lock" in loser.stderr
    assert len(catalog_of(database).tables) == TABLES
    assert history_rows(database) == 1
    drift = subprocess.run(
        [sys.executable, "-m", "schemactl", "drift", *args_for(schema_dir, pooled, server)],
        capture_output=True,
        text=True,
    )
    assert drift.returncode == 0, drift.stdout + drift.stderr


def test_with_wait_lock_the_second_apply_through_pgbouncer_waits_then_finds_nothing_to_do(
    server: Server, database: str, schema_dir: Path, tmp_path: Path, pgbouncer: PgBouncer
) -> None:
    write_schema(schema_dir, many_tables())
    pooled = pgbouncer.url_for(database)
    args = ["apply", *args_for(schema_dir, pooled, server), "--auto-approve", "--wait-lock"]
    outcomes = run_together(tmp_path, args, args)
    assert [o.code for o in outcomes] == [0, 0], outcomes
    assert sum("Applied" in o.stdout for o in outcomes) == 1
    assert sum("No changes" in o.stdout for o in outcomes) == 1
    assert history_rows(database) == 1
    assert len(catalog_of(database).tables) == TABLES


def test_a_direct_apply_holding_the_lock_stops_an_apply_through_the_pooler(
    server: Server, database: str, schema_dir: Path, pgbouncer: PgBouncer, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE TABLE audit (id int);")
    pooled = pgbouncer.url_for(database)
    with psycopg.connect(database, autocommit=True) as direct:
        direct.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
        result = run_cli(capsys, "apply", *args_for(schema_dir, pooled, server), "--auto-approve")
    assert result.code == 1
    assert "another schemactl apply is running" in result.stderr
    assert "public.audit" not in catalog_of(database).tables


def test_online_steps_are_refused_through_the_pooler_naming_the_direct_connection(
    server: Server, database: str, schema_dir: Path, pgbouncer: PgBouncer, capsys: Capsys
) -> None:
    execute(database, "CREATE TABLE events (id int PRIMARY KEY, kind text);")
    before = comparable(catalog_of(database))
    write_schema(
        schema_dir,
        "CREATE TABLE events (id int PRIMARY KEY, kind text);\n"
        "CREATE INDEX events_kind_idx ON events (kind);\n",
    )
    pooled = pgbouncer.url_for(database)
    refused = run_cli(capsys, "apply", *args_for(schema_dir, pooled, server), "--auto-approve")
    assert refused.code == 1
    assert "refusing to apply through" in refused.stderr
    assert "create index public.events_kind_idx: runs outside any transaction" in refused.stderr
    assert "connect directly instead: PostgreSQL itself" in refused.stderr
    assert "--no-online" in refused.stderr
    assert comparable(catalog_of(database)) == before
    assert history_rows(database) == 0

    offline = run_cli(
        capsys, "apply", *args_for(schema_dir, pooled, server), "--auto-approve", "--no-online"
    )
    assert offline.code == 0, offline.stderr
    assert "public.events_kind_idx" in catalog_of(database).indexes


def test_a_failing_apply_through_the_pooler_changes_nothing(
    server: Server, database: str, schema_dir: Path, pgbouncer: PgBouncer, capsys: Capsys
) -> None:
    execute(
        database,
        "CREATE TABLE people (id int PRIMARY KEY, email text); INSERT INTO people VALUES (1, NULL);",
    )
    before = comparable(catalog_of(database))
    write_schema(
        schema_dir,
        "CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL);\nCREATE TABLE audit (id int);\n",
    )
    pooled = pgbouncer.url_for(database)
    # Preflight would refuse before anything runs; here the server refuses, mid-transaction.
    result = run_cli(
        capsys, "apply", *args_for(schema_dir, pooled, server), "--auto-approve", "--no-online",
        "--no-preflight",
    )  # fmt: skip
    assert result.code == 1
    assert "nothing changed" in result.stderr
    assert comparable(catalog_of(database)) == before
    assert history_rows(database) == 0


def test_apply_through_the_pooler_runs_under_set_local_role(
    server: Server, database: str, schema_dir: Path, pgbouncer: PgBouncer, capsys: Capsys
) -> None:
    dbname = conninfo.conninfo_to_dict(database)["dbname"]
    execute(server.url, "DROP ROLE IF EXISTS pooled_deployer; CREATE ROLE pooled_deployer NOLOGIN")
    execute(
        database,
        f'GRANT CREATE ON DATABASE "{dbname}" TO pooled_deployer;'
        " GRANT CREATE ON SCHEMA public TO pooled_deployer;",
    )
    write_schema(schema_dir, "CREATE TABLE owned (id int);")
    pooled = pgbouncer.url_for(database)
    result = run_cli(
        capsys,
        "apply",
        *args_for(schema_dir, pooled, server),
        "--auto-approve",
        "--role",
        "pooled_deployer",
    )
    assert result.code == 0, result.stderr
    with psycopg.connect(database) as conn:
        owner = conn.execute(
            "SELECT tableowner FROM pg_tables WHERE tablename = 'owned'"
        ).fetchone()
        applied_by = conn.execute("SELECT applied_by FROM schemactl.history").fetchone()
        # The role lasted the transaction only: nothing is left on the pooled backends.
    assert owner == ("pooled_deployer",) and applied_by == ("pooled_deployer",)
    with psycopg.connect(pooled, autocommit=True, prepare_threshold=None) as conn:
        for _ in range(8):
            assert conn.execute("SELECT current_user").fetchone() == ("postgres",)


def test_migrate_apply_and_rollback_through_pgbouncer(
    server: Server,
    database: str,
    schema_dir: Path,
    tmp_path: Path,
    pgbouncer: PgBouncer,
    capsys: Capsys,
) -> None:
    migrations = tmp_path / "migrations"
    for name, text in (
        ("trips", "CREATE TABLE trips (id int PRIMARY KEY);"),
        (
            "stops",
            "CREATE TABLE trips (id int PRIMARY KEY);\nCREATE TABLE stops (trip_id int REFERENCES trips);",
        ),
    ):
        write_schema(schema_dir, text)
        written = run_cli(
            capsys,
            "migrate",
            "diff",
            name,
            "--schema",
            str(schema_dir),
            "--migrations",
            str(migrations),
            "--dev-url",
            server.url,
        )
        assert written.code == 0, written.stderr
    pooled = pgbouncer.url_for(database)
    migrate = ["migrate", "apply", "--database-url", pooled, "--migrations", str(migrations)]
    with psycopg.connect(database, autocommit=True) as direct:
        direct.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
        held = run_cli(capsys, *migrate)
    assert held.code == 1 and "another schemactl apply is running" in held.stderr
    assert history_rows(database) == 0

    applied = run_cli(capsys, *migrate)
    assert applied.code == 0, applied.stderr
    assert "pg_advisory_xact_lock" in applied.stdout and "Applied 2 migration(s)" in applied.stdout
    assert {"public.trips", "public.stops"} <= set(catalog_of(database).tables)

    rolled = run_cli(capsys, "rollback", "--database-url", pooled, "--auto-approve")
    assert rolled.code == 0, rolled.stderr
    assert "public.stops" not in catalog_of(database).tables
    assert history_rows(database) == 3


def test_every_pooler_a_platform_profile_names_is_known() -> None:
    known = {hint.name for hint in known_poolers()}
    for name in available_profiles():
        assert set(load_profile(name).poolers) <= known, name


def test_a_large_catalog_read_through_the_pooler_shares_one_snapshot_on_two_connections(
    database: str, pgbouncer: PgBouncer, monkeypatch: pytest.MonkeyPatch
) -> None:
    execute(database, many_tables(20))
    direct = catalog_of(database)
    monkeypatch.setattr("schemactl.catalog.second_connection.WORTH_IT_RELATIONS", 0)
    recorder = metrics.enable()
    try:
        pooled = catalog_of(pgbouncer.url_for(database))
    finally:
        metrics.disable()
    assert recorder.counts["second_connection_answers"] > 0
    assert repr(pooled) == repr(direct)
