"""``schemactl partitions``: just the upkeep rolling partition rules demand, for a scheduler."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from schemactl.cli.app import app, command_imports
from schemactl.cli.options import (
    AllowHazardsOpt,
    AutoApproveOpt,
    DatabaseOpt,
    EnvOpt,
    ExcludeOpt,
    IncludeOpt,
    LockTimeoutOpt,
    ProfileOpt,
    SchemaOpt,
    WaitLockOpt,
    confirm,
    lock_timeout_of,
    out,
    scope_of,
    show_pooling,
    target_url,
)
from schemactl.config import clock, load_project_config

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
    profile: ProfileOpt = None,
    now: NowOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the upkeep; change nothing.")
    ] = False,
    auto_approve: AutoApproveOpt = False,
    allow_destructive: Annotated[
        bool, typer.Option("--allow-destructive", help="Allow dropping expired partitions.")
    ] = False,
    allow_hazards: AllowHazardsOpt = None,
    lock_timeout: LockTimeoutOpt = None,
    wait_lock: WaitLockOpt = False,
    env: EnvOpt = None,
) -> None:
    """Create due partitions and retire expired ones, as the schema's rules say."""
    with command_imports():
        from schemactl.apply.allowance import allowed_hazards, refuse_unallowed
        from schemactl.apply.executor import ApplyOptions, apply_plan, steps_beyond_one_transaction
        from schemactl.apply.lock import exclusive, refuse_outside_one_transaction
        from schemactl.db import connect, describe
        from schemactl.output.plan_view import show_plan
        from schemactl.pipeline import DesiredSource, upkeep_plan
        from schemactl.pooler import detect_pooling
    project = load_project_config()
    allowed = allowed_hazards(allow_destructive, allow_hazards)
    source = DesiredSource(schema, now=clock(now))
    source.statements  # noqa: B018 - read the schema before connecting: bad input first
    scope = scope_of(include_schema, exclude_schema, profile, env)
    url = target_url(database_url, env)
    conn = connect(url, "target database")
    try:
        pooling = detect_pooling(conn, url)
        show_pooling(pooling)
        with exclusive(conn, pooling, wait_lock):
            result = upkeep_plan(conn, source, scope)
            show_plan(out, result)
            if not result.has_changes or dry_run:
                return
            refuse_unallowed(result, allowed, frozenset(project.require_allow))
            refuse_outside_one_transaction(pooling, steps_beyond_one_transaction(result.steps))
            confirm(auto_approve, "Apply this partition upkeep?")
            options = ApplyOptions(lock_timeout=lock_timeout_of(lock_timeout, env), scope=scope)
            applied = apply_plan(conn, result, options)
    finally:
        conn.close()
    out.print(
        f"[green]Partition upkeep: {applied.steps} step(s) on {describe(url)} "
        f"(history version {applied.version}).[/green]"
    )
