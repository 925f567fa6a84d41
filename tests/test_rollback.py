"""Rollback: the newest history entries undone with their recorded down SQL, newest first,
refused when the live schema drifted since or when an entry is not reversible."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.support import Server, catalog_of, comparable, execute, run_cli, write_schema

Capsys = pytest.CaptureFixture[str]


def apply(capsys: Capsys, server: Server, database: str, schema_dir: Path, sql: str) -> None:
    write_schema(schema_dir, sql)
    result = run_cli(
        capsys,
        "apply",
        "--schema",
        str(schema_dir),
        "--database-url",
        database,
        "--dev-url",
        server.url,
        "--auto-approve",
        "--allow-destructive",
    )
    assert result.code == 0, result.stderr


def rollback(capsys: Capsys, database: str, *extra: str):  # type: ignore[no-untyped-def]
    return run_cli(capsys, "rollback", "--database-url", database, *extra)


def entries(database: str) -> list[tuple[str, bool, int | None]]:
    with psycopg.connect(database) as conn:
        return conn.execute(
            "SELECT kind, rolled_back_at IS NOT NULL, rolled_back_by FROM schemactl.history"
            " ORDER BY id"
        ).fetchall()


OLD = """
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users, total numeric(10, 2));
"""
NEW = """
CREATE TABLE users (id int PRIMARY KEY, email varchar(200) NOT NULL UNIQUE, name text DEFAULT '');
CREATE TABLE orders (id bigint PRIMARY KEY, user_id int REFERENCES users ON DELETE CASCADE,
                     total numeric(12, 2) CHECK (total >= 0));
CREATE INDEX orders_user ON orders (user_id);
CREATE TABLE audit (id bigint GENERATED ALWAYS AS IDENTITY, at timestamptz DEFAULT now());
CREATE SEQUENCE invoice_no START 1000;
"""


def test_rollback_right_after_apply_restores_the_schema_it_had_before(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, OLD)
    before = comparable(catalog_of(database))
    apply(capsys, server, database, schema_dir, NEW)
    assert comparable(catalog_of(database)) != before
    result = rollback(capsys, database, "--auto-approve")
    assert result.code == 0, result.stderr
    assert "Rolled back 1 entry" in result.stdout
    assert comparable(catalog_of(database)) == before


def test_rollback_refuses_a_not_reversible_entry_unless_forced(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, "CREATE TABLE t (id int, old text); INSERT INTO t VALUES (1, 'x');")
    before = comparable(catalog_of(database))
    apply(capsys, server, database, schema_dir, "CREATE TABLE t (id int);")
    refused = rollback(capsys, database, "--auto-approve")
    assert refused.code == 1
    assert "NOT REVERSIBLE" in refused.stderr
    assert "dropping column old of public.t deletes its values" in refused.stderr  # which data
    assert "--force" in refused.stderr and "nothing was changed" in refused.stderr
    assert catalog_of(database).tables["public.t"].column("old") is None
    forced = rollback(capsys, database, "--auto-approve", "--force")
    assert forced.code == 0, forced.stderr
    assert comparable(catalog_of(database)) == before


def test_rollback_refuses_when_the_schema_changed_since_and_names_what_changed(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    apply(capsys, server, database, schema_dir, "CREATE TABLE t (id int);")
    execute(database, "ALTER TABLE t ADD COLUMN hand_made int; CREATE TABLE stray (id int);")
    refused = rollback(capsys, database, "--auto-approve")
    assert refused.code == 1
    assert "the live schema changed since apply" in refused.stderr
    assert "tables public.t: changed" in refused.stderr
    assert "tables public.stray: new" in refused.stderr
    assert set(catalog_of(database).tables) == {"public.t", "public.stray"}
    forced = rollback(capsys, database, "--auto-approve", "--force")
    assert forced.code == 0, forced.stderr
    assert set(catalog_of(database).tables) == {"public.stray"}


def test_rollback_steps_undoes_several_applies_newest_first_in_one_go(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    apply(capsys, server, database, schema_dir, "CREATE TABLE a (id int);")
    first = comparable(catalog_of(database))
    apply(capsys, server, database, schema_dir, "CREATE TABLE a (id int, b int);")
    apply(capsys, server, database, schema_dir, "CREATE TABLE a (id bigint, b int);")
    result = rollback(capsys, database, "--steps", "2", "--auto-approve")
    assert result.code == 0, result.stderr
    assert comparable(catalog_of(database)) == first
    assert [(kind, undone) for kind, undone, _ in entries(database)] == [
        ("apply", False),
        ("apply", True),
        ("apply", True),
        ("rollback", False),
    ]
    assert entries(database)[1][2] == entries(database)[2][2] is not None


def test_a_second_rollback_undoes_the_entry_before_not_the_rollback(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    apply(capsys, server, database, schema_dir, "CREATE TABLE a (id int);")
    apply(
        capsys, server, database, schema_dir, "CREATE TABLE a (id int);\nCREATE TABLE b (id int);"
    )
    assert rollback(capsys, database, "--auto-approve").code == 0
    assert set(catalog_of(database).tables) == {"public.a"}
    assert rollback(capsys, database, "--auto-approve").code == 0
    assert catalog_of(database).tables == {}
    nothing = rollback(capsys, database, "--auto-approve")
    assert nothing.code == 1 and "nothing to roll back" in nothing.stderr


def test_rollback_to_a_version_keeps_that_version(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    apply(capsys, server, database, schema_dir, "CREATE TABLE a (id int);")
    with psycopg.connect(database) as conn:
        row = conn.execute("SELECT version FROM schemactl.history").fetchone()
    assert row is not None
    kept = comparable(catalog_of(database))
    apply(capsys, server, database, schema_dir, "CREATE TABLE a (id int, b int);")
    apply(capsys, server, database, schema_dir, "CREATE TABLE a (id int, b int, c int);")
    result = rollback(capsys, database, "--to", row[0], "--auto-approve")
    assert result.code == 0, result.stderr
    assert comparable(catalog_of(database)) == kept
    unknown = rollback(capsys, database, "--to", "19990101000000", "--auto-approve")
    assert unknown.code == 1 and "no applied entry with that version" in unknown.stderr


def test_rollback_asks_for_confirmation_and_refuses_without_a_terminal(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    apply(capsys, server, database, schema_dir, "CREATE TABLE a (id int);")
    result = rollback(capsys, database)
    assert result.code == 1 and "not a terminal" in result.stderr
    assert set(catalog_of(database).tables) == {"public.a"}


def test_rollback_undoes_migrations_and_declarative_applies_alike(
    server: Server, database: str, schema_dir: Path, tmp_path: Path, capsys: Capsys
) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "1_a.up.sql").write_text("CREATE TABLE a (id int);\n")
    (migrations / "1_a.down.sql").write_text("DROP TABLE a;\n")
    assert run_cli(capsys, "migrate", "hash", "--migrations", str(migrations)).code == 0
    args = ["--database-url", database, "--migrations", str(migrations)]
    assert run_cli(capsys, "migrate", "apply", *args).code == 0
    apply(
        capsys, server, database, schema_dir, "CREATE TABLE a (id int);\nCREATE TABLE b (id int);"
    )
    result = rollback(capsys, database, "--steps", "2", "--auto-approve")
    assert result.code == 0, result.stderr
    assert catalog_of(database).tables == {}
    status = run_cli(capsys, "status", *args, "--format", "json")
    assert '"pending": 1' in status.stdout
    assert run_cli(capsys, "migrate", "apply", *args).code == 0
    assert set(catalog_of(database).tables) == {"public.a"}


def test_a_migration_flagged_not_reversible_needs_force(
    database: str, tmp_path: Path, capsys: Capsys
) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "1_a.up.sql").write_text("CREATE TABLE a (id int, gone text);\n")
    (migrations / "1_a.down.sql").write_text("DROP TABLE a;\n")
    (migrations / "2_drop.up.sql").write_text("ALTER TABLE a DROP COLUMN gone;\n")
    (migrations / "2_drop.down.sql").write_text(
        "-- NOT REVERSIBLE: the values of a.gone cannot come back\n"
        "ALTER TABLE a ADD COLUMN gone text;\n"
    )
    assert run_cli(capsys, "migrate", "hash", "--migrations", str(migrations)).code == 0
    args = ["--database-url", database, "--migrations", str(migrations)]
    assert run_cli(capsys, "migrate", "apply", *args).code == 0
    refused = rollback(capsys, database, "--auto-approve")
    assert refused.code == 1
    assert (
        "migration 2_drop is NOT REVERSIBLE: the values of a.gone cannot come back"
        in refused.stderr
    )
    assert rollback(capsys, database, "--auto-approve", "--force").code == 0
    assert catalog_of(database).tables["public.a"].column("gone") is not None


def test_a_failing_down_script_changes_nothing(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    apply(capsys, server, database, schema_dir, "CREATE TABLE a (id int);")
    apply(
        capsys, server, database, schema_dir, "CREATE TABLE a (id int);\nCREATE TABLE b (id int);"
    )
    with psycopg.connect(database) as conn:
        conn.execute(
            "UPDATE schemactl.history SET down_sql = 'DROP TABLE nope;' WHERE id = "
            "(SELECT min(id) FROM schemactl.history)"
        )
    failed = rollback(capsys, database, "--steps", "2", "--auto-approve")
    assert failed.code == 1
    assert 'table "nope" does not exist' in failed.stderr and "nothing was changed" in failed.stderr
    assert set(catalog_of(database).tables) == {"public.a", "public.b"}
    assert [undone for _, undone, _ in entries(database)] == [False, False]
