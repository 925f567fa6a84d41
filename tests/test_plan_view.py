"""The text plan a reviewer reads: a summary line, one entry per object with its parts
nested, what changed attribute by attribute, hazards as badges; then the SQL, unwrapped."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import psycopg
import pytest
from rich.console import Console

from schemactl.devdb.loader import ensure_roles
from schemactl.output.plan_view import show_plan
from schemactl.plan import Plan
from tests.support import Server, execute, plan_for, run_cli, write_schema

EXAMPLE = Path(__file__).resolve().parents[1] / "schema"
TREE_LINE_BUDGET = 150


def rendered(plan: Plan, width: int = 80, show_sql: bool = False, verbose: bool = False) -> str:
    """The plan as an 80-column terminal shows it (no colour codes)."""
    console = Console(file=io.StringIO(), width=width, record=True, color_system=None)
    show_plan(console, plan, show_sql=show_sql, verbose=verbose)
    return console.export_text()


def plan_towards(server: Server, database: str, schema_dir: Path, old: str, new: str) -> Plan:
    execute(database, old)
    write_schema(schema_dir, new)
    return plan_for(server.url, database, schema_dir)


def test_the_examples_first_plan_is_a_summary_and_one_entry_per_table_in_under_150_lines(
    server: Server, database: str
) -> None:
    with psycopg.connect(server.url, autocommit=True) as conn:
        ensure_roles(conn, {"app_user", "app_admin"})
    plan = plan_for(server.url, database, EXAMPLE)
    text = rendered(plan)
    lines = text.splitlines()
    assert re.fullmatch(r"Plan: \d+ to add, 0 to change, 0 to destroy; hazards: none", lines[0])
    assert len(lines) < TREE_LINE_BUDGET, f"{len(lines)} lines:\n{text}"
    tables = {
        s.name
        for s in plan.steps
        if s.kind == "table" and s.action == "create" and "PARTITION OF" not in s.sql
    }
    assert len(tables) > 20
    for table in tables:
        assert sum(line.endswith(f"+ table {table}") for line in lines) == 1, table
    # Partitions nest under their parent; ENABLE and FORCE row security are one flag line.
    assert "+ table public.user_behavior_log_2026_01" not in text
    assert re.search(r"\d+ partitions", text)
    assert "row security enabled, forced" in " ".join(text.split())
    # The SQL follows the tree, which is shown once, before it.
    with_sql = rendered(plan, show_sql=True)
    assert with_sql.startswith(text.rstrip("\n"))
    assert "CREATE TABLE public.users (" in with_sql[len(text) :]


def test_a_changed_column_shows_type_default_and_nullability_old_to_new(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = plan_towards(
        server,
        database,
        schema_dir,
        "CREATE TABLE t (id int, name varchar(100), n int DEFAULT 1);",
        "CREATE TABLE t (id int, name varchar(200) NOT NULL, n bigint DEFAULT 2);",
    )
    text = rendered(plan)
    assert text.splitlines()[0].startswith("Plan: 0 to add, 1 to change, 0 to destroy")
    assert "~ table public.t" in text
    assert "~ column name" in text
    assert "type: character varying(100) -> character varying(200)" in text
    assert "nullability: NULL -> NOT NULL" in text
    assert "~ column n" in text
    assert "type: integer -> bigint" in text
    assert "default: 1 -> 2" in text
    assert "[table_rewrite]" in text  # integer -> bigint
    # Each changed attribute once, however many statements it takes.
    assert text.count("type: integer -> bigint") == 1


def test_a_changed_policy_shows_its_expressions_roles_and_command_old_to_new(
    server: Server, database: str, schema_dir: Path
) -> None:
    with psycopg.connect(server.url, autocommit=True) as conn:
        ensure_roles(conn, {"reader", "writer"})
    table = "CREATE TABLE t (id int, owner text); ALTER TABLE t ENABLE ROW LEVEL SECURITY;"
    plan = plan_towards(
        server,
        database,
        schema_dir,
        table + "CREATE POLICY p ON t TO reader USING (owner = current_user);"
        "CREATE POLICY q ON t FOR SELECT TO reader USING (true);",
        table + "CREATE POLICY p ON t TO reader, writer USING (owner = session_user) "
        "WITH CHECK (id > 0);"
        "CREATE POLICY q ON t FOR UPDATE TO reader USING (true);",
    )
    text = " ".join(rendered(plan, width=200).split())
    assert "~ policy p" in text
    assert "roles: reader -> reader, writer" in text
    assert "using: (owner = CURRENT_USER) -> (owner = SESSION_USER)" in text
    assert "with check: (id > 0)" in text
    assert "~ policy q (dropped and created again)" in text
    assert "command: SELECT -> UPDATE" in text
    assert "[authz_change]" in text


def test_a_changed_function_body_is_shown_as_a_unified_diff(
    server: Server, database: str, schema_dir: Path
) -> None:
    body = "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN {};\nEND\n$$;"
    plan = plan_towards(server, database, schema_dir, body.format(1), body.format(2))
    text = rendered(plan)
    assert "~ function public.f()" in text
    assert "definition:" in text
    assert re.search(r"-\s+RETURN 1;", text) and re.search(r"\+\s+RETURN 2;", text)
    assert "@@" in text


def test_a_changed_index_shows_its_definition_old_to_new(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = plan_towards(
        server,
        database,
        schema_dir,
        "CREATE TABLE t (a int, b int); CREATE INDEX t_idx ON t (a);",
        "CREATE TABLE t (a int, b int); CREATE INDEX t_idx ON t (a, b);",
    )
    text = " ".join(rendered(plan, width=200).split())
    assert "~ index t_idx (dropped and created again)" in text
    assert (
        "definition: CREATE INDEX t_idx ON public.t USING btree (a) -> "
        "CREATE INDEX t_idx ON public.t USING btree (a, b)"
    ) in text
    assert "[index_build]" in text


def test_new_parts_of_an_existing_table_are_listed_one_per_line(
    server: Server, database: str, schema_dir: Path
) -> None:
    with psycopg.connect(server.url, autocommit=True) as conn:
        ensure_roles(conn, {"reader"})
    plan = plan_towards(
        server,
        database,
        schema_dir,
        "CREATE TABLE t (id int PRIMARY KEY, gone text);",
        "CREATE TABLE t (id int PRIMARY KEY, email text, CHECK (id > 0));"
        "ALTER TABLE t ENABLE ROW LEVEL SECURITY; ALTER TABLE t FORCE ROW LEVEL SECURITY;"
        "GRANT SELECT ON t TO reader; COMMENT ON COLUMN t.email IS 'where to write';",
    )
    text = rendered(plan, width=120)
    lines = [line.strip("│├└─ ") for line in text.splitlines()]
    assert "Plan: 0 to add, 1 to change, 0 to destroy; hazards:" in lines[0]
    assert "data_loss" in lines[0]
    assert "+ column email: type text" in lines
    assert "- column gone" in lines
    assert "+ constraint t_id_check: CHECK ((id > 0))" in lines
    assert "+ grant reader: SELECT" in lines
    assert "+ comment column email: where to write" in lines
    # ENABLE and FORCE: one part, two flags.
    assert lines.count("~ row security") == 1
    assert "enabled: no -> yes" in lines and "forced: no -> yes" in lines


def test_the_sql_after_the_tree_is_never_wrapped(
    server: Server, database: str, schema_dir: Path
) -> None:
    comment = "a long comment that must stay on one line when copied " * 3
    plan = plan_towards(
        server,
        database,
        schema_dir,
        "CREATE TABLE t (id int);",
        f"CREATE TABLE t (id int); COMMENT ON TABLE t IS '{comment}';",
    )
    text = rendered(plan, width=40, show_sql=True)
    assert f"COMMENT ON TABLE public.t IS '{comment}';" in text.splitlines()


def test_no_sql_hides_the_sql_and_format_sql_prints_only_the_sql(
    server: Server, database: str, schema_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    args = ["--schema", str(schema_dir), "--database-url", database, "--dev-url", server.url]
    tree = run_cli(capsys, "plan", *args, "--no-sql")
    assert tree.code == 0
    assert tree.stdout.startswith("Plan: 1 to add, 0 to change, 0 to destroy; hazards: none\n")
    assert "+ table public.t" in tree.stdout
    assert "CREATE TABLE" not in tree.stdout
    with_sql = run_cli(capsys, "plan", *args)
    assert "CREATE TABLE public.t (" in with_sql.stdout
    only_sql = run_cli(capsys, "plan", *args, "--format", "sql")
    assert only_sql.stdout == "CREATE TABLE public.t (\n    id integer\n);\n"


def test_a_plan_file_carries_subjects_and_attributes_and_old_plan_files_still_read(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = plan_towards(
        server, database, schema_dir, "CREATE TABLE t (a int);", "CREATE TABLE t (a bigint);"
    )
    document = plan.to_json()
    assert document["format_version"] == 2
    (step,) = [s for s in document["steps"] if "TYPE" in s["sql"]]
    assert step["subject"] == {
        "kind": "table",
        "name": "public.t",
        "part_kind": "column",
        "part": "a",
    }
    assert {"name": "type", "old": "integer", "new": "bigint"} in step["attributes"]
    assert Plan.from_json(json.loads(json.dumps(document))) == plan
    # A plan file written before subjects existed is read, each step under its own name.
    for old_step in document["steps"] + document["rollback"]:
        del old_step["subject"], old_step["attributes"]
    old = Plan.from_json({**document, "format_version": 1})
    assert [s.sql for s in old.steps] == [s.sql for s in plan.steps]
    assert "~ column public.t.a" in rendered(old)
