"""Commands of the migration lifecycle: ``migrate diff|apply|hash``, ``rollback``,
``verify`` and ``status``. Options and exit codes only; the work is in
``schemactl.migrations``.

Exit codes follow the CLI contract: 0 success, 2 mismatch found (verify), 1 error.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.syntax import Syntax
from rich.text import Text

from schemactl.apply import target_lock
from schemactl.apply.history import ensure_history_table, read_history
from schemactl.config import DATABASE_URL_ENV, DEV_URL_ENV, load_project_config, resolve_url
from schemactl.db import connect, describe
from schemactl.errors import PlanRefused, SchemactlError
from schemactl.migrations import manifest
from schemactl.migrations.authoring import DiffRequest, diff_migration
from schemactl.migrations.deploy import deploy_one, plan_deploy
from schemactl.migrations.errors import MigrationError, RollbackRefused
from schemactl.migrations.files import MANIFEST_NAME, read_folder
from schemactl.migrations.rollback import execute_rollback, plan_rollback
from schemactl.migrations.runner import RunOptions
from schemactl.migrations.status import build_status
from schemactl.migrations.verify import VerifyRequest, verify
from schemactl.output.rollback_view import show_rollback
from schemactl.output.status_view import show_status
from schemactl.output.verify_view import show_verify

EXIT_MISMATCH = 2

out = Console(highlight=False)

migrate_app = typer.Typer(
    name="migrate",
    help="Versioned migration files: write the next one, apply pending ones, re-hash.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


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
    typer.Option("--dev-url", help=f"Server for temporary dev databases (env {DEV_URL_ENV})."),
]
PgBinOpt = Annotated[
    str | None, typer.Option("--pg-bin", help="Folder of PostgreSQL server binaries (env PG_BIN).")
]
FormatOpt = Annotated[ReportFormat, typer.Option("--format", help="text or json.")]
LockTimeoutOpt = Annotated[
    str | None, typer.Option("--lock-timeout", help="lock_timeout for each statement (default 5s).")
]
WaitLockOpt = Annotated[
    bool, typer.Option("--wait-lock", help="Wait for another running schemactl instead of failing.")
]


def _target_url(option: str | None) -> str:
    url = resolve_url(option, DATABASE_URL_ENV)
    if not url:
        raise SchemactlError(f"no target database: pass --database-url or set {DATABASE_URL_ENV}")
    return url


def _confirm(auto_approve: bool, question: str) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise PlanRefused(
            "refusing to prompt for confirmation: standard input is not a terminal "
            "(pass --auto-approve to go ahead without asking); nothing was changed"
        )
    if not typer.confirm(question, default=False):
        raise PlanRefused("cancelled; nothing was changed")


@migrate_app.command("diff")
def migrate_diff(
    name: Annotated[str, typer.Argument(help="What the migration does, e.g. add_user_email.")],
    schema: SchemaOpt = Path("schema"),
    migrations: MigrationsOpt = Path("migrations"),
    dev_url: DevOpt = None,
    pg_bin: PgBinOpt = None,
    allow_empty: Annotated[
        bool, typer.Option("--allow-empty", help="Accept an empty schema folder.")
    ] = False,
) -> None:
    """Write the next migration: from the replay of migrations/ to schema/, down script tested."""
    result = diff_migration(
        DiffRequest(
            name=name,
            schema_dir=schema,
            migrations_dir=migrations,
            dev_url=resolve_url(dev_url, DEV_URL_ENV),
            pg_bin=pg_bin,
            allow_empty=allow_empty,
        )
    )
    if result.migration is None:
        out.print(
            f"[green]No changes: {migrations} already reaches {schema}; nothing written.[/green]"
        )
        return
    migration = result.migration
    out.print(
        f"[green]Wrote {migration.up} and {migration.down} "
        f"({len(result.plan.steps)} change(s)); {migrations}/{MANIFEST_NAME} updated.[/green]"
    )
    for warning in result.warnings:
        out.print(Text(f"warning: {warning}", style="yellow"))
    if result.not_reversible:
        out.print(Text("The down script is NOT REVERSIBLE:", style="bold red"))
        for reason in result.not_reversible:
            out.print(Text(f"  - {reason}", style="red"))
    else:
        out.print("The down script was tested: after the up script it restores the schema.")


@migrate_app.command("hash")
def migrate_hash(migrations: MigrationsOpt = Path("migrations")) -> None:
    """Rewrite migrations/schemactl.sum after a deliberate edit of the files."""
    if not migrations.is_dir():
        raise SchemactlError(f"migrations folder {migrations} does not exist")
    written = manifest.write(migrations)
    out.print(f"Wrote {migrations}/{MANIFEST_NAME} ({len(written.files)} file(s)).")


@migrate_app.command("apply")
def migrate_apply(
    database_url: DatabaseOpt = None,
    migrations: MigrationsOpt = Path("migrations"),
    to: Annotated[
        str | None, typer.Option("--to", help="Apply pending migrations up to this version.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would run; change nothing.")
    ] = False,
    lock_timeout: LockTimeoutOpt = None,
    statement_timeout: Annotated[
        str | None,
        typer.Option("--statement-timeout", help="statement_timeout for each statement."),
    ] = None,
    wait_lock: WaitLockOpt = False,
) -> None:
    """Apply pending migration files in order, each in its own transaction, recorded in history."""
    folder = read_folder(migrations)
    if not folder.exists:
        raise SchemactlError(f"migrations folder {migrations} does not exist")
    url = _target_url(database_url)
    options = RunOptions(
        lock_timeout=lock_timeout or load_project_config().lock_timeout,
        statement_timeout=statement_timeout,
    )
    conn = connect(url, "target database")
    try:
        with target_lock(conn, wait=wait_lock):
            plan = plan_deploy(folder, read_history(conn), to)
            if not plan.pending:
                out.print("[green]No pending migrations.[/green]")
                return
            if dry_run:
                out.print(f"{len(plan.pending)} pending migration(s) would be applied (dry run):")
                for pending in plan.pending:
                    resume = (
                        f" (resuming after statement {pending.resume_from})"
                        if pending.resume_entry
                        else ""
                    )
                    out.print(Text(f"-- {pending.migration.up.name}{resume}", style="bold"))
                    out.print(Syntax(pending.migration.up_text().strip(), "sql", theme="ansi_dark"))
                return
            ensure_history_table(conn)
            applied = 0
            for pending in plan.pending:
                try:
                    done = deploy_one(conn, pending, options)
                except MigrationError as exc:
                    before = f"; {applied} migration(s) before it were applied" if applied else ""
                    raise MigrationError(f"{exc}{before}") from None
                applied += 1
                resumed = (
                    f", resumed after statement {done.resumed_from}" if done.resumed_from else ""
                )
                out.print(
                    f"Applied {done.migration.id} ({done.statements} statement(s), "
                    f"{done.duration_ms} ms{resumed})."
                )
    finally:
        conn.close()
    out.print(f"[green]Applied {applied} migration(s) to {describe(url)}.[/green]")


def rollback(
    database_url: DatabaseOpt = None,
    steps: Annotated[
        int | None, typer.Option("--steps", help="Undo the newest N history entries (default 1).")
    ] = None,
    to: Annotated[
        str | None,
        typer.Option("--to", help="Undo every entry newer than this version (which stays)."),
    ] = None,
    auto_approve: Annotated[
        bool, typer.Option("--auto-approve", help="Do not ask for confirmation.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Roll back even NOT REVERSIBLE entries, or a schema that drifted."
        ),
    ] = False,
    lock_timeout: LockTimeoutOpt = None,
    wait_lock: WaitLockOpt = False,
) -> None:
    """Undo the newest applies or migrations with their recorded down SQL, in one transaction."""
    url = _target_url(database_url)
    options = RunOptions(lock_timeout=lock_timeout or load_project_config().lock_timeout)
    conn = connect(url, "target database")
    try:
        with target_lock(conn, wait=wait_lock):
            plan = plan_rollback(conn, read_history(conn), steps, to)
            if not plan.entries:
                out.print(f"[green]Nothing to roll back: {to} is the newest entry.[/green]")
                return
            show_rollback(out, plan)
            refusals = plan.refusals(force)
            if refusals:
                raise RollbackRefused(
                    "refusing to roll back (nothing was changed): "
                    + "; ".join(refusals)
                    + ("" if plan.partial else "; pass --force to roll back anyway")
                )
            _confirm(auto_approve, "Roll back these entries?")
            result = execute_rollback(conn, plan, options)
    finally:
        conn.close()
    if not result.one_transaction:
        out.print(
            Text(
                "note: a down script held statements that cannot run in a transaction, "
                "so the rollback ran in several",
                style="yellow",
            )
        )
    for line in result.mismatch:
        out.print(Text(f"warning: differs from the schema recorded before: {line}", style="yellow"))
    out.print(
        f"[green]Rolled back {len(result.entries)} entr{'y' if len(result.entries) == 1 else 'ies'} "
        f"on {describe(url)} in {result.duration_ms} ms (history version {result.version}).[/green]"
    )


def verify_command(
    schema: SchemaOpt = Path("schema"),
    migrations: MigrationsOpt = Path("migrations"),
    database_url: DatabaseOpt = None,
    dev_url: DevOpt = None,
    pg_bin: PgBinOpt = None,
    format: FormatOpt = ReportFormat.text,
) -> None:
    """Check manifest, history, live schema and verify scripts: exit 0 good, 2 mismatch, 1 error."""
    report = verify(
        VerifyRequest(
            migrations_dir=migrations,
            schema_dir=schema,
            database_url=resolve_url(database_url, DATABASE_URL_ENV),
            dev_url=resolve_url(dev_url, DEV_URL_ENV),
            pg_bin=pg_bin,
        )
    )
    if format is ReportFormat.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        show_verify(out, report)
    if report.failed:
        raise typer.Exit(EXIT_MISMATCH)


def status(
    database_url: DatabaseOpt = None,
    migrations: MigrationsOpt = Path("migrations"),
    format: FormatOpt = ReportFormat.text,
) -> None:
    """Applied and pending migrations (and declarative applies), with times."""
    folder = read_folder(migrations)
    conn = connect(_target_url(database_url), "target database")
    try:
        rows = read_history(conn)
    finally:
        conn.close()
    report = build_status(rows, folder)
    if format is ReportFormat.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        show_status(out, report)


def register(app: typer.Typer) -> None:
    """Add the lifecycle commands to the main application."""
    app.add_typer(migrate_app, name="migrate")
    app.command("rollback")(rollback)
    app.command("verify")(verify_command)
    app.command("status")(status)
