"""The cache of the normalized desired state: unchanged files are not loaded again, and
a cached state never changes what is planned."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from schemactl import metrics
from schemactl.config import Scope
from schemactl.pipeline import DesiredSource, plan_against
from schemactl.plan import Plan
from tests.support import Server, execute, run_cli, write_schema

Capsys = pytest.CaptureFixture[str]

SCHEMA = """
CREATE TABLE account (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL CHECK (email LIKE '%@%'),
    status varchar(10) NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'active'))
);
CREATE INDEX account_email ON account (lower(email));
"""


@pytest.fixture(autouse=True)
def own_cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("SCHEMACTL_NO_CACHE", raising=False)
    return tmp_path / "cache" / "schemactl" / "desired-state"


def planned(
    server: Server, database: str, schema_dir: Path, cache: bool = True
) -> tuple[Plan, dict[str, int]]:
    recorder = metrics.enable()
    try:
        with psycopg.connect(database, autocommit=True) as conn:
            source = DesiredSource(schema_dir, dev_url=server.url, cache=cache)
            plan = plan_against(conn, source, Scope())
    finally:
        metrics.disable()
    return plan, recorder.counts


def test_unchanged_files_plan_from_the_cache_exactly_as_without_it(
    server: Server, database: str, schema_dir: Path, own_cache_folder: Path
) -> None:
    write_schema(schema_dir, SCHEMA)

    cold, cold_counts = planned(server, database, schema_dir)
    warm, warm_counts = planned(server, database, schema_dir)

    assert "cache_hits" not in cold_counts and warm_counts["cache_hits"] == 1
    assert warm.up_sql() == cold.up_sql() and warm.has_changes
    assert len(list(own_cache_folder.glob("*.state"))) == 1


def test_an_unchanged_database_reads_only_the_target(
    server: Server, database: str, schema_dir: Path
) -> None:
    write_schema(schema_dir, SCHEMA)
    execute(database, SCHEMA)

    planned(server, database, schema_dir)
    plan, counts = planned(server, database, schema_dir)

    assert not plan.has_changes
    assert counts["cache_hits"] == 1 and "cache_hits_needing_dev_database" not in counts
    assert counts["connections"] <= 3  # the target, the dev server's version, its roles


def test_a_changed_file_is_loaded_again(server: Server, database: str, schema_dir: Path) -> None:
    write_schema(schema_dir, SCHEMA)
    planned(server, database, schema_dir)
    write_schema(schema_dir, "CREATE TABLE audit (id int);\n", "audit.sql")

    plan, counts = planned(server, database, schema_dir)

    assert "cache_hits" not in counts
    assert "CREATE TABLE public.audit" in plan.up_sql()


def test_a_damaged_entry_is_never_trusted_and_is_rebuilt(
    server: Server, database: str, schema_dir: Path, own_cache_folder: Path
) -> None:
    write_schema(schema_dir, SCHEMA)
    cold, _ = planned(server, database, schema_dir)
    (entry,) = own_cache_folder.glob("*.state")
    data = entry.read_bytes()
    entry.write_bytes(data[:-10] + b"0123456789")

    plan, counts = planned(server, database, schema_dir)

    assert "cache_hits" not in counts
    assert plan.up_sql() == cold.up_sql()
    assert entry.read_bytes() == data  # written again


# The target's check prints differently from the schema's text: PostgreSQL decides
# whether they are equal by re-creating both in the dev database.
REPRINTED = SCHEMA.replace("status IN ('new', 'active')", "status = ANY (ARRAY['new', 'active'])")


def test_where_the_comparison_asks_something_new_the_dev_database_is_loaded_after_all(
    server: Server, database: str, schema_dir: Path
) -> None:
    write_schema(schema_dir, SCHEMA)
    execute(database, SCHEMA)
    planned(server, database, schema_dir)  # cached, and nothing was asked
    execute(database, "ALTER TABLE account DROP CONSTRAINT account_status_check")
    execute(
        database,
        "ALTER TABLE account ADD CONSTRAINT account_status_check "
        "CHECK (status = ANY (ARRAY['new', 'active']))",
    )
    cold, _ = planned(server, database, schema_dir, cache=False)

    plan, counts = planned(server, database, schema_dir)

    assert counts["cache_hits_needing_dev_database"] == 1
    assert plan.up_sql() == cold.up_sql()


def test_the_dev_databases_answers_are_kept_so_the_same_question_needs_no_dev_database(
    server: Server, database: str, schema_dir: Path, own_cache_folder: Path
) -> None:
    write_schema(schema_dir, SCHEMA)
    execute(database, REPRINTED)
    cold, _ = planned(server, database, schema_dir, cache=False)
    planned(server, database, schema_dir)

    plan, counts = planned(server, database, schema_dir)

    assert counts["cache_hits"] == 1 and "cache_hits_needing_dev_database" not in counts
    assert plan.up_sql() == cold.up_sql()
    assert len(list(own_cache_folder.glob("*.answers"))) == 1


def test_damaged_answers_are_never_trusted_and_are_asked_again(
    server: Server, database: str, schema_dir: Path, own_cache_folder: Path
) -> None:
    write_schema(schema_dir, SCHEMA)
    execute(database, REPRINTED)
    cold, _ = planned(server, database, schema_dir)
    (entry,) = own_cache_folder.glob("*.answers")
    data = entry.read_bytes()
    entry.write_bytes(data[:-10] + b"0123456789")

    plan, counts = planned(server, database, schema_dir)

    assert counts["cache_hits_needing_dev_database"] == 1
    assert plan.up_sql() == cold.up_sql()
    assert entry.read_bytes() == data  # asked and written again


def test_answers_given_after_renames_in_the_dev_database_are_not_kept(
    server: Server, database: str, schema_dir: Path, own_cache_folder: Path
) -> None:
    named = SCHEMA.replace("CHECK (status", "CONSTRAINT status_known CHECK (status")
    renamed = named.replace("account", "customer").replace(
        "CREATE TABLE customer (", "CREATE TABLE customer ( -- @renamed from=account"
    )
    write_schema(schema_dir, renamed)
    execute(
        database,
        named.replace("status IN ('new', 'active')", "status = ANY (ARRAY['new', 'active'])"),
    )

    planned(server, database, schema_dir)

    assert not list(own_cache_folder.glob("*.answers"))


def test_no_cache_loads_the_schema_every_time(
    server: Server, database: str, schema_dir: Path, own_cache_folder: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, SCHEMA)
    args = ["--schema", str(schema_dir), "--database-url", database, "--dev-url", server.url]

    assert run_cli(capsys, "drift", *args, "--no-cache").code == 2
    assert not own_cache_folder.exists() or not list(own_cache_folder.glob("*.state"))
    assert run_cli(capsys, "drift", *args).code == 2
    assert len(list(own_cache_folder.glob("*.state"))) == 1


def test_unchanged_files_are_not_parsed_again(
    server: Server, database: str, schema_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_schema(schema_dir, SCHEMA)
    execute(database, SCHEMA)
    planned(server, database, schema_dir)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the schema folder was parsed again")

    monkeypatch.setattr("schemactl.pipeline.read_desired_source", refuse)
    plan, counts = planned(server, database, schema_dir)

    assert not plan.has_changes
    assert counts["cache_hits"] == 1 and "cache_hits_needing_dev_database" not in counts


def test_a_plan_of_unchanged_files_never_imports_the_parser(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    """pglast is imported when a name of it is first read (source/pglast_modules.py):
    a run that parses nothing does not pay for it."""
    write_schema(schema_dir, SCHEMA + 'CREATE TABLE "select" (id int);\n')
    args = ["plan", "--schema", str(schema_dir), "--database-url", database,
            "--dev-url", server.url, "--format", "sql"]  # fmt: skip
    first = run_cli(capsys, *args)
    assert first.code == 0 and first.stdout, first.stderr
    probe = (
        "import sys, traceback\n"
        "class Watch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'pglast.parser':\n"
        "            traceback.print_stack()\n"
        "sys.meta_path.insert(0, Watch())\n"
        "from schemactl.cli import main\n"
        f"sys.argv = ['schemactl', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('parser imported:', 'pglast.parser' in sys.modules, file=sys.stderr)\n"
    )
    again = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env={**os.environ, "SCHEMACTL_METRICS": "1"},
    )
    assert again.stdout == first.stdout
    assert again.stderr.strip().endswith("parser imported: False"), again.stderr


def test_a_file_broken_after_a_cached_run_is_reported_where_it_breaks(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, SCHEMA)
    args = ["--schema", str(schema_dir), "--database-url", database, "--dev-url", server.url]
    assert run_cli(capsys, "drift", *args).code == 2
    write_schema(schema_dir, SCHEMA + "CREATE TABLEE oops (id int);\n")

    result = run_cli(capsys, "drift", *args)

    assert result.code == 1
    assert "schema.sql:8:8: syntax error" in result.stderr


def test_a_cached_plan_on_the_targets_own_server_sees_the_roles_the_dev_database_needs(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    # The dev database's roles are created on its server before the roles are compared,
    # with or without a cache: on the target's own server they are the target's roles too.
    write_schema(schema_dir, "CREATE ROLE cache_reporting;\n" + SCHEMA)
    args = ["--schema", str(schema_dir), "--database-url", database, "--dev-url", server.url]
    assert run_cli(capsys, "plan", *args).code == 0  # cached
    execute(server.url, "DROP ROLE cache_reporting")

    applied = run_cli(capsys, "apply", *args, "--auto-approve")

    assert applied.code == 0, applied.stderr
    assert run_cli(capsys, "drift", *args).code == 0
    execute(server.url, "DROP ROLE cache_reporting")
