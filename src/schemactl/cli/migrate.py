"""``migrate diff|apply|hash``: versioned migration files. Options and exit codes only;
the work is in ``schemactl.migrations``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from schemactl.cli.app import command_imports, sub_app
from schemactl.cli.options import (
    DatabaseOpt,
    DevOpt,
    EnvOpt,
    ExcludeOpt,
    IncludeOpt,
    LockTimeoutOpt,
    MigrationsOpt,
    NoColorOpt,
    PgBinOpt,
    PgVersionOpt,
    ProfileOpt,
    QuietOpt,
    ReadOnlyDatabaseOpt,
    SchemaOpt,
    StatementTimeoutOpt,
    VerboseOpt,
    WaitLockOpt,
    dev_url,
    lock_timeout_of,
    optional_target_url,
    out,
    pg_version,
    scope_of,
    show_pooling,
    styled,
    target_url,
)
from schemactl.errors import SchemactlError

if TYPE_CHECKING:
    from schemactl.migrations.deploy import Deployed

migrate_app = sub_app(
    "migrate", "Versioned migration files: write the next one, apply pending ones, re-hash."
)


@migrate_app.command("diff")
def migrate_diff(
    name: Annotated[str, typer.Argument(help="What the migration does, e.g. add_user_email.")],
    schema: SchemaOpt = Path("schema"),
    migrations: MigrationsOpt = Path("migrations"),
    dev_url_option: DevOpt = None,
    pg_bin: PgBinOpt = None,
    pg_version_option: PgVersionOpt = None,
    allow_empty: Annotated[
        bool, typer.Option("--allow-empty", help="Accept an empty schema folder.")
    ] = False,
    include_schema: IncludeOpt = None,
    exclude_schema: ExcludeOpt = None,
    profile: ProfileOpt = None,
    env: EnvOpt = None,
    database_url: ReadOnlyDatabaseOpt = None,
) -> None:
    """Write the next migration: from the replay of migrations/ to schema/, down script tested."""
    with command_imports():
        from schemactl.migrations.authoring import DiffRequest, diff_migration
        from schemactl.migrations.files import MANIFEST_NAME
    result = diff_migration(
        DiffRequest(
            name=name,
            schema_dir=schema,
            migrations_dir=migrations,
            dev_url=dev_url(dev_url_option, env),
            pg_bin=pg_bin,
            allow_empty=allow_empty,
            scope=scope_of(include_schema, exclude_schema, profile, env),
            database_url=optional_target_url(database_url, env),
            pg_version=pg_version(pg_version_option),
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
        out.print(styled(f"warning: {warning}", style="yellow"))
    if result.not_reversible:
        out.print(styled("The down script is NOT REVERSIBLE:", style="bold red"))
        for reason in result.not_reversible:
            out.print(styled(f"  - {reason}", style="red"))
    else:
        out.print("The down script was tested: after the up script it restores the schema.")


@migrate_app.command("hash")
def migrate_hash(migrations: MigrationsOpt = Path("migrations")) -> None:
    """Rewrite migrations/schemactl.sum after a deliberate edit of the files."""
    with command_imports():
        from schemactl.migrations import manifest
        from schemactl.migrations.files import MANIFEST_NAME
    if not migrations.is_dir():
        raise SchemactlError(f"migrations folder {migrations} does not exist")
    written = manifest.write(migrations)
    out.print(f"Wrote {migrations}/{MANIFEST_NAME} ({len(written.files)} file(s)).")


def _report_deployed(done: Deployed) -> None:
    resumed = f", resumed after statement {done.resumed_from}" if done.resumed_from else ""
    out.print(
        f"Applied {done.migration.id} ({done.statements} statement(s), "
        f"{done.duration_ms} ms{resumed})."
    )


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
    statement_timeout: StatementTimeoutOpt = None,
    wait_lock: WaitLockOpt = False,
    include_schema: IncludeOpt = None,
    exclude_schema: ExcludeOpt = None,
    profile: ProfileOpt = None,
    env: EnvOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    no_color: NoColorOpt = False,
) -> None:
    """Apply pending migration files in order, each in its own transaction, recorded in history."""
    with command_imports():
        from rich.syntax import Syntax

        from schemactl.apply.history import read_history
        from schemactl.apply.lock import exclusive, refuse_outside_one_transaction
        from schemactl.db import connect, describe
        from schemactl.migrations.deploy import beyond_one_transaction, deploy_pending, plan_deploy
        from schemactl.migrations.files import read_folder
        from schemactl.migrations.runner import RunOptions
        from schemactl.output.progress import progress_for
        from schemactl.pooler import detect_pooling
    folder = read_folder(migrations)
    if not folder.exists:
        raise SchemactlError(f"migrations folder {migrations} does not exist")
    url = target_url(database_url, env)
    progress = progress_for(out, quiet, verbose)
    options = RunOptions(
        lock_timeout=lock_timeout_of(lock_timeout, env),
        statement_timeout=statement_timeout,
        scope=scope_of(include_schema, exclude_schema, profile, env),
        progress=progress,
    )
    conn = connect(url, "target database")
    try:
        pooling = detect_pooling(conn, url)
        show_pooling(pooling)
        with exclusive(conn, pooling, wait_lock):
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
                    out.print(styled(f"-- {pending.migration.up.name}{resume}", style="bold"))
                    out.print(Syntax(pending.migration.up_text().strip(), "sql", theme="ansi_dark"))
                return
            refuse_outside_one_transaction(
                pooling, beyond_one_transaction(plan), action="apply these migrations"
            )
            report = (lambda deployed: None) if quiet else _report_deployed
            applied = len(deploy_pending(conn, plan, options, pooling.transaction_pooled, report))
    finally:
        conn.close()
    out.print(f"[green]Applied {applied} migration(s) to {describe(url)}.[/green]")
