"""pg_cron jobs as declarative objects: declared with ``SELECT cron.schedule(...)`` in
schema/, read from the target's ``cron.job``, compared by name.

The suite starts a server with pg_cron preloaded (Debian's postgresql-NN-cron);
the dev database needs no pg_cron: declarations are read from the files.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import conninfo

from schemactl.devdb.embedded import EmbeddedServer
from schemactl.errors import DevDatabaseError
from tests.support import Server, execute, run_cli, write_schema

CRON_DATABASE = "jobs"

TABLES = """
CREATE TABLE payments (id int PRIMARY KEY, status text NOT NULL, expires_at timestamptz);
CREATE MATERIALIZED VIEW payment_counts AS SELECT status, count(*) AS n FROM payments GROUP BY status;
CREATE FUNCTION expire_payments() RETURNS void LANGUAGE sql AS
$$ UPDATE payments SET status = 'expired' WHERE expires_at < now() $$;
"""

REFRESH_HOURLY = (
    "SELECT cron.schedule('refresh-analytics', '0 * * * *', "
    "$$REFRESH MATERIALIZED VIEW payment_counts$$);\n"
)
EXPIRE = "SELECT cron.schedule('expire-payments', '*/5 * * * *', $$SELECT expire_payments()$$);\n"


@pytest.fixture(scope="module")
def cron_server() -> Iterator[str]:
    """A server with pg_cron running in the database ``jobs``."""
    settings = {"shared_preload_libraries": "pg_cron", "cron.database_name": CRON_DATABASE}
    try:
        server = EmbeddedServer(settings=settings)
        server.start()
    except DevDatabaseError as exc:
        pytest.skip(f"pg_cron is not installed for this server: {exc}")
    try:
        with psycopg.connect(server.url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {CRON_DATABASE}")
        with psycopg.connect(server.url_for(CRON_DATABASE), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION pg_cron")
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def target(cron_server: str) -> Iterator[str]:
    """The pg_cron database, emptied of tables and jobs for each test."""
    url = conninfo.make_conninfo(cron_server, dbname=CRON_DATABASE)
    yield url
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DELETE FROM cron.job")
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
        conn.execute("CREATE EXTENSION pg_cron")  # went with the schema it lives in
        conn.execute("DROP TABLE IF EXISTS schemactl.history")


def jobs_of(url: str) -> dict[str, tuple[int, str, str, bool]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT jobname, jobid, schedule, command, active FROM cron.job ORDER BY jobname"
        ).fetchall()
    return {
        name: (jobid, schedule, command, active) for name, jobid, schedule, command, active in rows
    }


def cli(
    capsys: pytest.CaptureFixture[str],
    command: str,
    schema_dir: Path,
    target: str,
    dev: str,
    *extra: str,
):  # type: ignore[no-untyped-def]
    args = ["--schema", str(schema_dir), "--database-url", target, "--dev-url", dev]
    return run_cli(capsys, command, *args, *extra)


def test_a_declared_job_is_created_and_then_in_sync(
    cron_server: str, target: str, schema_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_schema(schema_dir, TABLES + REFRESH_HOURLY)
    applied = cli(capsys, "apply", schema_dir, target, cron_server, "--auto-approve")
    assert applied.code == 0, applied.stderr
    assert "job" in applied.stdout and "refresh-analytics" in applied.stdout
    jobs = jobs_of(target)
    assert jobs["refresh-analytics"][1:] == (
        "0 * * * *",
        "REFRESH MATERIALIZED VIEW payment_counts",
        True,
    )
    assert cli(capsys, "drift", schema_dir, target, cron_server).code == 0


def test_a_new_schedule_alters_the_job_in_place(
    cron_server: str, target: str, schema_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_schema(schema_dir, TABLES + REFRESH_HOURLY + EXPIRE)
    assert cli(capsys, "apply", schema_dir, target, cron_server, "--auto-approve").code == 0
    before = jobs_of(target)
    write_schema(schema_dir, TABLES + REFRESH_HOURLY.replace("0 * * * *", "30 * * * *") + EXPIRE)
    plan = cli(capsys, "plan", schema_dir, target, cron_server, "--format", "sql")
    assert "cron.alter_job" in plan.stdout
    assert "cron.unschedule" not in plan.stdout and "cron.schedule(" not in plan.stdout
    assert cli(capsys, "apply", schema_dir, target, cron_server, "--auto-approve").code == 0
    after = jobs_of(target)
    assert after["refresh-analytics"][0] == before["refresh-analytics"][0], "same job id"
    assert after["refresh-analytics"][1] == "30 * * * *"
    assert after["expire-payments"] == before["expire-payments"]
    assert cli(capsys, "drift", schema_dir, target, cron_server).code == 0


def test_removing_a_job_is_a_named_hazard(
    cron_server: str, target: str, schema_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_schema(schema_dir, TABLES + REFRESH_HOURLY + EXPIRE)
    assert cli(capsys, "apply", schema_dir, target, cron_server, "--auto-approve").code == 0
    write_schema(schema_dir, TABLES + REFRESH_HOURLY)
    refused = cli(capsys, "apply", schema_dir, target, cron_server, "--auto-approve")
    assert refused.code == 1
    assert "job expire-payments: job_removed" in refused.stderr
    assert set(jobs_of(target)) == {"refresh-analytics", "expire-payments"}
    allowed = cli(
        capsys,
        "apply",
        schema_dir,
        target,
        cron_server,
        "--auto-approve",
        "--allow-hazards",
        "job_removed",
    )
    assert allowed.code == 0, allowed.stderr
    assert set(jobs_of(target)) == {"refresh-analytics"}
    assert cli(capsys, "drift", schema_dir, target, cron_server).code == 0


def test_rollback_restores_the_previous_job(
    cron_server: str, target: str, schema_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_schema(schema_dir, TABLES + REFRESH_HOURLY)
    assert cli(capsys, "apply", schema_dir, target, cron_server, "--auto-approve").code == 0
    first = jobs_of(target)
    changed = REFRESH_HOURLY.replace("0 * * * *", "15 3 * * *")
    write_schema(schema_dir, TABLES + changed + EXPIRE)
    assert cli(capsys, "apply", schema_dir, target, cron_server, "--auto-approve").code == 0
    assert set(jobs_of(target)) == {"refresh-analytics", "expire-payments"}
    undone = run_cli(capsys, "rollback", "--database-url", target, "--auto-approve")
    assert undone.code == 0, undone.stderr
    assert jobs_of(target) == first


def test_a_job_without_a_name_is_refused_with_the_remedy(
    target: str, cron_server: str, schema_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_schema(schema_dir, TABLES + "\nSELECT cron.schedule('0 * * * *', 'SELECT 1');\n")
    result = cli(capsys, "plan", schema_dir, target, cron_server)
    assert result.code == 1
    assert "schema.sql:7:1: unnamed pg_cron jobs cannot be compared" in result.stderr
    assert "cron.schedule('job-name', schedule, command)" in result.stderr


def test_a_job_naming_something_the_schema_lacks_is_refused(
    target: str, cron_server: str, schema_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_schema(
        schema_dir,
        TABLES
        + "SELECT cron.schedule('stale', '@daily', 'REFRESH MATERIALIZED VIEW gone_view');\n",
    )
    result = cli(capsys, "plan", schema_dir, target, cron_server)
    assert result.code == 1
    assert "schema.sql:6:1: pg_cron job 'stale': its command names relation gone_view" in (
        result.stderr
    )
    write_schema(schema_dir, TABLES + "SELECT cron.schedule('broken', '@daily', 'SELEC 1');\n")
    result = cli(capsys, "plan", schema_dir, target, cron_server)
    assert result.code == 1
    assert "pg_cron job 'broken': its command does not parse" in result.stderr


def test_jobs_of_other_databases_are_left_alone(
    cron_server: str, target: str, schema_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute(
            "SELECT cron.schedule_in_database('vacuum-other', '@daily', 'VACUUM', 'postgres')"
        )
    write_schema(schema_dir, TABLES + REFRESH_HOURLY)
    assert cli(capsys, "apply", schema_dir, target, cron_server, "--auto-approve").code == 0
    assert set(jobs_of(target)) == {"refresh-analytics", "vacuum-other"}
    assert cli(capsys, "drift", schema_dir, target, cron_server).code == 0


def test_an_inactive_job_in_another_database(
    cron_server: str, target: str, schema_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    declared = (
        "SELECT cron.schedule_in_database(job_name := 'nightly', schedule := '0 3 * * *', "
        "command := 'VACUUM ANALYZE', database := 'postgres', active := false);\n"
    )
    write_schema(schema_dir, TABLES + declared)
    assert cli(capsys, "apply", schema_dir, target, cron_server, "--auto-approve").code == 0
    with psycopg.connect(target) as conn:
        row = conn.execute(
            "SELECT database, active FROM cron.job WHERE jobname = 'nightly'"
        ).fetchone()
    assert row == ("postgres", False)
    assert cli(capsys, "drift", schema_dir, target, cron_server).code == 0


def test_a_target_without_pg_cron_gets_a_warning_not_a_job(
    server: Server, database: str, schema_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_schema(schema_dir, TABLES + REFRESH_HOURLY)
    plan = cli(capsys, "plan", schema_dir, database, server.url)
    assert plan.code == 0, plan.stderr
    assert "pg_cron is not installed in the target database" in " ".join(plan.stdout.split())
    assert "cron.schedule" not in plan.stdout
    assert cli(capsys, "apply", schema_dir, database, server.url, "--auto-approve").code == 0
    assert cli(capsys, "drift", schema_dir, database, server.url).code == 0


EXAMPLE = Path(__file__).resolve().parents[1] / "schema"


def test_the_example_schedules_its_jobs_and_its_upkeep_job_is_not_drift(
    cron_server: str,
    target: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where pg_cron runs, the example's analytics refresh and partition upkeep are
    scheduled; the partitions the upkeep job makes are the rule's own, not drift."""
    with psycopg.connect(cron_server, autocommit=True) as conn:
        for role in ("app_user", "app_admin"):
            conn.execute(
                f"DO $$ BEGIN CREATE ROLE {role}; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
            )
    monkeypatch.setenv("SCHEMACTL_NOW", "2027-02-10")
    applied = cli(capsys, "apply", EXAMPLE, target, cron_server, "--auto-approve")
    assert applied.code == 0, applied.stderr
    assert {name: job[1] for name, job in jobs_of(target).items()} == {
        "partition-upkeep": "0 0 1 * *",
        "refresh-analytics": "0 * * * *",
    }
    with psycopg.connect(target, autocommit=True) as conn:
        made = conn.execute("SELECT ensure_user_behavior_log_partitions(8)").fetchone()
    assert made and made[0] >= 1, "the job made partitions beyond what the rule made"
    assert cli(capsys, "drift", EXAMPLE, target, cron_server).code == 0


def test_a_dump_writes_the_jobs_as_declarations_and_plans_empty(
    cron_server: str, target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    execute(target, TABLES + REFRESH_HOURLY + EXPIRE)
    folder = tmp_path / "dumped"
    dumped = run_cli(capsys, "dump", "--database-url", target, "--out", str(folder))
    assert dumped.code == 0, dumped.stderr
    jobs = (folder / "jobs.sql").read_text()
    assert "SELECT cron.schedule('expire-payments', '*/5 * * * *'," in jobs
    assert "SELECT cron.schedule('refresh-analytics', '0 * * * *'," in jobs
    planned = cli(capsys, "plan", folder, target, cron_server, "--exit-code")
    assert planned.code == 0, planned.stdout + planned.stderr
