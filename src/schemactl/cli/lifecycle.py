"""``rollback``, ``verify`` and ``status``: what happened to a target, and undoing it.

Exit codes follow the CLI contract: 0 success, 2 mismatch found (verify), 1 error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from schemactl.cli.app import app, command_imports
from schemactl.cli.options import (
    EXIT_CHANGES,
    AllowVersionMismatchOpt,
    AutoApproveOpt,
    DatabaseOpt,
    DevOpt,
    EnvOpt,
    ExcludeOpt,
    IncludeOpt,
    LockTimeoutOpt,
    MigrationsOpt,
    PgBinOpt,
    ProfileOpt,
    ReportFormat,
    ReportFormatOpt,
    SchemaOpt,
    WaitLockOpt,
    confirm,
    dev_url,
    lock_timeout_of,
    optional_target_url,
    out,
    scope_of,
    show_pooling,
    styled,
    target_url,
)


@app.command("rollback")
def rollback(
    database_url: DatabaseOpt = None,
    steps: Annotated[
        int | None, typer.Option("--steps", help="Undo the newest N history entries (default 1).")
    ] = None,
    to: Annotated[
        str | None,
        typer.Option("--to", help="Undo every entry newer than this version (which stays)."),
    ] = None,
    auto_approve: AutoApproveOpt = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Roll back even NOT REVERSIBLE entries, or a schema that drifted."
        ),
    ] = False,
    lock_timeout: LockTimeoutOpt = None,
    wait_lock: WaitLockOpt = False,
    include_schema: IncludeOpt = None,
    exclude_schema: ExcludeOpt = None,
    profile: ProfileOpt = None,
    env: EnvOpt = None,
) -> None:
    """Undo the newest applies or migrations with their recorded down SQL, in one transaction."""
    with command_imports():
        from schemactl.apply.history import read_history
        from schemactl.apply.lock import exclusive, refuse_outside_one_transaction
        from schemactl.db import connect, describe
        from schemactl.migrations.errors import RollbackRefused
        from schemactl.migrations.rollback import (
            beyond_one_transaction,
            execute_rollback,
            plan_rollback,
        )
        from schemactl.migrations.runner import RunOptions
        from schemactl.output.rollback_view import show_rollback
        from schemactl.pooler import detect_pooling
    url = target_url(database_url, env)
    scope = scope_of(include_schema, exclude_schema, profile, env)
    options = RunOptions(lock_timeout=lock_timeout_of(lock_timeout, env), scope=scope)
    conn = connect(url, "target database")
    try:
        pooling = detect_pooling(conn, url)
        show_pooling(pooling)
        with exclusive(conn, pooling, wait_lock):
            plan = plan_rollback(conn, read_history(conn), steps, to, scope)
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
            refuse_outside_one_transaction(
                pooling, beyond_one_transaction(plan), action="roll back"
            )
            confirm(auto_approve, "Roll back these entries?")
            result = execute_rollback(conn, plan, options)
    finally:
        conn.close()
    if not result.one_transaction:
        out.print(
            styled(
                "note: a down script held statements that cannot run in a transaction, "
                "so the rollback ran in several",
                style="yellow",
            )
        )
    for line in result.mismatch:
        out.print(
            styled(f"warning: differs from the schema recorded before: {line}", style="yellow")
        )
    out.print(
        f"[green]Rolled back {len(result.entries)} entr{'y' if len(result.entries) == 1 else 'ies'} "
        f"on {describe(url)} in {result.duration_ms} ms (history version {result.version}).[/green]"
    )


@app.command("verify")
def verify_command(
    schema: SchemaOpt = Path("schema"),
    migrations: MigrationsOpt = Path("migrations"),
    database_url: DatabaseOpt = None,
    dev_url_option: DevOpt = None,
    pg_bin: PgBinOpt = None,
    include_schema: IncludeOpt = None,
    exclude_schema: ExcludeOpt = None,
    profile: ProfileOpt = None,
    env: EnvOpt = None,
    allow_version_mismatch: AllowVersionMismatchOpt = False,
    format: ReportFormatOpt = ReportFormat.text,
) -> None:
    """Check manifest, history, live schema and verify scripts: exit 0 good, 2 mismatch, 1 error."""
    with command_imports():
        from schemactl.migrations.verify import VerifyRequest, verify
        from schemactl.output.verify_view import show_verify
    report = verify(
        VerifyRequest(
            migrations_dir=migrations,
            schema_dir=schema,
            database_url=optional_target_url(database_url, env),
            dev_url=dev_url(dev_url_option, env),
            pg_bin=pg_bin,
            scope=scope_of(include_schema, exclude_schema, profile, env),
            allow_version_mismatch=allow_version_mismatch,
        )
    )
    if format is ReportFormat.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        show_verify(out, report)
    if report.failed:
        raise typer.Exit(EXIT_CHANGES)


@app.command("status")
def status(
    database_url: DatabaseOpt = None,
    migrations: MigrationsOpt = Path("migrations"),
    format: ReportFormatOpt = ReportFormat.text,
    env: EnvOpt = None,
) -> None:
    """Applied and pending migrations (and declarative applies), with times."""
    with command_imports():
        from schemactl.apply.history import read_history
        from schemactl.db import connect
        from schemactl.migrations.files import read_folder
        from schemactl.migrations.status import build_status
        from schemactl.output.status_view import show_status
    folder = read_folder(migrations)
    conn = connect(target_url(database_url, env), "target database")
    try:
        rows = read_history(conn)
    finally:
        conn.close()
    report = build_status(rows, folder)
    if format is ReportFormat.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        show_status(out, report)
