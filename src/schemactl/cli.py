"""The command line: options, exit codes, and nothing else.

Exit codes are a contract: 0 success / no changes, 2 changes or drift found,
1 any error. Every error is one line on stderr, with secrets redacted.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import psycopg
import typer
from psycopg import sql
from rich.console import Console

from schemactl import __version__
from schemactl.apply import ApplyOptions, apply_plan, target_lock
from schemactl.cli_lifecycle import register as register_lifecycle_commands
from schemactl.config import (
    DATABASE_URL_ENV,
    DEV_URL_ENV,
    Scope,
    load_project_config,
    redact,
    resolve_url,
)
from schemactl.db import connect, describe
from schemactl.diff.changes import ALL_HAZARDS, DESTRUCTIVE
from schemactl.errors import PlanRefused, SchemactlError
from schemactl.output.drift_view import drift_json, show_drift
from schemactl.output.plan_view import show_plan
from schemactl.pipeline import DesiredSource, plan_against, target_fingerprint
from schemactl.plan import Plan
from schemactl.plan.planfile import read_plan_file

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2

app = typer.Typer(
    name="schemactl",
    help="Schema-as-code migrations for PostgreSQL: plan, apply, drift.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console(highlight=False)


class PlanFormat(StrEnum):
    text = "text"
    sql = "sql"
    json = "json"


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


SchemaOpt = Annotated[
    Path, typer.Option("--schema", help="Folder of the desired schema's SQL files.")
]
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
IncludeOpt = Annotated[
    list[str] | None, typer.Option("--include-schema", help="Only these schemas (repeatable).")
]
ExcludeOpt = Annotated[
    list[str] | None,
    typer.Option("--exclude-schema", help="Leave these schemas alone (repeatable)."),
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


def _scope(include: list[str] | None, exclude: list[str] | None) -> Scope:
    return Scope(tuple(include or ()), tuple(exclude or ()))


def _target_url(option: str | None) -> str:
    url = resolve_url(option, DATABASE_URL_ENV)
    if not url:
        raise SchemactlError(f"no target database: pass --database-url or set {DATABASE_URL_ENV}")
    return url


def _plan_once(
    database_url: str | None, source: DesiredSource, scope: Scope, online: bool = True
) -> Plan:
    """Plan against the target on a connection of its own (plan and drift never write)."""
    source.statements  # noqa: B018 - read the schema before connecting: bad input first
    conn = connect(_target_url(database_url), "target database")
    try:
        return plan_against(conn, source, scope, online)
    finally:
        conn.close()


@app.command()
def plan(
    schema: SchemaOpt = Path("schema"),
    database_url: DatabaseOpt = None,
    dev_url: DevOpt = None,
    pg_bin: PgBinOpt = None,
    include_schema: IncludeOpt = None,
    exclude_schema: ExcludeOpt = None,
    allow_empty: AllowEmptyOpt = False,
    format: Annotated[
        PlanFormat, typer.Option("--format", help="text, sql or json.")
    ] = PlanFormat.text,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Also write the plan to this file.")
    ] = None,
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit 2 when there are changes, 0 when none.")
    ] = False,
    online: OnlineOpt = True,
) -> None:
    """Show what apply would change. Never changes the target."""
    result = _plan_once(
        database_url,
        DesiredSource(schema, resolve_url(dev_url, DEV_URL_ENV), pg_bin, allow_empty),
        _scope(include_schema, exclude_schema),
        online,
    )
    if format is PlanFormat.json:
        rendered = json.dumps(result.to_json(), indent=2)
        print(rendered)
    elif format is PlanFormat.sql:
        rendered = result.up_sql()
        sys.stdout.write(rendered)
    else:
        rendered = json.dumps(result.to_json(), indent=2) if out_file else ""
        show_plan(out, result)
    if out_file:
        out_file.write_text(rendered if format is not PlanFormat.sql else result.up_sql())
    if exit_code and result.has_changes:
        raise typer.Exit(EXIT_CHANGES)


def _allowed_hazards(allow_destructive: bool, allow_hazards: str | None) -> frozenset[str]:
    if allow_destructive:
        return frozenset(ALL_HAZARDS)
    named = frozenset(h.strip() for h in (allow_hazards or "").split(",") if h.strip())
    unknown = named - set(ALL_HAZARDS)
    if unknown:
        raise SchemactlError(
            f"unknown hazard class {', '.join(sorted(unknown))} (known: {', '.join(ALL_HAZARDS)})"
        )
    return named


def _refuse_unallowed(result: Plan, allowed: frozenset[str], required: frozenset[str]) -> None:
    guarded = DESTRUCTIVE | required
    blocked = [s for s in result.steps if (s.hazard_kinds & guarded) - allowed]
    if not blocked:
        return
    lines = [
        f"  {s.action} {s.kind} {s.name}: {', '.join(sorted((s.hazard_kinds & guarded) - allowed))}"
        for s in blocked
    ]
    classes = sorted({h for s in blocked for h in (s.hazard_kinds & guarded) - allowed})
    raise PlanRefused(
        "refusing to apply hazardous steps (nothing was changed):\n"
        + "\n".join(lines)
        + f"\nallow them with --allow-hazards {','.join(classes)} or --allow-destructive"
    )


def _refuse_missing_roles(result: Plan) -> None:
    if result.missing_roles:
        raise PlanRefused(
            f"the schema names roles the target does not have: {', '.join(result.missing_roles)}; "
            "roles are server-wide: create them on the target first (nothing was changed)"
        )


def _still_valid(reviewed: Plan, live_fingerprint: str, path: Path | None) -> Plan:
    if reviewed.target_fingerprint != live_fingerprint:
        raise PlanRefused(
            f"the target's schema changed since the plan {path} was made; "
            "make a new plan and review it again (nothing was changed)"
        )
    return reviewed


def _confirm(auto_approve: bool) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise PlanRefused(
            "refusing to prompt for confirmation: standard input is not a terminal "
            "(pass --auto-approve to apply without asking); nothing was changed"
        )
    if not typer.confirm("Apply these changes?", default=False):
        raise PlanRefused("apply cancelled; nothing was changed")


@app.command()
def apply(
    schema: SchemaOpt = Path("schema"),
    database_url: DatabaseOpt = None,
    dev_url: DevOpt = None,
    pg_bin: PgBinOpt = None,
    include_schema: IncludeOpt = None,
    exclude_schema: ExcludeOpt = None,
    allow_empty: AllowEmptyOpt = False,
    auto_approve: Annotated[
        bool, typer.Option("--auto-approve", help="Do not ask for confirmation.")
    ] = False,
    allow_destructive: Annotated[
        bool,
        typer.Option("--allow-destructive", help="Allow every hazard class, data loss included."),
    ] = False,
    allow_hazards: Annotated[
        str | None, typer.Option("--allow-hazards", help="Comma-separated hazard classes to allow.")
    ] = None,
    lock_timeout: Annotated[
        str | None,
        typer.Option("--lock-timeout", help="lock_timeout for the migration (default 5s)."),
    ] = None,
    statement_timeout: Annotated[
        str | None, typer.Option("--statement-timeout", help="statement_timeout for the migration.")
    ] = None,
    wait_lock: Annotated[
        bool, typer.Option("--wait-lock", help="Wait for another running apply instead of failing.")
    ] = False,
    lock_retries: Annotated[
        int, typer.Option("--lock-retries", help="Retries, with backoff, after a lock timeout.")
    ] = 3,
    online: OnlineOpt = True,
    plan_file: Annotated[
        Path | None,
        typer.Option("--plan", help="Apply exactly this reviewed plan (from plan --out)."),
    ] = None,
    role: Annotated[
        str | None, typer.Option("--role", help="Run the migration under SET ROLE.")
    ] = None,
) -> None:
    """Plan, confirm, and apply the changes: one transaction where PostgreSQL allows."""
    project = load_project_config()
    allowed = _allowed_hazards(allow_destructive, allow_hazards)
    scope = _scope(include_schema, exclude_schema)
    source = DesiredSource(schema, resolve_url(dev_url, DEV_URL_ENV), pg_bin, allow_empty)
    reviewed = read_plan_file(plan_file) if plan_file else None
    if reviewed is None:
        source.statements  # noqa: B018 - read the schema before connecting: bad input first
    url = _target_url(database_url)
    conn = connect(url, "target database")
    try:
        if role:
            conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
        with target_lock(conn, wait=wait_lock):
            if reviewed is not None:
                result = _still_valid(reviewed, target_fingerprint(conn, scope), plan_file)
            else:
                result = plan_against(conn, source, scope, online)
            show_plan(out, result)
            if not result.has_changes:
                return
            _refuse_missing_roles(result)
            _refuse_unallowed(result, allowed, frozenset(project.require_allow))
            _confirm(auto_approve)
            options = ApplyOptions(
                lock_timeout=lock_timeout or project.lock_timeout,
                statement_timeout=statement_timeout,
                lock_retries=lock_retries,
            )
            applied = apply_plan(conn, result, options)
    finally:
        conn.close()
    out.print(
        f"[green]Applied {applied.steps} step(s) to {describe(url)} in {applied.duration_ms} ms "
        f"(history version {applied.version}).[/green]"
    )


@app.command()
def drift(
    schema: SchemaOpt = Path("schema"),
    database_url: DatabaseOpt = None,
    dev_url: DevOpt = None,
    pg_bin: PgBinOpt = None,
    include_schema: IncludeOpt = None,
    exclude_schema: ExcludeOpt = None,
    allow_empty: AllowEmptyOpt = False,
    format: Annotated[
        ReportFormat, typer.Option("--format", help="text or json.")
    ] = ReportFormat.text,
) -> None:
    """Compare the database with the schema folder: exit 0 in sync, 2 drift, 1 error."""
    result = _plan_once(
        database_url,
        DesiredSource(schema, resolve_url(dev_url, DEV_URL_ENV), pg_bin, allow_empty),
        _scope(include_schema, exclude_schema),
    )
    if format is ReportFormat.json:
        print(json.dumps(drift_json(result), indent=2))
    else:
        show_drift(out, result)
    if result.has_changes:
        raise typer.Exit(EXIT_CHANGES)


@app.command()
def version() -> None:
    """Print schemactl's version."""
    print(f"schemactl {__version__}")


register_lifecycle_commands(app)  # migrate, rollback, verify, status


def _print_error(message: str) -> None:
    """Errors are plain text on stderr, never wrapped, secrets redacted."""
    sys.stderr.write(f"error: {redact(message)}\n")
    sys.stderr.flush()


def _exception_classes(name: str) -> tuple[type[BaseException], ...]:
    """The exception class ``name`` wherever typer's click lives: typer may vendor
    its own copy (and then click itself may not be installed at all)."""
    found: list[type[BaseException]] = []
    for module in ("typer", "typer._click.exceptions", "click.exceptions"):
        with contextlib.suppress(ImportError):
            cls = getattr(importlib.import_module(module), name, None)
            if isinstance(cls, type) and issubclass(cls, BaseException):
                found.append(cls)
    return tuple(dict.fromkeys(found))


_EXIT_SIGNALS = _exception_classes("Exit")
_ABORTS = _exception_classes("Abort")
_USAGE_ERRORS = _exception_classes("ClickException")


def main() -> None:
    """Console entry point: map every outcome onto the exit-code contract."""
    try:
        code = app(standalone_mode=False)
    except _EXIT_SIGNALS as exc:
        code = getattr(exc, "exit_code", EXIT_ERROR)
    except _ABORTS:
        _print_error("aborted")
        code = EXIT_ERROR
    except _USAGE_ERRORS as exc:
        _print_error(str(getattr(exc, "format_message", exc.__str__)()))
        code = EXIT_ERROR
    except SchemactlError as exc:
        _print_error(str(exc))
        code = EXIT_ERROR
    except psycopg.Error as exc:
        _print_error(" ".join(str(exc).split()))
        code = EXIT_ERROR
    except KeyboardInterrupt:
        _print_error("interrupted")
        code = EXIT_ERROR
    sys.exit(code if isinstance(code, int) else EXIT_OK)
