"""The typer application every command module registers on.

Every command module is imported to build the application, whichever command runs (and
for ``--help``), so a module imports at its top only typer, the shared options and
light settings: the pipeline a command runs (psycopg, pglast, jinja2, the catalog, diff
and plan packages, ...) is imported in the command's body, under ``command_imports()``.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator, Sequence
from typing import Any

import typer
import typer.main

from schemactl import collector, metrics

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


def command_line(argv: Sequence[str]) -> Any:
    """The click program for ``argv``: the application with only the command (or command
    group) ``argv`` names.

    Typer turns every registered command's signature into click parameters before it
    parses anything; for twenty commands that was about 40 ms of every run, all but one
    of them thrown away. A command line that names no registered command (``--help``, a
    typo, nothing) gets the whole application, so help lists every command and an
    unknown name is answered with the choices."""
    name = argv[0] if argv else ""
    commands = [
        info
        for info in app.registered_commands
        if info.callback is not None
        and (info.name or typer.main.get_command_name(info.callback.__name__)) == name
    ]
    groups = [info for info in app.registered_groups if info.name == name]
    if not commands and not groups:
        return typer.main.get_command(app)
    only = copy.copy(app)
    only.registered_commands = commands
    only.registered_groups = groups
    return typer.main.get_group(only)


@contextlib.contextmanager
def command_imports() -> Iterator[None]:
    """Around the imports at the top of a command's body: their time is the metrics'
    phase ``imports`` (process startup, deferred until the command is known), made
    with the cyclic collector paused (see :mod:`schemactl.collector`)."""
    with metrics.phase("imports"), collector.paused():
        yield
