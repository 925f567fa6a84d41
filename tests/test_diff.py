"""``schemactl diff``: any two sources, the plan engine, no apply.

A source is a database URL or a schema folder. From a database to a folder, diff
is plan; between two databases, or a folder and a database either way, it agrees
with plan on the same pair.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.support import Server, catalog_of, comparable, execute, run_cli, write_schema

Capsys = pytest.CaptureFixture[str]

OLD = """
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, fullname text);
CREATE INDEX users_email_idx ON users (email);
"""

NEW = """
CREATE TABLE users (
    id bigint PRIMARY KEY,
    email text NOT NULL,
    status varchar(10) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked'))
);
CREATE UNIQUE INDEX users_email_idx ON users (lower(email));
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));
CREATE VIEW active_users AS SELECT id, email FROM users WHERE status = 'active';
"""


def json_of(capsys: Capsys, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli(capsys, *args, "--format", "json")
    assert result.stderr == "", result.stderr
    return result.code, json.loads(result.stdout)


def plan_json(capsys: Capsys, server: Server, database: str, folder: Path) -> dict[str, Any]:
    """plan's JSON without preflight: diff compares schemas, it does not ask the rows."""
    code, plan = json_of(
        capsys, "plan", "--schema", str(folder), "--database-url", database,
        "--dev-url", server.url, "--no-preflight",
    )  # fmt: skip
    assert code == 0
    return plan


def diff_json(
    capsys: Capsys, server: Server, origin: str, destination: str, *extra: str
) -> tuple[int, dict[str, Any]]:
    return json_of(
        capsys, "diff", "--from", origin, "--to", destination, "--dev-url", server.url, *extra
    )


def folder_with(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    write_schema(folder, text)
    return folder


def sql_of(steps: list[dict[str, Any]]) -> list[str]:
    return [step["sql"] for step in steps]


def test_from_a_database_to_a_folder_diff_is_plan(
    server: Server, database: str, tmp_path: Path, capsys: Capsys
) -> None:
    execute(database, OLD)
    new = folder_with(tmp_path, "new", NEW)
    code, diff = diff_json(capsys, server, database, str(new))
    assert code == 2
    assert diff == plan_json(capsys, server, database, new)


def test_between_two_live_databases_diff_agrees_with_plan(
    server: Server, database: str, other_database: str, tmp_path: Path, capsys: Capsys
) -> None:
    execute(database, OLD)
    execute(other_database, NEW)
    new = folder_with(tmp_path, "new", NEW)
    code, diff = diff_json(capsys, server, database, other_database)
    plan = plan_json(capsys, server, database, new)
    assert code == 2
    assert diff["steps"] == plan["steps"] and diff["rollback"] == plan["rollback"]
    assert diff["target_fingerprint"] == plan["target_fingerprint"]


def test_from_a_folder_to_a_database_is_the_plans_rollback(
    server: Server, database: str, tmp_path: Path, capsys: Capsys
) -> None:
    """The same engine run the other way: the rollback is planned without online DDL."""
    execute(database, OLD)
    new = folder_with(tmp_path, "new", NEW)
    code, diff = diff_json(capsys, server, str(new), database, "--no-online")
    assert code == 2
    assert sql_of(diff["steps"]) == sql_of(plan_json(capsys, server, database, new)["rollback"])


def test_between_two_folders_diff_agrees_with_plan(
    server: Server, database: str, tmp_path: Path, capsys: Capsys
) -> None:
    execute(database, OLD)
    old, new = folder_with(tmp_path, "old", OLD), folder_with(tmp_path, "new", NEW)
    code, diff = diff_json(capsys, server, str(old), str(new))
    plan = plan_json(capsys, server, database, new)
    assert code == 2
    assert diff["steps"] == plan["steps"] and diff["rollback"] == plan["rollback"]


def test_equal_sources_exit_0(
    server: Server, database: str, other_database: str, tmp_path: Path, capsys: Capsys
) -> None:
    execute(database, NEW)
    execute(other_database, NEW)
    new = folder_with(tmp_path, "new", NEW)
    pairs = [(database, other_database), (database, str(new)), (str(new), database)]
    for origin, destination in pairs:
        result = run_cli(capsys, "diff", "--from", origin, "--to", destination,
                         "--dev-url", server.url)  # fmt: skip
        assert result.code == 0, (origin, destination, result.stdout, result.stderr)
        assert "No differences" in result.stdout


HAND_WRITTEN = """
CREATE DOMAIN code AS varchar(5) CHECK (VALUE IN ('a', 'b'));
CREATE TABLE users (
    id bigint PRIMARY KEY,
    status varchar(10) NOT NULL CONSTRAINT users_status_check CHECK (status IN ('on', 'off')),
    kind code
);
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON users USING (status IN ('on', 'off'));
"""


def build_from_printouts(hand_written: str, target: str) -> None:
    """``target`` made from PostgreSQL's printout of HAND_WRITTEN's definitions, as
    read in ``hand_written``."""
    first = catalog_of(hand_written)
    check = first.constraints["public.users.users_status_check"].definition
    domain_check = first.types["public.code"].constraints[0].definition
    using = first.policies["public.users.visible"].using
    execute(
        target,
        f"""
        CREATE DOMAIN code AS varchar(5) CONSTRAINT code_check {domain_check};
        CREATE TABLE users (id bigint PRIMARY KEY, status varchar(10) NOT NULL, kind code);
        ALTER TABLE users ADD CONSTRAINT users_status_check {check};
        ALTER TABLE users ENABLE ROW LEVEL SECURITY;
        CREATE POLICY visible ON users USING ({using});
        """,
    )


def test_printouts_that_are_no_fixpoint_match_between_two_databases(
    server: Server, database: str, other_database: str, capsys: Capsys
) -> None:
    """One database built by hand, the other from PostgreSQL's printout of the same
    definitions (as a migration would): the texts differ, the definitions do not. The
    printouts are compared on the --to database while a writer holds the live table:
    the probes work on temporary copies and never wait for it."""
    execute(database, HAND_WRITTEN)
    first = catalog_of(database)
    check = first.constraints["public.users.users_status_check"].definition
    domain_check = first.types["public.code"].constraints[0].definition
    using = first.policies["public.users.visible"].using
    build_from_printouts(database, other_database)
    second = catalog_of(other_database)
    assert second.constraints["public.users.users_status_check"].definition != check
    assert second.types["public.code"].constraints[0].definition != domain_check
    assert second.policies["public.users.visible"].using != using
    for origin, destination in ((database, other_database), (other_database, database)):
        with psycopg.connect(destination) as writer:
            writer.execute("LOCK TABLE users IN ROW EXCLUSIVE MODE")
            result = run_cli(capsys, "diff", "--from", origin, "--to", destination)
        assert result.code == 0, result.stdout + result.stderr


def test_a_definition_the_other_side_cannot_take_leaves_later_printouts_compared(
    server: Server, database: str, other_database: str, capsys: Capsys
) -> None:
    """The probes of one comparison share a transaction (and round trips): one that
    fails (the check names a column the --to side lacks) is a difference, and the
    probes after it still find the printout-only differences equal, on the same table
    too (the failed probe's copy of it is gone with its savepoint)."""
    execute(
        database,
        HAND_WRITTEN
        + """CREATE TABLE extra (
                 a int,
                 b int CONSTRAINT extra_check CHECK (b > 0),
                 s varchar(5) CONSTRAINT extra_s_check CHECK (s IN ('on', 'off'))
             );""",
    )
    build_from_printouts(database, other_database)
    printed = catalog_of(database).constraints["public.extra.extra_s_check"].definition
    execute(
        other_database,
        "CREATE TABLE extra (a int CONSTRAINT extra_check CHECK (a > 0), s varchar(5));"
        f"ALTER TABLE extra ADD CONSTRAINT extra_s_check {printed};",
    )
    assert catalog_of(other_database).constraints["public.extra.extra_s_check"].definition != (
        printed
    )

    result = run_cli(capsys, "diff", "--from", database, "--to", other_database)

    assert result.code == 2
    assert "extra_check" in result.stdout and "DROP COLUMN b" in result.stdout
    assert "users_status_check" not in result.stdout and "extra_s_check" not in result.stdout
    assert "code_check" not in result.stdout and "visible" not in result.stdout


def test_diff_changes_neither_side_and_leaves_no_probe_behind(
    server: Server, database: str, other_database: str, capsys: Capsys
) -> None:
    execute(database, OLD)
    execute(other_database, NEW.replace("'active', 'blocked'", "'active', 'blocked', 'gone'"))
    before = (comparable(catalog_of(database)), comparable(catalog_of(other_database)))
    result = run_cli(capsys, "diff", "--from", database, "--to", other_database,
                     "--dev-url", server.url)  # fmt: skip
    assert result.code == 2
    assert (comparable(catalog_of(database)), comparable(catalog_of(other_database))) == before


def test_sql_format_prints_only_the_migration(
    server: Server, database: str, other_database: str, capsys: Capsys
) -> None:
    execute(other_database, "CREATE TABLE t (id int);")
    result = run_cli(capsys, "diff", "--from", database, "--to", other_database,
                     "--format", "sql")  # fmt: skip
    assert result.code == 2
    assert result.stdout == "CREATE TABLE public.t (\n    id integer\n);\n"


def test_hazards_are_named_as_in_plan(
    server: Server, database: str, other_database: str, capsys: Capsys
) -> None:
    execute(database, "CREATE TABLE t (id int, old text);")
    execute(other_database, "CREATE TABLE t (id int);")
    result = run_cli(capsys, "diff", "--from", database, "--to", other_database)
    assert result.code == 2
    assert "data_loss" in result.stdout and "DROP COLUMN old" in result.stdout


def test_a_source_that_is_neither_a_folder_nor_a_url_exits_1(
    database: str, tmp_path: Path, capsys: Capsys
) -> None:
    result = run_cli(capsys, "diff", "--from", database, "--to", str(tmp_path / "nowhere"))
    assert result.code == 1
    assert result.stderr.startswith("error: --to ") and "neither a schema folder" in result.stderr


def test_an_unreachable_source_is_named_and_its_password_never_printed(
    database: str, capsys: Capsys
) -> None:
    result = run_cli(capsys, "diff", "--from", database,
                     "--to", "postgresql://u:Sekr3t@127.0.0.1:1/db")  # fmt: skip
    assert result.code == 1
    assert result.stderr.startswith("error: cannot connect to the --to database at 127.0.0.1:1/db")
    assert "Sekr3t" not in result.stdout + result.stderr


def test_bad_folder_input_is_reported_before_any_connection(tmp_path: Path, capsys: Capsys) -> None:
    bad = folder_with(tmp_path, "bad", "CREATE TABLE t (id int;")
    result = run_cli(capsys, "diff", "--from", "postgresql://u:pw@127.0.0.1:1/db",
                     "--to", str(bad))  # fmt: skip
    assert result.code == 1 and "schema.sql:1:" in result.stderr
