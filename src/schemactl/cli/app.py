"""The typer application every command module registers on.

Every command module is imported to build the application, whichever command runs (and
for ``--help``), so a module imports at its top only typer, the shared options and
light settings: the pipeline a command runs (psycopg, pglast, jinja2, the catalog, diff
and plan packages, ...) is imported in the command's body, under ``command_imports()``.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

import typer

from schemactl import metrics

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


def command_imports() -> AbstractContextManager[None]:
    """Around the imports at the top of a command's body: their time is the metrics'
    phase ``imports`` (process startup, deferred until the command is known)."""
    return metrics.phase("imports")
