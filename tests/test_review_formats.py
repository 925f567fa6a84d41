"""For pull requests and CI: Markdown (summary line, a table of changes with hazards, the
SQL collapsed), GitHub Actions annotations pointing at the schema file and line, and
JSON checked against the versioned JSON Schemas in src/schemactl/output/schemas/."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import psycopg
import pytest
from jsonschema import Draft202012Validator

from schemactl.devdb.loader import ensure_roles
from tests.support import Server, execute, run_cli, write_schema

Capsys = pytest.CaptureFixture[str]
SCHEMAS = Path(__file__).resolve().parents[1] / "src" / "schemactl" / "output" / "schemas"
# ::warning file=F,line=L,col=C,title=T::message (file, line and col together or not at all)
ANNOTATION = re.compile(
    r"^::(?P<level>warning|error|notice) "
    r"(?:file=(?P<file>[^,]+),line=(?P<line>\d+),col=(?P<col>\d+),)?"
    r"title=(?P<title>[^:]*)::(?P<message>.*)$"
)

TABLE_FILE = """\
-- accounts and what they own
CREATE TABLE accounts (
    id int PRIMARY KEY,
    email varchar(200),
    plan text NOT NULL DEFAULT 'free'
);
"""
POLICY_FILE = """\
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;

CREATE POLICY accounts_reader ON accounts
    FOR SELECT TO reader USING (plan <> 'hidden');
"""


def cli(server: Server, database: str, schema_dir: Path) -> list[str]:
    return ["--schema", str(schema_dir), "--database-url", database, "--dev-url", server.url]


def the_example_change(server: Server, database: str, schema_dir: Path) -> None:
    """accounts.email widened, plan added, legacy dropped, a policy added."""
    with psycopg.connect(server.url, autocommit=True) as conn:
        ensure_roles(conn, {"reader"})
    execute(
        database,
        "CREATE TABLE accounts (id int PRIMARY KEY, email varchar(100), old_flag boolean);"
        "CREATE TABLE legacy (id int);",
    )
    write_schema(schema_dir, TABLE_FILE, "10_accounts.sql")
    write_schema(schema_dir, POLICY_FILE, "20_policies.sql")


def annotations(stdout: str) -> list[dict[str, str]]:
    found = []
    for line in stdout.splitlines():
        match = ANNOTATION.match(line)
        assert match, f"not an annotation: {line}"
        found.append({k: v for k, v in match.groupdict().items() if v is not None})
    return found


def valid(document: Any, schema_name: str) -> None:
    schema = json.loads((SCHEMAS / f"{schema_name}.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    errors = sorted(Draft202012Validator(schema).iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


# -- Markdown ------------------------------------------------------------------------------


def test_plan_markdown_is_a_summary_a_table_with_hazards_and_the_sql_collapsed(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    the_example_change(server, database, schema_dir)
    result = run_cli(capsys, "plan", *cli(server, database, schema_dir), "--format", "markdown")
    assert result.code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "### schemactl plan"
    assert re.fullmatch(r"\*\*Plan: 0 to add, 1 to change, 1 to destroy; hazards: .*\*\*", lines[2])
    assert "| | object | part | change | hazards |" in lines
    rows = [line for line in lines if line.startswith("| ") and "---" not in line][1:]
    assert all(row.count(" | ") == 4 for row in rows), rows
    assert any(
        "table `public.accounts` | column `email` | type: `character varying(100)` → "
        "`character varying(200)`"
        in row
        and "`access_exclusive_lock`" in row
        for row in rows
    )
    assert any("table `public.legacy`" in row and "**`data_loss`**" in row for row in rows)
    assert any("policy `accounts_reader`" in row and "`authz_change`" in row for row in rows)
    # The SQL, collapsed, after the table.
    details = result.stdout.index("<details>")
    assert result.stdout.index("| | object |") < details
    assert "<summary>SQL (" in result.stdout
    assert "```sql\n" in result.stdout[details:]
    assert "DROP TABLE public.legacy;" in result.stdout[details:]
    assert result.stdout.rstrip().endswith("</details>")


def test_drift_markdown_lists_what_differs(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    the_example_change(server, database, schema_dir)
    result = run_cli(capsys, "drift", *cli(server, database, schema_dir), "--format", "markdown")
    assert result.code == 2
    text = result.stdout
    assert text.startswith("### schemactl drift\n\n**Drift: 1 changed, 1 unexpected**")
    assert "| state | object | part | what differs |" in text
    assert "| unexpected | table `public.legacy` |  | dropped |" in text
    assert "| missing | table `public.accounts` | column `plan` |" in text
    assert "| unexpected | table `public.accounts` | column `old_flag` | removed |" in text
    assert "<summary>SQL that would make the database match the schema" in text


def test_no_drift_and_no_changes_in_markdown(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    execute(database, "CREATE TABLE t (id int);")
    args = cli(server, database, schema_dir)
    drift = run_cli(capsys, "drift", *args, "--format", "markdown")
    assert (drift.code, drift.stdout) == (
        0,
        "### schemactl drift\n\nNo drift: the database matches the schema.\n",
    )
    plan = run_cli(capsys, "plan", *args, "--format", "markdown")
    assert plan.stdout == "### schemactl plan\n\nNo changes: the database matches the schema.\n"


def test_diff_markdown(server: Server, database: str, schema_dir: Path, capsys: Capsys) -> None:
    execute(database, "CREATE TABLE t (id int);")
    write_schema(schema_dir, "CREATE TABLE t (id bigint);")
    args = ["--from", database, "--to", str(schema_dir), "--dev-url", server.url]
    result = run_cli(capsys, "diff", *args, "--format", "markdown")
    assert result.code == 2
    assert result.stdout.startswith("### schemactl diff\n\n**Plan: 0 to add, 1 to change")
    assert "type: `integer` → `bigint`" in result.stdout
    assert "**`table_rewrite`**" not in result.stdout  # only data_loss is bold
    assert "`table_rewrite`" in result.stdout


# -- GitHub annotations ----------------------------------------------------------------------


def test_plan_github_points_each_hazard_at_its_file_and_line(
    server: Server, database: str, schema_dir: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    the_example_change(server, database, schema_dir)
    monkeypatch.chdir(schema_dir.parent)  # paths relative to the repository
    result = run_cli(capsys, "plan", *cli(server, database, schema_dir), "--format", "github")
    assert result.code == 0
    found = annotations(result.stdout)
    by_title = {a["title"]: a for a in found}
    email = by_title["access_exclusive_lock%3A table public.accounts column email"]
    assert (email["level"], email["file"], email["line"]) == (
        "warning",
        "schema/10_accounts.sql",
        "4",
    )
    assert "binary coercible" in email["message"]
    legacy = next(a for a in found if "table public.legacy" in a["title"])
    assert legacy["level"] == "error" and "file" not in legacy  # no longer in the schema
    policy = by_title["authz_change%3A table public.accounts policy accounts_reader"]
    assert (policy["file"], policy["line"]) == ("schema/20_policies.sql", "3")
    security = by_title["authz_change%3A table public.accounts row security"]
    assert (security["file"], security["line"]) == ("schema/20_policies.sql", "1")
    assert found[-1]["level"] == "notice"
    assert found[-1]["message"].startswith("Plan: 0 to add, 1 to change, 1 to destroy")


def test_plan_github_reports_blocking_preflight_findings_as_errors(
    server: Server, database: str, schema_dir: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    execute(database, "CREATE TABLE t (id int, name text); INSERT INTO t VALUES (1, NULL);")
    write_schema(schema_dir, "CREATE TABLE t (\n  id int,\n  name text NOT NULL\n);")
    monkeypatch.chdir(schema_dir.parent)
    result = run_cli(capsys, "plan", *cli(server, database, schema_dir), "--format", "github")
    (finding,) = [a for a in annotations(result.stdout) if a["title"].startswith("preflight")]
    assert (finding["level"], finding["file"], finding["line"]) == (
        "error",
        "schema/schema.sql",
        "3",
    )
    assert "public.t: 1 row with NULL in name" in finding["message"]


def test_drift_github_points_each_drifted_object_at_its_definition(
    server: Server, database: str, schema_dir: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    the_example_change(server, database, schema_dir)
    monkeypatch.chdir(schema_dir.parent)
    result = run_cli(capsys, "drift", *cli(server, database, schema_dir), "--format", "github")
    assert result.code == 2
    found = annotations(result.stdout)
    assert all(a["level"] == "warning" and a["title"].startswith("drift%3A ") for a in found)
    by_title = {a["title"]: a for a in found}
    plan = by_title["drift%3A missing table public.accounts column plan"]
    assert (plan["file"], plan["line"], plan["col"]) == ("schema/10_accounts.sql", "5", "5")
    assert "is in the schema but not in the database" in plan["message"]
    email = by_title["drift%3A changed table public.accounts column email"]
    assert "type: character varying(100) -> character varying(200)" in email["message"]
    legacy = by_title["drift%3A unexpected table public.legacy"]
    assert "file" not in legacy and "in the database but not in the schema" in legacy["message"]


def test_annotation_text_is_escaped_as_github_reads_it() -> None:
    from schemactl.errors import SourceLocation
    from schemactl.output.github import annotation

    line = annotation("warning", "a: b, c", "50% done\nnext", SourceLocation("s.sql", 2, 1))
    assert line == "::warning file=s.sql,line=2,col=1,title=a%3A b%2C c::50%25 done%0Anext"


# -- JSON Schemas -------------------------------------------------------------------------


def test_plan_json_matches_its_schema_with_preflight_and_rehearsal(
    server: Server, database: str, schema_dir: Path, capsys: Capsys, tmp_path: Path
) -> None:
    the_example_change(server, database, schema_dir)
    execute(database, "INSERT INTO accounts VALUES (1, 'a@x', true), (2, 'a@x', false);")
    write_schema(
        schema_dir,
        TABLE_FILE.replace("varchar(200)", "varchar(200) CHECK (email <> 'a@x')"),
        "10_accounts.sql",
    )
    args = [*cli(server, database, schema_dir), "--format", "json", "--rehearse"]
    result = run_cli(capsys, "plan", *args, "--out", str(tmp_path / "plan.json"))
    document = json.loads(result.stdout)
    valid(document, "plan")
    assert document["preflight"]["findings"]
    assert document["rehearsal"]["succeeded"] is False
    assert document["summary"]["destroy"] == 1
    valid(json.loads((tmp_path / "plan.json").read_text()), "plan")
    # A plan without changes, and diff's JSON, have the same shape.
    empty = run_cli(
        capsys, "plan", *cli(server, database, schema_dir), "--format", "json", "--no-preflight"
    )
    valid(json.loads(empty.stdout), "plan")
    compared = run_cli(
        capsys, "diff", "--from", database, "--to", str(schema_dir), "--dev-url", server.url,
        "--format", "json",
    )  # fmt: skip
    valid(json.loads(compared.stdout), "plan")


def test_the_plan_schema_names_every_hazard_class() -> None:
    from schemactl.diff.changes import ALL_HAZARDS

    schema = json.loads((SCHEMAS / "plan.schema.json").read_text())
    assert set(schema["$defs"]["hazard"]["properties"]["kind"]["enum"]) == set(ALL_HAZARDS)


def test_the_plan_schema_names_every_precondition_kind() -> None:
    from schemactl.apply.preflight import CONDITION_KINDS

    schema = json.loads((SCHEMAS / "plan.schema.json").read_text())
    assert set(schema["$defs"]["precondition"]["properties"]["kind"]["enum"]) == CONDITION_KINDS


def test_drift_verify_and_status_json_match_their_schemas(
    server: Server, database: str, schema_dir: Path, capsys: Capsys, tmp_path: Path
) -> None:
    the_example_change(server, database, schema_dir)
    drift = run_cli(capsys, "drift", *cli(server, database, schema_dir), "--format", "json")
    valid(json.loads(drift.stdout), "drift")
    migrations = tmp_path / "migrations"
    fresh = schema_dir.parent / "fresh"
    fresh.mkdir()
    write_schema(fresh, "CREATE TABLE coupons (code text PRIMARY KEY);")
    assert run_cli(capsys, "migrate", "diff", "initial", "--schema", str(fresh),
                   "--migrations", str(migrations), "--dev-url", server.url).code == 0  # fmt: skip
    target = ["--database-url", database, "--migrations", str(migrations)]
    assert run_cli(capsys, "migrate", "apply", *target).code == 0
    verify = run_cli(capsys, "verify", *target, "--dev-url", server.url, "--format", "json")
    valid(json.loads(verify.stdout), "verify")
    status = run_cli(capsys, "status", *target, "--format", "json")
    valid(json.loads(status.stdout), "status")
    assert json.loads(status.stdout)["applied"] == 1
