"""``schemactl fleet``: one schema applied across many databases (or tenant schemas).

Each target is an ordinary plan or apply: its own lock, transaction and history
row. The desired state is loaded once; targets that are behind or drifted get
their own plans; a failing target leaves the others alone, and running the
command again finishes the job.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import conninfo, sql

from tests.support import Server, execute, run_cli, write_schema

V1 = "CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL);\n"
V2 = V1 + "CREATE TABLE invoices (id int PRIMARY KEY, account_id int REFERENCES accounts (id));\n"


@pytest.fixture
def fleet_of(server: Server) -> Iterator[object]:
    """``fleet_of(n)``: n new empty databases; all dropped after the test."""
    made: list[str] = []

    def make(count: int) -> list[str]:
        urls = []
        with psycopg.connect(server.url, autocommit=True) as conn:
            for _ in range(count):
                name = f"f_{secrets.token_hex(5)}"
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                made.append(name)
                urls.append(conninfo.make_conninfo(server.url, dbname=name))
        return urls

    yield make
    with psycopg.connect(server.url, autocommit=True) as conn:
        for name in made:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def targets_file(tmp_path: Path, urls: list[str]) -> Path:
    path = tmp_path / "targets.txt"
    path.write_text("# the fleet\n\n" + "\n".join(urls) + "\n")
    return path


def history_rows(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = (
            conn.execute(
                "SELECT count(*) FROM schemactl.history WHERE to_regclass('schemactl.history') IS NOT NULL"
            ).fetchone()
            if _has_history(conn)
            else (0,)
        )
    return int(row[0]) if row else 0


def _has_history(conn: psycopg.Connection) -> bool:
    row = conn.execute("SELECT to_regclass('schemactl.history') IS NOT NULL").fetchone()
    return bool(row and row[0])


def has_table(url: str, name: str) -> bool:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()
    return bool(row and row[0])


def fleet(capsys: pytest.CaptureFixture[str], command: str, *args: str):  # type: ignore[no-untyped-def]
    return run_cli(capsys, "fleet", command, *args)


def test_apply_brings_every_target_to_the_schema_whatever_state_it_was_in(
    server: Server, fleet_of, schema_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = fleet_of(5)
    execute(urls[1], V1)  # behind: only the first table
    execute(urls[2], V1 + "ALTER TABLE accounts ADD COLUMN note text;")  # drifted
    write_schema(schema_dir, V2)
    common = ["--targets", str(targets_file(tmp_path, urls)), "--schema", str(schema_dir),
              "--dev-url", server.url]  # fmt: skip

    planned = fleet(capsys, "plan", *common, "--format", "json")
    assert planned.code == 2, planned.stderr
    report = json.loads(planned.stdout)
    assert [t["state"] for t in report["targets"]] == ["changes"] * 5
    assert len({t["plan_id"] for t in report["targets"]}) == 3, "new, behind, drifted"

    applied = fleet(capsys, "apply", *common, "--auto-approve", "--parallel", "3",
                    "--allow-hazards", "data_loss", "--format", "json")  # fmt: skip
    assert applied.code == 0, applied.stdout + applied.stderr
    report = json.loads(applied.stdout)
    assert report["summary"] == {"applied": 5}
    assert sum(t["differs_from_canary"] for t in report["targets"]) >= 2
    assert all(has_table(url, "invoices") for url in urls)
    assert [history_rows(url) for url in urls] == [1] * 5

    drift = fleet(capsys, "drift", *common)
    assert drift.code == 0, drift.stdout
    assert "5 in sync" in drift.stdout
    again = fleet(capsys, "apply", *common, "--auto-approve")
    assert again.code == 0 and "5 no changes" in again.stdout
    assert [history_rows(url) for url in urls] == [1] * 5


def test_a_failing_target_leaves_the_others_alone_and_a_second_run_finishes(
    server: Server, fleet_of, schema_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = fleet_of(4)
    execute(urls[3], V1 + "CREATE TABLE legacy (id int); INSERT INTO legacy VALUES (1);")
    write_schema(schema_dir, V2)
    common = ["--targets", str(targets_file(tmp_path, urls)), "--schema", str(schema_dir),
              "--dev-url", server.url, "--auto-approve", "--parallel", "2"]  # fmt: skip
    holder = psycopg.connect(urls[2], autocommit=True)
    try:
        holder.execute("SELECT pg_advisory_lock(%s)", (int.from_bytes(b"schemact", "big"),))
        first = fleet(capsys, "apply", *common, "--format", "json")
    finally:
        holder.close()
    assert first.code == 1
    states = {t["target"]: t for t in json.loads(first.stdout)["targets"]}
    by_url = [
        states[next(k for k in states if k.endswith(conninfo.conninfo_to_dict(u)["dbname"]))]
        for u in urls
    ]
    assert [t["state"] for t in by_url] == ["applied", "applied", "failed", "failed"]
    assert "another schemactl apply is running" in by_url[2]["error"]
    assert "data_loss" in by_url[3]["error"] and "legacy" in by_url[3]["error"]
    assert not has_table(urls[2], "invoices") and not has_table(urls[3], "invoices")

    second = fleet(capsys, "apply", *common, "--allow-hazards", "data_loss")
    assert second.code == 0, second.stdout
    assert "2 applied" in second.stdout and "2 no changes" in second.stdout
    assert all(has_table(url, "invoices") for url in urls)


def test_a_failed_canary_stops_the_rest(
    server: Server, fleet_of, schema_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = fleet_of(3)
    execute(urls[0], "CREATE TABLE legacy (id int)")
    write_schema(schema_dir, V1)
    result = fleet(capsys, "apply", "--targets", str(targets_file(tmp_path, urls)),
                   "--schema", str(schema_dir), "--dev-url", server.url, "--auto-approve",
                   "--canary", "1")  # fmt: skip
    assert result.code == 1
    assert "1 failed, 2 skipped" in result.stdout
    assert "a canary failed" in result.stdout
    assert not any(has_table(url, "accounts") for url in urls)


def test_schema_per_tenant_brings_every_tenant_schema_to_the_same_shape(
    server: Server,
    database: str,
    schema_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenants = [f"tenant_{i:02d}" for i in range(50)]
    execute(database, "".join(f"CREATE SCHEMA {t};" for t in tenants))
    execute(database, "CREATE TABLE tenant_07.accounts (id int PRIMARY KEY)")  # one is behind
    write_schema(schema_dir, V2 + "CREATE INDEX invoices_account_idx ON invoices (account_id);\n")
    (tmp_path / "schemactl.toml").write_text(
        '[fleet.tenants]\nurl_env = "TENANTS_URL"\nschemas = "tenant_%"\n'
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TENANTS_URL", database)
    common = ["--fleet", "tenants", "--schema", str(schema_dir), "--dev-url", server.url]
    applied = fleet(capsys, "apply", *common, "--auto-approve", "--parallel", "4")
    assert applied.code == 0, applied.stdout + applied.stderr
    assert "50 applied" in applied.stdout
    with psycopg.connect(database) as conn:
        shapes = conn.execute(
            "SELECT table_schema, count(*) FROM information_schema.columns "
            "WHERE table_schema LIKE 'tenant_%' GROUP BY 1"
        ).fetchall()
        foreign_keys = conn.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' "
            "AND confrelid::regclass::text LIKE 'tenant_%.accounts'"
        ).fetchone()
    assert sorted(n for _, n in shapes) == [4] * 50
    assert foreign_keys == (50,)
    drift = fleet(capsys, "drift", *common)
    assert drift.code == 0, drift.stdout
    assert "50 in sync" in drift.stdout


def test_a_targets_file_may_not_hold_a_password(
    tmp_path: Path, schema_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "targets.txt"
    path.write_text("postgresql://app@db1/app\npostgresql://app:s3cret@db2/app\n")
    write_schema(schema_dir, V1)
    result = fleet(capsys, "plan", "--targets", str(path), "--schema", str(schema_dir))
    assert result.code == 1
    assert "targets.txt:2: a target URL holds a password" in result.stderr
    assert "s3cret" not in result.stderr + result.stdout


def test_status_and_migrate_apply_across_the_fleet(
    server: Server, fleet_of, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = fleet_of(3)
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "20260101000000_accounts.up.sql").write_text(V1)
    (migrations / "20260101000000_accounts.down.sql").write_text("DROP TABLE accounts;\n")
    assert run_cli(capsys, "migrate", "hash", "--migrations", str(migrations)).code == 0
    common = ["--targets", str(targets_file(tmp_path, urls)), "--migrations", str(migrations)]
    status = fleet(capsys, "status", *common, "--format", "json")
    assert status.code == 0
    assert [t["detail"]["pending"] for t in json.loads(status.stdout)["targets"]] == [1, 1, 1]
    applied = fleet(capsys, "migrate-apply", *common, "--format", "markdown")
    assert applied.code == 0, applied.stdout
    assert "| target | state | steps | notes |" in applied.stdout
    assert applied.stdout.count("| applied | 1 |") == 3
    status = fleet(capsys, "status", *common, "--format", "json")
    assert [t["detail"]["pending"] for t in json.loads(status.stdout)["targets"]] == [0, 0, 0]


def test_sigkill_leaves_every_target_applied_or_untouched(
    server: Server, fleet_of, schema_dir: Path, tmp_path: Path
) -> None:
    urls = fleet_of(12)
    # Each apply holds its transaction for a moment, so the kill lands mid-fleet.
    slow = V2 + (
        "CREATE FUNCTION pause() RETURNS int LANGUAGE sql AS $$ SELECT 1 FROM pg_sleep(0.4) $$;\n"
        "CREATE TABLE slow (id int DEFAULT pause());\n"
    )
    write_schema(schema_dir, slow)
    args = [sys.executable, "-m", "schemactl", "fleet", "apply",
            "--targets", str(targets_file(tmp_path, urls)), "--schema", str(schema_dir),
            "--dev-url", server.url, "--auto-approve", "--parallel", "2", "--canary", "0"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(has_table(u, "invoices") for u in urls):
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    time.sleep(0.5)  # the server notices the dead client and rolls its transactions back
    applied = [has_table(url, "invoices") for url in urls]
    for url, done in zip(urls, applied, strict=True):
        assert has_table(url, "accounts") == done and has_table(url, "slow") == done
        assert history_rows(url) == (1 if done else 0)
    assert any(applied), "the kill came after at least one target finished"
    assert not all(applied), "the kill came before the fleet finished"
