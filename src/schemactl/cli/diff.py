"""``diff``: compare any two sources (database URLs or schema folders) with the plan engine."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from schemactl.cli.app import app, command_imports
from schemactl.cli.options import (
    EXIT_CHANGES,
    AllowEmptyOpt,
    AllowVersionMismatchOpt,
    DevOpt,
    EnvOpt,
    ExcludeObjectsOpt,
    ExcludeOpt,
    IncludeOpt,
    NoColorOpt,
    NoSqlOpt,
    OnlineOpt,
    PgBinOpt,
    PgVersionOpt,
    PlanFormat,
    ProfileOpt,
    VerboseOpt,
    dev_url,
    pg_version,
    print_plan,
    scope_of,
)
from schemactl.config import load_project_config
from schemactl.errors import SchemactlError

if TYPE_CHECKING:
    from schemactl.live_reads import LiveDatabase
    from schemactl.output.github import Locate
    from schemactl.pipeline import DesiredSource, Source

URL_SCHEMES = ("postgresql://", "postgres://")
ENVIRONMENT_PREFIX = "env:"
NO_DIFFERENCES = "No differences: both sides match."


def live_database(text: str, option: str) -> LiveDatabase | None:
    """A database URL (``postgresql://...``) or ``env:NAME`` (the database of an
    environment of schemactl.toml) as a live database; None for anything else."""
    from schemactl.live_reads import LiveDatabase

    purpose = f"{option} database"
    if text.startswith(ENVIRONMENT_PREFIX):
        name = text[len(ENVIRONMENT_PREFIX) :]
        named = load_project_config().environment(name)
        return LiveDatabase(named.database_url(), f"{purpose} (environment {name})")
    if text.lower().startswith(URL_SCHEMES):
        return LiveDatabase(text, purpose)
    return None


def source_of(text: str, option: str, folder_source: DesiredSource) -> Source:
    """What :func:`live_database` names, a schema folder, or a ``key=value`` conninfo."""
    from schemactl.live_reads import LiveDatabase

    live = live_database(text, option)
    if live is not None:
        return live
    folder = Path(text)
    if folder.is_dir():
        return dataclasses.replace(folder_source, schema_dir=folder)
    if "=" in text:
        return LiveDatabase(text, f"{option} database")
    raise SchemactlError(
        f"{option} {text}: neither a schema folder nor a database URL (postgresql://...) "
        "nor an environment (env:NAME)"
    )


def _locator(destination: Source) -> Locate:
    """Where the objects of a schema folder are defined (GitHub annotations point there)."""
    from schemactl.pipeline import DesiredSource

    if isinstance(destination, DesiredSource):
        return destination.facts.index.find
    return lambda subject: None


@app.command()
def diff(
    from_: Annotated[
        str,
        typer.Option("--from", help="Where to start: a database URL, env:NAME or a schema folder."),
    ],
    to: Annotated[
        str,
        typer.Option("--to", help="What to reach: a database URL, env:NAME or a schema folder."),
    ],
    dev_url_option: DevOpt = None,
    pg_bin: PgBinOpt = None,
    pg_version_opt: PgVersionOpt = None,
    allow_version_mismatch: AllowVersionMismatchOpt = False,
    include_schema: IncludeOpt = None,
    exclude_schema: ExcludeOpt = None,
    exclude: ExcludeObjectsOpt = None,
    profile: ProfileOpt = None,
    env: EnvOpt = None,
    allow_empty: AllowEmptyOpt = False,
    format: Annotated[
        PlanFormat, typer.Option("--format", help="text, sql, json, markdown or github.")
    ] = PlanFormat.text,
    online: OnlineOpt = True,
    no_sql: NoSqlOpt = False,
    verbose: VerboseOpt = False,
    no_color: NoColorOpt = False,
) -> None:
    """Show the changes that turn FROM into TO: exit 0 equal, 2 different, 1 error.

    The same engine, hazards and formats as plan; nothing is applied anywhere."""
    scope = scope_of(include_schema, exclude_schema, profile, env, exclude)
    with command_imports():
        from schemactl.live_reads import LiveReads
    # Two databases: read from now on, while the rest is imported (see live_reads).
    origin_db, destination_db = live_database(from_, "--from"), live_database(to, "--to")
    early = LiveReads([origin_db, destination_db], scope) if origin_db and destination_db else None
    with command_imports():
        from schemactl.output.source_notes import show_skipped
        from schemactl.pipeline import DesiredSource, compare
    folders = DesiredSource(
        Path(),
        dev_url(dev_url_option, env),
        pg_bin,
        allow_empty,
        allow_version_mismatch=allow_version_mismatch,
        pg_version=pg_version(pg_version_opt),
    )
    origin = origin_db or source_of(from_, "--from", folders)
    destination = destination_db or source_of(to, "--to", folders)
    for side in (origin, destination):
        if isinstance(side, DesiredSource):
            show_skipped(side.skipped)  # read every folder before connecting: bad input first
    result = compare(origin, destination, scope, online, early)
    print_plan(
        result, format, show_sql=not no_sql, verbose=verbose, unchanged=NO_DIFFERENCES,
        title="schemactl diff", locate=_locator(destination),
    )  # fmt: skip
    if result.has_changes:
        raise typer.Exit(EXIT_CHANGES)
