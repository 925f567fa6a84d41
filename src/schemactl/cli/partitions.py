"""``schemactl partitions``: just the upkeep rolling partition rules demand, for a scheduler."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from schemactl.apply import ApplyOptions, apply_plan, target_lock
from schemactl.cli.app import app
from schemactl.cli.options import (
    AutoApproveOpt,
    DatabaseOpt,
    ExcludeOpt,
    IncludeOpt,
    LockTimeoutOpt,
    SchemaOpt,
    WaitLockOpt,
    confirm,
    out,
    scope_of,
    target_url,
)
from schemactl.cli.safety import allowed_hazards, refuse_unallowed
from schemactl.config import clock, load_project_config
from schemactl.db import connect, describe
from schemactl.output.plan_view import show_plan
from schemactl.pipeline import DesiredSource, upkeep_plan

NowOpt = Annotated[
    str | None,
    typer.Option("--now", help="Plan for this moment instead of now (ISO date or time)."),
]


@app.command()
def partitions(
    schema: SchemaOpt = Path("schema"),
    database_url: DatabaseOpt = None,
    include_schema: IncludeOpt = None,
    exclude_schema: ExcludeOpt = None,
    now: NowOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the upkeep; change nothing.")
    ] = False,
    auto_approve: AutoApproveOpt = False,
    allow_destructive: Annotated[
        bool, typer.Option("--allow-destructive", help="Allow dropping expired partitions.")
    ] = False,
    allow_hazards: Annotated[
        str | None, typer.Option("--allow-hazards", help="Comma-separated hazard classes to allow.")
    ] = None,
    lock_timeout: LockTimeoutOpt = None,
    wait_lock: WaitLockOpt = False,
) -> None:
    """Create due partitions and retire expired ones, as the schema's rules say."""
    project = load_project_config()
    allowed = allowed_hazards(allow_destructive, allow_hazards)
    source = DesiredSource(schema, now=clock(now))
    source.statements  # noqa: B018 - read the schema before connecting: bad input first
    url = target_url(database_url)
    conn = connect(url, "target database")
    try:
        with target_lock(conn, wait=wait_lock):
            result = upkeep_plan(conn, source, scope_of(include_schema, exclude_schema))
            show_plan(out, result)
            if not result.has_changes or dry_run:
                return
            refuse_unallowed(result, allowed, frozenset(project.require_allow))
            confirm(auto_approve, "Apply this partition upkeep?")
            options = ApplyOptions(lock_timeout=lock_timeout or project.lock_timeout)
            applied = apply_plan(conn, result, options)
    finally:
        conn.close()
    out.print(
        f"[green]Partition upkeep: {applied.steps} step(s) on {describe(url)} "
        f"(history version {applied.version}).[/green]"
    )
