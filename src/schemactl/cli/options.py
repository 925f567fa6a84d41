"""Options every command shares, defined once, and the small decisions they feed.

Commands declare their parameters with these annotated types, so a flag is
spelled, documented and defaulted in one place however many commands take it.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from schemactl import metrics
from schemactl.config import (
    DATABASE_URL_ENV,
    DEV_URL_ENV,
    ENV_SELECTION_ENV,
    Environment,
    Scope,
    load_project_config,
    resolve_url,
)
from schemactl.errors import PlanRefused, SchemactlError
from schemactl.profiles import load_profile

if TYPE_CHECKING:  # the commands import these in their bodies (see cli/app.py)
    from rich.console import Console
    from rich.text import Text

    from schemactl.apply.preflight import PreflightReport
    from schemactl.apply.rehearsal import Rehearsal
    from schemactl.output.github import Locate
    from schemactl.plan import Plan
    from schemactl.pooler import Pooling

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2  # changes planned, drift found, a verify mismatch


class _ConsoleOnFirstUse:
    """A rich ``Console``, made when first used: a command printing only SQL or JSON
    never loads rich (a good part of its start-up)."""

    def __init__(self, **options: Any) -> None:
        object.__setattr__(self, "_options", options)
        object.__setattr__(self, "_console", None)

    def _made(self) -> Console:
        console: Console | None = object.__getattribute__(self, "_console")
        if console is None:
            from rich.console import Console

            console = Console(**object.__getattribute__(self, "_options"))
            object.__setattr__(self, "_console", console)
        return console

    def __getattr__(self, name: str) -> Any:
        return getattr(self._made(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._made(), name, value)

    # Special methods are looked up on the class, never through __getattr__.
    def __enter__(self) -> Console:
        return self._made().__enter__()

    def __exit__(self, *exc: Any) -> None:
        self._made().__exit__(*exc)


def styled(text: str, style: str = "") -> Text:
    """Text in a rich style, rich loaded only now (see :class:`_ConsoleOnFirstUse`)."""
    from rich.text import Text

    return Text(text, style=style)


out = cast("Console", _ConsoleOnFirstUse(highlight=False))
# Notices that must not mix with --format output.
err = cast("Console", _ConsoleOnFirstUse(highlight=False, stderr=True))


class PlanFormat(StrEnum):
    text = "text"
    sql = "sql"
    json = "json"
    markdown = "markdown"
    github = "github"


class DriftFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    github = "github"


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


SchemaOpt = Annotated[
    Path, typer.Option("--schema", help="Folder of the desired schema's SQL files.")
]
MigrationsOpt = Annotated[Path, typer.Option("--migrations", help="Folder of the migration files.")]
DatabaseOpt = Annotated[
    str | None, typer.Option("--database-url", help=f"Target database (env {DATABASE_URL_ENV}).")
]
DevOpt = Annotated[
    str | None,
    typer.Option("--dev-url", help=f"Server for a temporary dev database (env {DEV_URL_ENV})."),
]
PgBinOpt = Annotated[
    str | None, typer.Option("--pg-bin", help="Folder of PostgreSQL server binaries (env PG_BIN).")
]
AllowVersionMismatchOpt = Annotated[
    bool,
    typer.Option(
        "--allow-version-mismatch",
        help="Accept a --dev-url server of another major version than the target's "
        "(every plan then says so in a warning).",
    ),
]
PgVersionOpt = Annotated[
    str | None,
    typer.Option(
        "--pg-version",
        help="Major version of the dev server where there is no target to match "
        "(e.g. 17; default: pg_version in schemactl.toml, else the machine's server).",
    ),
]
IncludeOpt = Annotated[
    list[str] | None, typer.Option("--include-schema", help="Only these schemas (repeatable).")
]
ExcludeOpt = Annotated[
    list[str] | None,
    typer.Option("--exclude-schema", help="Leave these schemas alone (repeatable)."),
]
ProfileOpt = Annotated[
    str | None,
    typer.Option(
        "--profile",
        help="Platform profile (supabase, neon): its schemas, roles and extensions are external "
        "(default: profile in schemactl.toml).",
    ),
]
ExcludeObjectsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude",
        help="Leave alone objects whose name or schema.name matches this glob (repeatable).",
    ),
]
OnlineOpt = Annotated[
    bool,
    typer.Option(
        "--online/--no-online",
        help="Concurrent index builds and NOT VALID + VALIDATE on existing tables.",
    ),
]
AllowEmptyOpt = Annotated[
    bool,
    typer.Option(
        "--allow-empty", help="Accept an empty schema folder (plans dropping everything)."
    ),
]
AllowDestructiveOpt = Annotated[
    bool,
    typer.Option("--allow-destructive", help="Allow every hazard class, data loss included."),
]
AllowHazardsOpt = Annotated[
    str | None, typer.Option("--allow-hazards", help="Comma-separated hazard classes to allow.")
]
ReadOnlyDatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help=f"Read objects the schema uses but does not manage from here, read only "
        f"(env {DATABASE_URL_ENV}).",
    ),
]
AutoApproveOpt = Annotated[
    bool, typer.Option("--auto-approve", help="Do not ask for confirmation.")
]
LockTimeoutOpt = Annotated[
    str | None,
    typer.Option("--lock-timeout", help="lock_timeout for each statement (default 5s)."),
]
StatementTimeoutOpt = Annotated[
    str | None, typer.Option("--statement-timeout", help="statement_timeout for each statement.")
]
WaitLockOpt = Annotated[
    bool, typer.Option("--wait-lock", help="Wait for another running schemactl instead of failing.")
]
ReportFormatOpt = Annotated[ReportFormat, typer.Option("--format", help="text or json.")]
NoPreflightOpt = Annotated[
    bool,
    typer.Option(
        "--no-preflight", help="Do not ask the target's rows whether the steps can succeed."
    ),
]
PreflightTimeoutOpt = Annotated[
    str, typer.Option("--preflight-timeout", help="statement_timeout of each preflight query.")
]
RehearseOpt = Annotated[
    bool,
    typer.Option(
        "--rehearse",
        help="Run the transactional steps on the target in a transaction that is rolled back.",
    ),
]


def _no_color(value: bool) -> bool:
    """--no-color: plain text on every console (NO_COLOR in the environment does the same)."""
    if value:
        out.no_color = True
        err.no_color = True
    return value


NoColorOpt = Annotated[
    bool,
    typer.Option("--no-color", callback=_no_color, help="No colours (as NO_COLOR=1 does)."),
]
QuietOpt = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="Only the summary, refusals, errors and the outcome."),
]
NoCacheOpt = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Load the schema into the dev database even when its normalized state is "
        "cached (also SCHEMACTL_NO_CACHE=1).",
    ),
]
NoSqlOpt = Annotated[
    bool, typer.Option("--no-sql", help="Show the grouped plan without the SQL after it.")
]
VerboseOpt = Annotated[
    bool,
    typer.Option(
        "--verbose", "-v", help="More detail: the parts of created objects, each statement run."
    ),
]


def print_plan(
    result: Plan,
    format: PlanFormat,
    show_sql: bool = True,
    verbose: bool = False,
    unchanged: str = "No changes: the database matches the schema.",
    preflight: PreflightReport | None = None,
    rehearsal: Rehearsal | None = None,
    title: str = "schemactl plan",
    locate: Locate = lambda subject: None,
) -> None:
    """A plan on standard output in one of the formats plan and diff share. ``locate``
    finds where a subject is defined, for GitHub annotations."""
    with metrics.phase("render"):
        _print_plan(
            result, format, show_sql, verbose, unchanged, preflight, rehearsal, title, locate
        )


def _print_plan(
    result: Plan,
    format: PlanFormat,
    show_sql: bool,
    verbose: bool,
    unchanged: str,
    preflight: PreflightReport | None,
    rehearsal: Rehearsal | None,
    title: str,
    locate: Locate,
) -> None:
    """Each format's renderer is imported in its branch: a run loads only its own."""
    if format is PlanFormat.json:
        print(plan_json_text(result, preflight, rehearsal))
    elif format is PlanFormat.sql:
        sys.stdout.write(result.up_sql())
    elif format is PlanFormat.markdown:
        from schemactl.output.markdown import plan_markdown

        sys.stdout.write(plan_markdown(result, title, preflight, rehearsal, unchanged))
    elif format is PlanFormat.github:
        from schemactl.output.github import plan_annotations

        for line in plan_annotations(result, locate, preflight):
            print(line)
    else:
        from schemactl.output.plan_view import show_plan, show_rehearsal

        show_plan(
            out, result, show_sql=show_sql, verbose=verbose, unchanged=unchanged,
            preflight=preflight,
        )  # fmt: skip
        if rehearsal is not None:
            show_rehearsal(out, rehearsal)


def plan_json_text(
    result: Plan, preflight: PreflightReport | None = None, rehearsal: Rehearsal | None = None
) -> str:
    """The plan as the JSON document ``--format json`` prints and ``--out`` writes; built
    only where asked for (it holds the rollback, a second diff)."""
    from schemactl.output.plan_json import plan_document

    return json.dumps(plan_document(result, preflight, rehearsal), indent=2)


def _known_environment(name: str | None) -> str | None:
    """Fail at once, before anything else, on an environment schemactl.toml lacks."""
    if name:
        load_project_config().environment(name)
    return name or None


EnvOpt = Annotated[
    str | None,
    typer.Option(
        "--env",
        envvar=ENV_SELECTION_ENV,
        callback=_known_environment,
        help="Named environment of schemactl.toml ([env.NAME]): its database, dev server, "
        f"schemas, profile and lock timeout; options still win (env {ENV_SELECTION_ENV}).",
    ),
]


def environment(name: str | None) -> Environment | None:
    return load_project_config().environment(name) if name else None


def scope_of(
    include: list[str] | None,
    exclude: list[str] | None,
    profile: str | None = None,
    env: str | None = None,
    objects: list[str] | None = None,
) -> Scope:
    """The schemas a command looks at: the options, else the environment's settings;
    ``--profile`` (or ``profile`` in the environment or schemactl.toml) adds what a
    platform owns; ``--exclude`` patterns (``objects``) leave objects alone by name."""
    selected = environment(env)
    if selected is not None:
        include = include or list(selected.include_schemas)
        exclude = exclude or list(selected.exclude_schemas)
        objects = objects or list(selected.exclude)
        profile = profile or selected.profile
    name = profile or load_project_config().profile
    return Scope(
        tuple(include or ()),
        tuple(exclude or ()),
        profile=load_profile(name) if name else None,
        objects=tuple(objects or ()),
    )


def target_url(option: str | None, env: str | None = None) -> str:
    """The target database's URL: the option, else the environment's (never another's:
    an unset variable is an error), else ``$DATABASE_URL``, else an error."""
    url = optional_target_url(option, env)
    if not url:
        raise SchemactlError(
            f"no target database: pass --database-url or --env, or set {DATABASE_URL_ENV}"
        )
    return url


def optional_target_url(option: str | None, env: str | None = None) -> str | None:
    """The target's URL where a command can do without one."""
    selected = environment(env)
    if option or selected is None:
        return resolve_url(option, DATABASE_URL_ENV)
    return selected.database_url()


def dev_url(option: str | None, env: str | None = None) -> str | None:
    """The dev server: the option, else the environment's, else ``$SCHEMACTL_DEV_URL``."""
    selected = environment(env)
    return option or (selected and selected.dev_database_url()) or resolve_url(None, DEV_URL_ENV)


def lock_timeout_of(option: str | None, env: str | None = None) -> str:
    """``lock_timeout``: the option, else the environment's, else schemactl.toml's (5s)."""
    selected = environment(env)
    return option or (selected and selected.lock_timeout) or load_project_config().lock_timeout


def pg_version(option: str | None) -> int | None:
    """The dev server's major version for a command without a target: the option,
    else ``pg_version`` in ``schemactl.toml``, else None (the machine's own server)."""
    if option:
        from schemactl.devdb.versions import parse_major

        return parse_major(option)
    return load_project_config().pg_version


def confirm(auto_approve: bool, question: str) -> None:
    """Ask before changing anything; never prompt without a terminal."""
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise PlanRefused(
            "refusing to prompt for confirmation: standard input is not a terminal "
            "(pass --auto-approve to go ahead without asking); nothing was changed"
        )
    if not typer.confirm(question, default=False):
        raise PlanRefused("cancelled; nothing was changed")


def show_pooling(pooling: Pooling) -> None:
    """Say so when the target is pooled per transaction: the lock and the work change shape."""
    if pooling.transaction_pooled:
        out.print(
            styled(
                f"note: the target is reached through {pooling.describe()}: schemactl holds "
                "its lock with pg_advisory_xact_lock in one transaction that does all the work",
                style="yellow",
            )
        )
