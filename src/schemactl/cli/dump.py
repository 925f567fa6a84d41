"""``dump``: a live database written out as a schema folder."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from schemactl.cli.app import app, command_imports
from schemactl.cli.options import (
    DatabaseOpt,
    EnvOpt,
    ExcludeObjectsOpt,
    ExcludeOpt,
    IncludeOpt,
    ProfileOpt,
    out,
    scope_of,
    target_url,
)
from schemactl.errors import SchemactlError

STDOUT = "-"


class LayoutChoice(StrEnum):
    """``--layout``: the values of ``schemactl.dump.layout.Layout``, spelled here so that
    building the command line does not import the dump package."""

    by_table = "by-table"
    by_kind = "by-kind"
    single = "single"


@app.command()
def dump(
    database_url: DatabaseOpt = None,
    out_dir: Annotated[
        str,
        typer.Option("--out", help="Folder to write the schema into; - writes one file to stdout."),
    ] = "schema",
    layout: Annotated[
        LayoutChoice | None,
        typer.Option(
            "--layout",
            help="by-table (a file per table, view, function, ...), by-kind or single. "
            "Default: by-table, single with --out -.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the .sql files the folder already holds.")
    ] = False,
    include_schema: IncludeOpt = None,
    exclude_schema: ExcludeOpt = None,
    exclude: ExcludeObjectsOpt = None,
    profile: ProfileOpt = None,
    env: EnvOpt = None,
) -> None:
    """Write the database's schema as declarative SQL files that plan empty against it."""
    with command_imports():
        from schemactl.db import connect, describe
        from schemactl.dump import Layout, dump_database, write_dump
    to_stdout = out_dir == STDOUT
    chosen = Layout(layout) if layout else (Layout.single if to_stdout else Layout.by_table)
    if to_stdout and chosen is not Layout.single:
        raise SchemactlError("--out - writes a single stream: use it with --layout single")
    scope = scope_of(include_schema, exclude_schema, profile, env, exclude)
    url = target_url(database_url, env)
    conn = connect(url, "target database")
    try:
        result = dump_database(conn, scope, chosen)
    finally:
        conn.close()
    if to_stdout:
        sys.stdout.write("".join(f.text for f in result.files))
        return
    folder = Path(out_dir)
    write_dump(result, folder, replace=force)
    out.print(
        f"[green]Wrote {len(result.files)} file(s), {result.statement_count} statement(s), "
        f"from {describe(url)} to {folder}.[/green]"
    )
