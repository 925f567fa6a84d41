"""Progress of apply and migrate apply: a live display on a terminal (checked through a
pseudo-terminal), plain lines otherwise; -q, -v, --no-color and NO_COLOR."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import Server, execute, run_cli, write_schema

Capsys = pytest.CaptureFixture[str]
ROOT = Path(__file__).resolve().parents[1]
SCHEMA = "CREATE TABLE a (id int);\nCREATE TABLE b (id int, note text);\n"
SGR = re.compile(r"\x1b\[([0-9;]*)m")
COLOUR_CODES = {*range(30, 38), 38, *range(40, 48), 48, *range(90, 98), *range(100, 108)}


def apply_args(server: Server, database: str, schema_dir: Path) -> list[str]:
    return [
        "apply", "--schema", str(schema_dir), "--database-url", database,
        "--dev-url", server.url, "--auto-approve",
    ]  # fmt: skip


def test_without_a_terminal_each_step_is_a_plain_line(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, SCHEMA)
    result = run_cli(capsys, *apply_args(server, database, schema_dir))
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "apply: 2 statement(s)" in lines
    progress = [line for line in lines if line.startswith("[")]
    assert len(progress) == 2
    assert re.fullmatch(r"\[1/2\] \d+ ms CREATE TABLE public\.a \(", progress[0])
    assert re.fullmatch(r"\[2/2\] \d+ ms CREATE TABLE public\.b \(", progress[1])
    assert "\x1b[" not in result.stdout
    assert lines[-1].startswith("Applied 2 step(s)")


def test_a_step_of_several_statements_says_how_many_follow_its_first_line(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    """A key swapped in for the old one is one step of three statements. Named by its
    first line alone, DROP CONSTRAINT, it read as the key being dropped."""
    execute(database, "CREATE TABLE k (tenant int NOT NULL, id int NOT NULL, PRIMARY KEY (id));"
                      "INSERT INTO k VALUES (1, 1);")  # fmt: skip
    write_schema(schema_dir, "CREATE TABLE k (tenant int NOT NULL, id int NOT NULL,"
                             " PRIMARY KEY (tenant, id));")  # fmt: skip
    result = run_cli(capsys, *apply_args(server, database, schema_dir))
    assert result.code == 0, result.stderr
    progress = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert re.fullmatch(
        r"\[2/2\] \d+ ms ALTER TABLE public\.k DROP CONSTRAINT k_pkey; \(\+2 more statements\)",
        progress[-1],
    ), progress
    assert re.fullmatch(
        r"\[1/2\] \d+ ms CREATE UNIQUE INDEX CONCURRENTLY k_pkey_new .*;", progress[0]
    )


def test_quiet_shows_the_summary_and_the_outcome_only(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, SCHEMA)
    result = run_cli(capsys, *apply_args(server, database, schema_dir), "-q")
    assert result.code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Plan: 2 to add, 0 to change, 0 to destroy; hazards: none",
        result.stdout.splitlines()[-1],
    ]
    assert result.stdout.splitlines()[-1].startswith("Applied 2 step(s)")


def test_verbose_shows_each_statement_whole(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, SCHEMA)
    result = run_cli(capsys, *apply_args(server, database, schema_dir), "-v", "--no-sql")
    assert result.code == 0, result.stderr
    assert re.search(
        r"\[2/2\] \d+ ms CREATE TABLE public\.b \(\n    id integer,\n    note text\n\);",
        result.stdout,
    )


def test_migrate_apply_reports_each_statement_of_each_file(
    server: Server, database: str, tmp_path: Path, capsys: Capsys
) -> None:
    migrations = tmp_path / "migrations"
    schema = tmp_path / "schema"
    schema.mkdir()
    write_schema(schema, SCHEMA)
    made = run_cli(capsys, "migrate", "diff", "initial", "--schema", str(schema),
                   "--migrations", str(migrations), "--dev-url", server.url)  # fmt: skip
    assert made.code == 0, made.stderr
    (up,) = migrations.glob("*.up.sql")
    result = run_cli(
        capsys, "migrate", "apply", "--database-url", database, "--migrations", str(migrations)
    )
    assert result.code == 0, result.stderr
    assert f"{up.name}: 2 statement(s)" in result.stdout
    assert re.search(r"^\[2/2\] \d+ ms CREATE TABLE public\.b \($", result.stdout, re.M)
    quiet = run_cli(
        capsys,
        "migrate",
        "apply",
        "--database-url",
        database,
        "--migrations",
        str(migrations),
        "-q",
    )
    assert quiet.stdout == "No pending migrations.\n"


def run_in_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run schemactl on a pseudo-terminal 100 columns wide; everything it wrote."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "schemactl", *args], stdin=slave, stdout=slave, stderr=slave,
        cwd=ROOT, env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", **env},
        close_fds=True,
    )  # fmt: skip
    os.close(slave)
    output = bytearray()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal closed: the process is gone
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=30)
    os.close(master)
    assert process.returncode == 0, output.decode(errors="replace")
    return output.decode(errors="replace")


def colours(text: str) -> set[int]:
    return {
        int(code) for params in SGR.findall(text) for code in params.split(";") if code
    } & COLOUR_CODES


@pytest.mark.parametrize("no_colour", ["", "env", "option"])
def test_on_a_terminal_a_live_display_in_colour_unless_told_not_to(
    server: Server, database: str, schema_dir: Path, no_colour: str
) -> None:
    write_schema(schema_dir, SCHEMA)
    env = {"PYTHONPATH": str(ROOT / "src"), "NO_COLOR": ""}
    args = apply_args(server, database, schema_dir)
    if no_colour == "env":
        env["NO_COLOR"] = "1"
    elif no_colour == "option":
        args.append("--no-color")
    output = run_in_terminal(args, env)
    plain = SGR.sub("", output)
    assert "Plan: 2 to add" in plain
    assert re.search(r"apply .*2/2", plain), plain  # the bar, finished
    assert "[1/2]" not in plain  # no plain log lines on a terminal
    assert "Applied 2 step(s)" in plain
    if no_colour:
        assert colours(output) == set(), output
    else:
        assert colours(output), "no colour on a terminal"
