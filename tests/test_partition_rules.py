"""Rolling partitions: a rule beside PARTITION BY RANGE keeps partitions ahead of time.

The clock is always stated (``SCHEMACTL_NOW`` / ``--now``), never the wall clock:
the same schema planned at two moments is two different upkeeps.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.support import Server, execute, run_cli, write_schema

EVENTS = """
CREATE TABLE users (id int PRIMARY KEY);
-- schemactl:partition interval=1 month premake=2 retain=3 months
CREATE TABLE events (
    id bigint GENERATED ALWAYS AS IDENTITY,
    user_id int NOT NULL REFERENCES users (id),
    at timestamptz NOT NULL,
    PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE INDEX events_user_idx ON events (user_id, at);
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON events TO events_reader;
CREATE TABLE events_default PARTITION OF events DEFAULT;
"""


def partitions_of(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'events'::regclass ORDER BY 1"
        ).fetchall()
    return [r[0] for r in rows]


def count(url: str, query: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(query.encode()).fetchone()
    return int(row[0]) if row else 0


def schemactl(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    now: str,
    command: str,
    server: Server,
    database: str,
    schema_dir: Path,
    *extra: str,
):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SCHEMACTL_NOW", now)
    args = ["--schema", str(schema_dir), "--database-url", database]
    if command != "partitions":
        args += ["--dev-url", server.url]
    return run_cli(capsys, command, *args, *extra)


@pytest.fixture
def events_schema(schema_dir: Path, server: Server) -> Path:
    execute(
        server.url,
        "DO $$ BEGIN CREATE ROLE events_reader; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
    )
    write_schema(schema_dir, EVENTS)
    return schema_dir


def test_premake_creates_the_partitions_due_with_the_parents_rls_and_grants(
    server: Server,
    database: str,
    events_schema: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = lambda *a: schemactl(capsys, monkeypatch, "2027-03-15", *a)  # noqa: E731
    applied = run("apply", server, database, events_schema, "--auto-approve")
    assert applied.code == 0, applied.stderr
    assert partitions_of(database) == [
        "events_2026_12", "events_2027_01", "events_2027_02", "events_2027_03",
        "events_2027_04", "events_2027_05", "events_default",
    ]  # fmt: skip
    assert count(database, "SELECT count(*) FROM pg_class WHERE relname = 'events_2027_05' "
                 "AND relrowsecurity") == 1  # fmt: skip
    assert count(database, "SELECT count(*) FROM information_schema.role_table_grants "
                 "WHERE table_name = 'events_2027_05' AND grantee = 'events_reader'") == 1  # fmt: skip
    assert run("drift", server, database, events_schema).code == 0


def test_rows_waiting_in_default_move_into_their_new_partition(
    server: Server,
    database: str,
    events_schema: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    january = lambda *a: schemactl(capsys, monkeypatch, "2027-01-10", *a)  # noqa: E731
    assert january("apply", server, database, events_schema, "--auto-approve").code == 0
    execute(database, "INSERT INTO users VALUES (1), (2)")
    execute(
        database,
        "INSERT INTO events (user_id, at) SELECT 1 + g % 2, "
        "timestamptz '2027-01-01 00:00+00' + g * interval '1 hour' FROM generate_series(0, 3000) g",
    )
    in_default = count(database, "SELECT count(*) FROM ONLY events_default")
    assert in_default > 0, "April and May rows wait in DEFAULT before their partitions exist"
    total = count(database, "SELECT count(*) FROM events")

    march = lambda *a: schemactl(capsys, monkeypatch, "2027-03-15", *a)  # noqa: E731
    plan = march("plan", server, database, events_schema)
    assert "data_move" in plan.stdout
    applied = march("apply", server, database, events_schema, "--auto-approve")
    assert applied.code == 0, applied.stderr
    assert count(database, "SELECT count(*) FROM events") == total
    assert count(database, "SELECT count(*) FROM ONLY events_default") == 0
    assert count(database, "SELECT count(*) FROM ONLY events_2027_04") > 0
    assert march("drift", server, database, events_schema).code == 0


def test_retention_detaches_expired_partitions_and_keeps_their_rows(
    server: Server,
    database: str,
    events_schema: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    january = lambda *a: schemactl(capsys, monkeypatch, "2027-01-10", *a)  # noqa: E731
    assert january("apply", server, database, events_schema, "--auto-approve").code == 0
    execute(database, "INSERT INTO users VALUES (1)")
    execute(
        database, "INSERT INTO events (user_id, at) VALUES (1, '2026-10-05'), (1, '2026-11-05')"
    )

    june = lambda *a: schemactl(capsys, monkeypatch, "2027-06-15", *a)  # noqa: E731
    applied = june("apply", server, database, events_schema, "--auto-approve")
    assert applied.code == 0, applied.stderr
    assert "DETACH PARTITION" in applied.stdout
    assert partitions_of(database)[0] == "events_2027_03"
    assert count(database, "SELECT count(*) FROM events_2026_10") == 1, "detached, rows kept"
    assert june("drift", server, database, events_schema).code == 0
    assert "No changes" in june("plan", server, database, events_schema).stdout or (
        june("plan", server, database, events_schema, "--exit-code").code == 0
    )


def test_a_partition_a_job_made_ahead_of_time_is_not_drift(
    server: Server,
    database: str,
    events_schema: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    march = lambda *a: schemactl(capsys, monkeypatch, "2027-03-15", *a)  # noqa: E731
    assert march("apply", server, database, events_schema, "--auto-approve").code == 0
    execute(
        database,
        "CREATE TABLE events_2027_09 PARTITION OF events "
        "FOR VALUES FROM ('2027-09-01 00:00+00') TO ('2027-10-01 00:00+00')",
    )
    assert march("drift", server, database, events_schema).code == 0
    assert "events_2027_09" in partitions_of(database)


def test_expire_drop_needs_data_loss_allowed(
    server: Server,
    database: str,
    schema_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    execute(
        server.url,
        "DO $$ BEGIN CREATE ROLE events_reader; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
    )
    write_schema(schema_dir, EVENTS.replace("retain=3 months", "retain=3 months expire=drop"))
    january = lambda *a: schemactl(capsys, monkeypatch, "2027-01-10", *a)  # noqa: E731
    assert january("apply", server, database, schema_dir, "--auto-approve").code == 0
    june = lambda *a: schemactl(capsys, monkeypatch, "2027-06-15", *a)  # noqa: E731
    refused = june("apply", server, database, schema_dir, "--auto-approve")
    assert refused.code == 1
    assert "drop table public.events_2026_10: data_loss" in refused.stderr
    allowed = june(
        "apply", server, database, schema_dir, "--auto-approve", "--allow-hazards", "data_loss"
    )
    assert allowed.code == 0, allowed.stderr
    assert partitions_of(database)[0] == "events_2027_03"
    assert count(database, "SELECT count(*) FROM pg_class WHERE relname = 'events_2026_10'") == 0


def test_the_partitions_command_does_only_the_upkeep_and_rolls_back(
    server: Server,
    database: str,
    events_schema: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    january = lambda *a: schemactl(capsys, monkeypatch, "2027-01-10", *a)  # noqa: E731
    assert january("apply", server, database, events_schema, "--auto-approve").code == 0
    before = partitions_of(database)
    execute(database, "COMMENT ON TABLE users IS 'edited by hand'")  # not upkeep: left alone
    upkeep = schemactl(
        capsys, monkeypatch, "2027-01-10", "partitions", server, database, events_schema,
        "--now", "2027-04-02", "--auto-approve",
    )  # fmt: skip
    assert upkeep.code == 0, upkeep.stderr
    after = partitions_of(database)
    assert "events_2027_06" in after and "events_2026_10" not in after
    assert (
        count(database, "SELECT count(*) FROM pg_description WHERE description = 'edited by hand'")
        == 1
    )
    undone = run_cli(capsys, "rollback", "--database-url", database, "--auto-approve")
    assert undone.code == 0, undone.stderr
    assert partitions_of(database) == before


def test_a_rule_needs_a_range_key_of_one_time_column(
    server: Server,
    database: str,
    schema_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_schema(
        schema_dir,
        "-- schemactl:partition interval=1 month\n"
        "CREATE TABLE t (region text, n int) PARTITION BY LIST (region);\n",
    )
    result = schemactl(capsys, monkeypatch, "2027-01-01", "plan", server, database, schema_dir)
    assert result.code == 1
    assert "schema.sql:1:1: a partition rule needs a table PARTITION BY RANGE" in result.stderr
    write_schema(
        schema_dir,
        "-- schemactl:partition interval=fortnight\nCREATE TABLE t (at date) PARTITION BY RANGE (at);\n",
    )
    result = schemactl(capsys, monkeypatch, "2027-01-01", "plan", server, database, schema_dir)
    assert result.code == 1
    assert "interval='fortnight' is not 'N day|week|month|year'" in result.stderr
