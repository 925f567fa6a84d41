"""The typer application every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="schemactl",
    help="Schema-as-code migrations for PostgreSQL: plan, apply, drift.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def sub_app(name: str, help: str) -> typer.Typer:
    """A command group (``schemactl NAME ...``) with the application's settings."""
    group = typer.Typer(
        name=name,
        help=help,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    app.add_typer(group, name=name)
    return group
