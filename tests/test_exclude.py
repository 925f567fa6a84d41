"""``--exclude PATTERN``: objects whose name matches are left alone by every command."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import Server, catalog_of, execute, run_cli, write_schema

Capsys = pytest.CaptureFixture[str]


def test_excluded_objects_are_neither_dropped_nor_created_nor_drift(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(
        database,
        "CREATE TABLE kept (id int); CREATE TABLE tmp_import (id int);"
        "CREATE INDEX tmp_import_idx ON tmp_import (id);"
        "CREATE FUNCTION tmp_helper() RETURNS int LANGUAGE sql AS 'SELECT 1';",
    )
    write_schema(schema_dir, "CREATE TABLE kept (id int); CREATE TABLE public.tmp_new (id int);")
    args = ["--schema", str(schema_dir), "--database-url", database, "--dev-url", server.url]

    planned = run_cli(capsys, "plan", *args, "--exclude", "tmp_*", "--exit-code")
    assert planned.code == 0, planned.stdout
    assert run_cli(capsys, "drift", *args, "--exclude", "public.tmp_*").code == 0
    applied = run_cli(capsys, "apply", *args, "--exclude", "tmp_*", "--auto-approve")
    assert applied.code == 0, applied.stderr
    assert {"public.kept", "public.tmp_import"} == set(catalog_of(database).tables)

    assert run_cli(capsys, "drift", *args).code == 2  # without the pattern they are drift
