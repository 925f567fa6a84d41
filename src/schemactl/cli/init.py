"""``init``: scaffold a project (schemactl.toml with environments, schema/, migrations/, CI)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from schemactl.cli.app import app
from schemactl.cli.options import out
from schemactl.scaffold import scaffold


@app.command()
def init(
    directory: Annotated[
        Path, typer.Argument(help="The project folder (created if missing).")
    ] = Path("."),
) -> None:
    """Write schemactl.toml (environments dev, staging, prod), schema/, migrations/ and a
    GitHub Actions workflow that runs drift. Existing files are kept."""
    for item in scaffold(directory):
        if item.created:
            out.print(Text(f"created {item.path}", style="green"), soft_wrap=True)
        else:
            out.print(Text(f"kept    {item.path} (exists)", style="dim"), soft_wrap=True)
    out.print(
        "Next: put your database's URL in $DATABASE_URL (never in schemactl.toml), "
        "write schema/*.sql, then run: schemactl plan --env dev",
        soft_wrap=True,
    )
