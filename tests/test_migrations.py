"""Versioned migrations: `migrate diff` writes tested files, `migrate apply` runs them in order,
the manifest notices every hand edit, and the repository's own migrations/ stays verifiable."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import psycopg
import pytest

from tests.support import Server, catalog_of, execute, run_cli, write_schema

Capsys = pytest.CaptureFixture[str]
REPO = Path(__file__).resolve().parents[1]


def diff(capsys: Capsys, server: Server, schema: Path, migrations: Path, name: str):  # type: ignore[no-untyped-def]
    return run_cli(
        capsys,
        "migrate",
        "diff",
        name,
        "--schema",
        str(schema),
        "--migrations",
        str(migrations),
        "--dev-url",
        server.url,
    )


def migrate_apply(capsys: Capsys, database: str, migrations: Path, *extra: str):  # type: ignore[no-untyped-def]
    return run_cli(
        capsys,
        "migrate",
        "apply",
        "--database-url",
        database,
        "--migrations",
        str(migrations),
        *extra,
    )


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def ups(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.up.sql"))


def history(database: str) -> list[tuple[object, ...]]:
    with psycopg.connect(database) as conn:
        return conn.execute(
            "SELECT kind, version, name, checksum, state, progress, rolled_back_at IS NOT NULL"
            " FROM schemactl.history ORDER BY id"
        ).fetchall()


@pytest.fixture
def migrations(tmp_path: Path) -> Path:
    return tmp_path / "migrations"


def test_migrate_diff_writes_an_up_and_a_down_script_with_headers_and_a_manifest(
    server: Server, schema_dir: Path, migrations: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL);")
    result = diff(capsys, server, schema_dir, migrations, "Create T")
    assert result.code == 0, result.stderr
    names = files(migrations)
    assert len(names) == 3 and names[-1] == "schemactl.sum"
    up_name, down_name = names[1], names[0]
    assert re.fullmatch(r"\d{14}_create_t\.up\.sql", up_name)
    assert down_name == up_name.replace(".up.", ".down.")
    up = (migrations / up_name).read_text()
    down = (migrations / down_name).read_text()
    assert "-- Changes (2):" in up
    assert "--   + table public.t" in up and "--   + constraint public.t.t_pkey" in up
    assert "-- Hazards: none" in up
    assert "-- Transaction: the whole script runs in one transaction." in up
    assert "tested: after this script it restores the schema" in up
    assert "CREATE TABLE public.t (" in up
    assert "DROP TABLE public.t;" in down and "NOT REVERSIBLE" not in down
    assert "--   data_loss: dropping table public.t deletes all its rows" in down
    manifest = (migrations / "schemactl.sum").read_text()
    assert f"{up_name} sha256:" in manifest and f"{down_name} sha256:" in manifest
    assert "folder sha256:" in manifest


def test_migrate_diff_with_nothing_to_do_writes_nothing_and_exits_0(
    server: Server, schema_dir: Path, migrations: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    assert diff(capsys, server, schema_dir, migrations, "init").code == 0
    before = files(migrations)
    again = diff(capsys, server, schema_dir, migrations, "again")
    assert again.code == 0 and "No changes" in again.stdout
    assert files(migrations) == before


def test_the_next_migration_starts_from_the_replay_of_the_earlier_ones(
    server: Server, schema_dir: Path, migrations: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    assert diff(capsys, server, schema_dir, migrations, "init").code == 0
    write_schema(schema_dir, "CREATE TABLE t (id int, email text);")
    assert diff(capsys, server, schema_dir, migrations, "add email").code == 0
    first, second = ups(migrations)
    assert first.name < second.name and second.name.endswith("_add_email.up.sql")
    body = [line for line in second.read_text().splitlines() if not line.startswith("--")]
    assert [line for line in body if line] == ["ALTER TABLE public.t ADD COLUMN email text;"]


def test_a_dropped_column_makes_the_down_script_not_reversible_and_says_why(
    server: Server, schema_dir: Path, migrations: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int, old text);")
    assert diff(capsys, server, schema_dir, migrations, "init").code == 0
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    result = diff(capsys, server, schema_dir, migrations, "drop old")
    assert result.code == 0 and "NOT REVERSIBLE" in result.stdout
    down = next(migrations.glob("*_drop_old.down.sql")).read_text()
    assert down.startswith(
        "-- NOT REVERSIBLE: drop column public.t.old: dropping column old of public.t deletes "
        "its values; the down script re-creates it empty\n"
    )
    assert "ALTER TABLE public.t ADD COLUMN old text;" in down
    up = next(migrations.glob("*_drop_old.up.sql")).read_text()
    assert "is NOT REVERSIBLE (see its header)" in up


def test_an_online_index_build_is_marked_to_run_outside_a_transaction(
    server: Server, schema_dir: Path, migrations: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int, a int);")
    assert diff(capsys, server, schema_dir, migrations, "init").code == 0
    write_schema(schema_dir, "CREATE TABLE t (id int, a int);\nCREATE INDEX t_a ON t (a);")
    assert diff(capsys, server, schema_dir, migrations, "index a").code == 0
    up = next(migrations.glob("*_index_a.up.sql")).read_text()
    assert "-- schemactl:no-transaction\nCREATE INDEX CONCURRENTLY t_a ON public.t" in up
    assert "-- Transaction: NOT one transaction. Statements marked" in up


def test_migrate_diff_refuses_a_folder_edited_by_hand_until_it_is_rehashed(
    server: Server, schema_dir: Path, migrations: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    assert diff(capsys, server, schema_dir, migrations, "init").code == 0
    up = ups(migrations)[0]
    up.write_text(up.read_text() + "\nCREATE TABLE extra (id int);\n")
    write_schema(schema_dir, "CREATE TABLE t (id int);\nCREATE TABLE extra (id int);")
    refused = diff(capsys, server, schema_dir, migrations, "next")
    assert refused.code == 1
    assert f"{up.name}: edited since schemactl.sum was written" in refused.stderr
    assert "schemactl migrate hash" in refused.stderr
    assert run_cli(capsys, "migrate", "hash", "--migrations", str(migrations)).code == 0
    again = diff(capsys, server, schema_dir, migrations, "next")
    assert again.code == 0 and "No changes" in again.stdout


def test_the_manifest_names_edited_deleted_and_added_files(
    migrations: Path, capsys: Capsys
) -> None:
    migrations.mkdir()
    (migrations / "1_a.up.sql").write_text("CREATE TABLE a (id int);\n")
    (migrations / "1_a.down.sql").write_text("DROP TABLE a;\n")
    (migrations / "2_b.up.sql").write_text("CREATE TABLE b (id int);\n")
    assert run_cli(capsys, "migrate", "hash", "--migrations", str(migrations)).code == 0
    ok = run_cli(capsys, "verify", "--migrations", str(migrations), "--schema", "none")
    assert ok.code == 0, ok.stdout
    (migrations / "1_a.up.sql").write_text("CREATE TABLE a (id bigint);\n")
    (migrations / "2_b.up.sql").unlink()
    (migrations / "3_c.up.sql").write_text("CREATE TABLE c (id int);\n")
    result = run_cli(
        capsys, "verify", "--migrations", str(migrations), "--schema", "none", "--format", "json"
    )
    assert result.code == 2
    assert "1_a.up.sql: edited since schemactl.sum was written" in result.stdout
    assert "2_b.up.sql: listed in schemactl.sum but missing (deleted or renamed)" in result.stdout
    assert "3_c.up.sql: not in schemactl.sum (added or renamed by hand)" in result.stdout


def test_migrate_apply_runs_pending_files_in_order_and_records_each(
    server: Server, database: str, schema_dir: Path, migrations: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    assert diff(capsys, server, schema_dir, migrations, "init").code == 0
    write_schema(schema_dir, "CREATE TABLE t (id int, email text);")
    assert diff(capsys, server, schema_dir, migrations, "email").code == 0
    applied = migrate_apply(capsys, database, migrations)
    assert applied.code == 0, applied.stderr
    assert catalog_of(database).tables["public.t"].column("email") is not None
    first, second = ups(migrations)
    with psycopg.connect(database) as conn:
        rows = conn.execute(
            "SELECT kind, version, name, up_sql, down_sql, checksum, applied_by, client_user,"
            " duration_ms, applied_at, fingerprint, state FROM schemactl.history ORDER BY id"
        ).fetchall()
    assert [(r[0], r[1] + "_" + r[2]) for r in rows] == [
        ("migration", first.name.removesuffix(".up.sql")),
        ("migration", second.name.removesuffix(".up.sql")),
    ]
    for row, up in zip(rows, (first, second), strict=True):
        assert row[3] == up.read_text()
        assert row[4] == up.with_name(up.name.replace(".up.", ".down.")).read_text()
        assert row[5].startswith("sha256:") and row[6] == "postgres" and row[8] >= 0
        assert row[9] is not None and row[10].startswith("sha256:") and row[11] == "applied"
    again = migrate_apply(capsys, database, migrations)
    assert again.code == 0 and "No pending migrations" in again.stdout


def test_migrate_apply_to_a_version_stops_there_and_dry_run_changes_nothing(
    server: Server, database: str, schema_dir: Path, migrations: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE TABLE a (id int);")
    assert diff(capsys, server, schema_dir, migrations, "a").code == 0
    write_schema(schema_dir, "CREATE TABLE a (id int);\nCREATE TABLE b (id int);")
    assert diff(capsys, server, schema_dir, migrations, "b").code == 0
    first = ups(migrations)[0].name.split("_", 1)[0]
    dry = migrate_apply(capsys, database, migrations, "--dry-run")
    assert dry.code == 0 and "2 pending migration(s)" in dry.stdout
    assert "CREATE TABLE public.b" in dry.stdout
    assert catalog_of(database).tables == {}
    assert migrate_apply(capsys, database, migrations, "--to", first).code == 0
    assert set(catalog_of(database).tables) == {"public.a"}
    assert migrate_apply(capsys, database, migrations).code == 0
    assert set(catalog_of(database).tables) == {"public.a", "public.b"}


def test_migrate_apply_refuses_a_file_changed_since_it_was_applied(
    server: Server, database: str, schema_dir: Path, migrations: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    assert diff(capsys, server, schema_dir, migrations, "init").code == 0
    assert migrate_apply(capsys, database, migrations).code == 0
    up = ups(migrations)[0]
    up.write_text(up.read_text().replace("id integer", "id bigint"))
    refused = migrate_apply(capsys, database, migrations)
    assert refused.code == 1 and "edited since schemactl.sum was written" in refused.stderr
    assert run_cli(capsys, "migrate", "hash", "--migrations", str(migrations)).code == 0
    refused = migrate_apply(capsys, database, migrations)
    assert refused.code == 1
    assert f"{up.name} changed since it was applied" in refused.stderr


def test_each_migration_runs_in_its_own_transaction(
    database: str, migrations: Path, capsys: Capsys
) -> None:
    migrations.mkdir()
    (migrations / "1_good.up.sql").write_text("CREATE TABLE good (id int);\n")
    (migrations / "1_good.down.sql").write_text("DROP TABLE good;\n")
    (migrations / "2_bad.up.sql").write_text(
        "CREATE TABLE half (id int);\nCREATE INDEX i ON missing (id);\n"
    )
    (migrations / "2_bad.down.sql").write_text("DROP TABLE half;\n")
    assert run_cli(capsys, "migrate", "hash", "--migrations", str(migrations)).code == 0
    failed = migrate_apply(capsys, database, migrations)
    assert failed.code == 1
    assert '2_bad.up.sql:2: relation "missing" does not exist' in failed.stderr
    assert "1 migration(s) before it were applied" in failed.stderr
    assert set(catalog_of(database).tables) == {"public.good"}
    assert [r[1] for r in history(database)] == ["1"]


def test_a_concurrent_index_runs_outside_a_transaction_and_a_failed_run_resumes(
    database: str, migrations: Path, capsys: Capsys
) -> None:
    migrations.mkdir()
    up = migrations / "1_online.up.sql"
    up.write_text(
        "CREATE TABLE a (x int);\n"
        "CREATE INDEX CONCURRENTLY a_x ON a (x);\n"
        "ALTER TABLE a ADD COLUMN y int REFERENCES missing;\n"
    )
    (migrations / "1_online.down.sql").write_text("DROP TABLE a;\n")
    assert run_cli(capsys, "migrate", "hash", "--migrations", str(migrations)).code == 0
    failed = migrate_apply(capsys, database, migrations)
    assert failed.code == 1 and "2 statement(s) before it were committed" in failed.stderr
    assert "public.a_x" in catalog_of(database).indexes
    assert history(database) == [
        ("migration", "1", "online", history(database)[0][3], "running", 2, False)
    ]
    status = run_cli(capsys, "status", "--database-url", database, "--migrations", str(migrations))
    assert "partly applied" in status.stdout
    up.write_text(up.read_text().replace(" REFERENCES missing", ""))
    assert run_cli(capsys, "migrate", "hash", "--migrations", str(migrations)).code == 0
    resumed = migrate_apply(capsys, database, migrations)
    assert resumed.code == 0, resumed.stderr
    assert "resumed after statement 2" in resumed.stdout
    assert catalog_of(database).tables["public.a"].column("y") is not None
    (row,) = history(database)
    assert row[4:6] == ("applied", 3)


def test_a_failed_concurrent_build_does_not_block_the_retry(
    database: str, migrations: Path, capsys: Capsys
) -> None:
    execute(database, "CREATE TABLE d (x int); INSERT INTO d VALUES (1), (1);")
    migrations.mkdir()
    (migrations / "1_unique.up.sql").write_text("CREATE UNIQUE INDEX CONCURRENTLY d_x ON d (x);\n")
    (migrations / "1_unique.down.sql").write_text("DROP INDEX d_x;\n")
    assert run_cli(capsys, "migrate", "hash", "--migrations", str(migrations)).code == 0
    assert migrate_apply(capsys, database, migrations).code == 1
    assert catalog_of(database).indexes["public.d_x"].valid is False
    execute(database, "DELETE FROM d WHERE ctid = (SELECT max(ctid) FROM d);")
    retried = migrate_apply(capsys, database, migrations)
    assert retried.code == 0, retried.stderr
    assert catalog_of(database).indexes["public.d_x"].valid is True


def test_verify_scripts_must_return_true_and_run_in_a_rolled_back_transaction(
    server: Server, database: str, schema_dir: Path, migrations: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    assert diff(capsys, server, schema_dir, migrations, "init").code == 0
    up = ups(migrations)[0]
    check = up.with_name(up.name.replace(".up.", ".verify."))
    check.write_text(
        "INSERT INTO public.t VALUES (1);\n"
        "SELECT count(*) = 1 FROM public.t;\n"
        "SELECT to_regclass('public.t') IS NOT NULL;\n"
    )
    assert run_cli(capsys, "migrate", "hash", "--migrations", str(migrations)).code == 0
    assert migrate_apply(capsys, database, migrations).code == 0
    args = ["--migrations", str(migrations), "--database-url", database, "--dev-url", server.url]
    ok = run_cli(capsys, "verify", *args, "--schema", str(schema_dir))
    assert ok.code == 0, ok.stdout
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM public.t").fetchone() == (0,)
    check.write_text(check.read_text() + "SELECT count(*) = 5 FROM public.t;\n")
    assert run_cli(capsys, "migrate", "hash", "--migrations", str(migrations)).code == 0
    failed = run_cli(capsys, "verify", *args, "--format", "json")
    assert failed.code == 2
    assert f"{check.name}:4: returned false" in failed.stdout


def test_verify_names_unknown_versions_and_gaps_in_the_history(
    server: Server, database: str, migrations: Path, capsys: Capsys
) -> None:
    migrations.mkdir()
    for version, table in (("1", "a"), ("3", "c")):
        (migrations / f"{version}_{table}.up.sql").write_text(f"CREATE TABLE {table} (id int);\n")
        (migrations / f"{version}_{table}.down.sql").write_text(f"DROP TABLE {table};\n")
    assert run_cli(capsys, "migrate", "hash", "--migrations", str(migrations)).code == 0
    assert migrate_apply(capsys, database, migrations).code == 0
    (migrations / "2_b.up.sql").write_text("CREATE TABLE b (id int);\n")
    (migrations / "3_c.up.sql").rename(migrations / "4_c.up.sql")
    (migrations / "3_c.down.sql").rename(migrations / "4_c.down.sql")
    assert run_cli(capsys, "migrate", "hash", "--migrations", str(migrations)).code == 0
    result = run_cli(
        capsys,
        "verify",
        "--migrations",
        str(migrations),
        "--database-url",
        database,
        "--dev-url",
        server.url,
    )
    assert result.code == 2
    text = " ".join(result.stdout.split())
    assert "3_c: applied, but no such migration in the folder" in text
    assert "live schema: unexpected table public.c" in text
    refused = migrate_apply(capsys, database, migrations)
    assert refused.code == 1 and "migration 3_c was applied" in refused.stderr


def test_the_repository_migrations_match_their_manifest(capsys: Capsys) -> None:
    env = os.environ.pop("DATABASE_URL", None)
    try:
        result = run_cli(capsys, "verify", "--migrations", str(REPO / "migrations"))
    finally:
        if env is not None:
            os.environ["DATABASE_URL"] = env
    assert result.code == 0, result.stdout + result.stderr
    assert list((REPO / "migrations").glob("*.up.sql")), "migrations/ holds no migration"


def test_the_repository_migrations_reach_the_example_schema(
    server: Server, tmp_path: Path, capsys: Capsys
) -> None:
    """After a change to schema/, add its migration:
    schemactl migrate diff <name> --schema schema --migrations migrations"""
    copy = tmp_path / "migrations"
    shutil.copytree(REPO / "migrations", copy)
    result = diff(capsys, server, REPO / "schema", copy, "pending")
    assert result.code == 0, result.stderr
    assert "No changes" in result.stdout, "schema/ changed without a migration:\n" + "\n".join(
        p.read_text() for p in copy.glob("*_pending.up.sql")
    )
