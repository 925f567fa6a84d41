"""``init``: scaffold a project (schemactl.toml with environments, schema/, migrations/, CI),
optionally with schema/ dumped from an existing database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from schemactl.cli.app import app, command_imports
from schemactl.cli.options import out, scope_of, styled
from schemactl.errors import SchemactlError

if TYPE_CHECKING:
    from schemactl.dump import Dump


@app.command()
def init(
    directory: Annotated[
        Path, typer.Argument(help="The project folder (created if missing).")
    ] = Path("."),
    from_database: Annotated[
        str | None,
        typer.Option(
            "--from-database",
            help="Fill schema/ with the dump of this database (as schemactl dump does).",
        ),
    ] = None,
) -> None:
    """Write schemactl.toml (environments dev, staging, prod), schema/, migrations/ and a
    GitHub Actions workflow that runs drift. Existing files are kept."""
    with command_imports():
        from schemactl.scaffold import SCHEMA_FOLDER, scaffold
    dumped = _dump_of(from_database, directory / SCHEMA_FOLDER) if from_database else None
    for item in scaffold(directory):
        if item.created:
            out.print(styled(f"created {item.path}", style="green"), soft_wrap=True)
        else:
            out.print(styled(f"kept    {item.path} (exists)", style="dim"), soft_wrap=True)
    if dumped is not None and from_database:
        _write_dump(dumped, from_database, directory / SCHEMA_FOLDER)
    out.print(
        "Next: put your database's URL in $DATABASE_URL (never in schemactl.toml), "
        + ("" if dumped else "write schema/*.sql, ")
        + "then run: schemactl plan --env dev",
        soft_wrap=True,
    )


def _write_dump(dumped: Dump, url: str, folder: Path) -> None:
    from schemactl.db import describe
    from schemactl.dump import write_dump

    write_dump(dumped, folder)
    out.print(
        styled(
            f"dumped  {describe(url)} into {folder} ({len(dumped.files)} file(s))", style="green"
        ),
        soft_wrap=True,
    )


def _dump_of(url: str, folder: Path) -> Dump:
    """The dump, made before anything is written: a failure leaves no half project."""
    from schemactl.db import connect
    from schemactl.dump import Layout, dump_database
    from schemactl.dump.writer import existing_sql_files

    if existing_sql_files(folder):
        raise SchemactlError(
            f"{folder} already holds .sql files and init keeps them: "
            f"replace them with schemactl dump --out {folder} --force"
        )
    conn = connect(url, "database to dump")
    try:
        return dump_database(conn, scope_of(None, None), Layout.by_table)
    finally:
        conn.close()
