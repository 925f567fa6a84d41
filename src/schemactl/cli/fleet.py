"""``schemactl fleet plan|apply|drift|status|migrate-apply``: one schema, many databases.

Targets come from ``--targets FILE`` or ``--fleet NAME`` (``[fleet.NAME]`` in
schemactl.toml). Exit codes as the single-target commands: 2 when any target has
changes or drift, 1 when any failed (or was interrupted), 0 otherwise.
"""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from schemactl.cli.app import command_imports, sub_app
from schemactl.cli.options import (
    EXIT_CHANGES,
    EXIT_ERROR,
    AllowDestructiveOpt,
    AllowEmptyOpt,
    AllowHazardsOpt,
    AllowVersionMismatchOpt,
    AutoApproveOpt,
    DevOpt,
    ExcludeOpt,
    IncludeOpt,
    LockTimeoutOpt,
    MigrationsOpt,
    OnlineOpt,
    PgBinOpt,
    ProfileOpt,
    SchemaOpt,
    StatementTimeoutOpt,
    WaitLockOpt,
    confirm,
    dev_url,
    out,
    scope_of,
)
from schemactl.config import load_project_config
from schemactl.errors import SchemactlError

if TYPE_CHECKING:
    from schemactl.fleet.runner import FleetRun, Outcome, Schedule, Work
    from schemactl.fleet.targets import Fleet
    from schemactl.fleet.work import FleetContext

fleet_app = sub_app(
    "fleet", "One schema, many databases: plan, apply, drift, status across targets."
)


class FleetFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


TargetsOpt = Annotated[
    Path | None,
    typer.Option("--targets", help="File of database URLs, one per line (# comments)."),
]
FleetOpt = Annotated[
    str | None, typer.Option("--fleet", help="A fleet of schemactl.toml ([fleet.NAME]).")
]
ParallelOpt = Annotated[
    int, typer.Option("--parallel", min=1, help="Targets worked on at the same time.")
]
CanaryOpt = Annotated[
    int,
    typer.Option(
        "--canary", min=0, help="Run these first targets alone; the rest only if all pass."
    ),
]
MaxFailuresOpt = Annotated[
    int | None,
    typer.Option("--max-failures", min=1, help="Start no new target after this many failed."),
]
FleetFormatOpt = Annotated[FleetFormat, typer.Option("--format", help="text, json or markdown.")]


def _fleet(targets: Path | None, name: str | None) -> Fleet:
    from schemactl.fleet.targets import Fleet, fleet_from_config, read_targets_file

    if bool(targets) == bool(name):
        raise SchemactlError("name the targets: --targets FILE or --fleet NAME (one of them)")
    if targets:
        return Fleet(tuple(read_targets_file(targets)))
    assert name is not None
    fleet = fleet_from_config(load_project_config(), name)
    if not fleet.targets:
        raise SchemactlError(f"fleet {name} has no targets")
    return fleet


def _run(
    command: str,
    fleet: Fleet,
    work: Work,
    schedule: Schedule,
    format: FleetFormat,
    changes_state: str | None = None,
) -> FleetRun:
    """Run with a progress display on a terminal, plain lines otherwise; report; exit."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from schemactl.fleet.runner import run_fleet
    from schemactl.output.fleet_view import fleet_json, fleet_markdown, show_fleet

    if sys.stdout.isatty() and format is FleetFormat.text:
        with Progress(
            TextColumn(f"fleet {command}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=out,
            transient=True,
        ) as progress:
            task = progress.add_task("", total=len(fleet.targets))

            def done(outcome: Outcome) -> None:
                progress.update(task, advance=1, description=outcome.target.label)

            run = run_fleet(fleet.targets, work, schedule, on_done=done)
    else:

        def line(outcome: Outcome) -> None:
            if format is FleetFormat.text:
                detail = f": {outcome.error}" if outcome.error else ""
                out.print(f"{outcome.target.label}: {outcome.state}{detail}", soft_wrap=True)

        run = run_fleet(fleet.targets, work, schedule, on_done=line)
    if format is FleetFormat.json:
        print(json.dumps(fleet_json(command, run), indent=2))
    elif format is FleetFormat.markdown:
        sys.stdout.write(fleet_markdown(command, run))
    else:
        show_fleet(out, command, run)
    if run.failures or run.interrupted:
        raise typer.Exit(EXIT_ERROR)
    if changes_state and any(o.state == changes_state for o in run.outcomes):
        raise typer.Exit(EXIT_CHANGES)
    return run


def _context(
    stack: ExitStack,
    fleet: Fleet,
    schema: Path,
    dev: str | None,
    pg_bin: str | None,
    allow_empty: bool,
    allow_version_mismatch: bool,
    include: list[str] | None,
    exclude: list[str] | None,
    profile: str | None,
    online: bool = True,
) -> FleetContext:
    from schemactl.fleet.work import FleetContext
    from schemactl.pipeline import DesiredSource

    source = DesiredSource(
        schema, dev_url(dev), pg_bin, allow_empty, allow_version_mismatch=allow_version_mismatch
    )
    source.statements  # noqa: B018 - read the schema before connecting: bad input first
    return FleetContext(
        source, scope_of(include, exclude, profile), stack, online, fleet.template_schema
    )


@fleet_app.command("plan")
def fleet_plan(
    targets: TargetsOpt = None,
    fleet: FleetOpt = None,
    schema: SchemaOpt = Path("schema"),
    dev_url_option: DevOpt = None,
    pg_bin: PgBinOpt = None,
    include_schema: IncludeOpt = None,
    exclude_schema: ExcludeOpt = None,
    profile: ProfileOpt = None,
    allow_empty: AllowEmptyOpt = False,
    allow_version_mismatch: AllowVersionMismatchOpt = False,
    online: OnlineOpt = True,
    parallel: ParallelOpt = 4,
    format: FleetFormatOpt = FleetFormat.text,
) -> None:
    """Plan every target against the schema (one dev database): exit 2 if any has changes."""
    with command_imports():
        from schemactl.fleet.runner import Schedule
        from schemactl.fleet.work import CHANGES, plan_work
    chosen = _fleet(targets, fleet)
    with ExitStack() as stack:
        ctx = _context(
            stack, chosen, schema, dev_url_option, pg_bin, allow_empty, allow_version_mismatch,
            include_schema, exclude_schema, profile, online,
        )  # fmt: skip
        _run("plan", chosen, plan_work(ctx), Schedule(parallel), format, CHANGES)


@fleet_app.command("drift")
def fleet_drift(
    targets: TargetsOpt = None,
    fleet: FleetOpt = None,
    schema: SchemaOpt = Path("schema"),
    dev_url_option: DevOpt = None,
    pg_bin: PgBinOpt = None,
    include_schema: IncludeOpt = None,
    exclude_schema: ExcludeOpt = None,
    profile: ProfileOpt = None,
    allow_empty: AllowEmptyOpt = False,
    allow_version_mismatch: AllowVersionMismatchOpt = False,
    parallel: ParallelOpt = 4,
    format: FleetFormatOpt = FleetFormat.text,
) -> None:
    """Compare every target with the schema: exit 0 all in sync, 2 any drift, 1 any error."""
    with command_imports():
        from schemactl.fleet.runner import Schedule
        from schemactl.fleet.work import DRIFT, drift_work
    chosen = _fleet(targets, fleet)
    with ExitStack() as stack:
        ctx = _context(
            stack, chosen, schema, dev_url_option, pg_bin, allow_empty, allow_version_mismatch,
            include_schema, exclude_schema, profile,
        )  # fmt: skip
        _run("drift", chosen, drift_work(ctx), Schedule(parallel), format, DRIFT)


@fleet_app.command("apply")
def fleet_apply(
    targets: TargetsOpt = None,
    fleet: FleetOpt = None,
    schema: SchemaOpt = Path("schema"),
    dev_url_option: DevOpt = None,
    pg_bin: PgBinOpt = None,
    include_schema: IncludeOpt = None,
    exclude_schema: ExcludeOpt = None,
    profile: ProfileOpt = None,
    allow_empty: AllowEmptyOpt = False,
    allow_version_mismatch: AllowVersionMismatchOpt = False,
    online: OnlineOpt = True,
    auto_approve: AutoApproveOpt = False,
    allow_destructive: AllowDestructiveOpt = False,
    allow_hazards: AllowHazardsOpt = None,
    lock_timeout: LockTimeoutOpt = None,
    statement_timeout: StatementTimeoutOpt = None,
    wait_lock: WaitLockOpt = False,
    parallel: ParallelOpt = 4,
    canary: CanaryOpt = 1,
    max_failures: MaxFailuresOpt = None,
    format: FleetFormatOpt = FleetFormat.text,
) -> None:
    """Apply the schema to every target: canaries first, then the rest in parallel."""
    with command_imports():
        from schemactl.apply.allowance import allowed_hazards
        from schemactl.apply.executor import ApplyOptions
        from schemactl.fleet.runner import Schedule
        from schemactl.fleet.work import ApplyPolicy, apply_work
    project = load_project_config()
    chosen = _fleet(targets, fleet)
    policy = ApplyPolicy(
        allowed=allowed_hazards(allow_destructive, allow_hazards),
        required=frozenset(project.require_allow),
        options=ApplyOptions(
            lock_timeout=lock_timeout or project.lock_timeout,
            statement_timeout=statement_timeout,
        ),
        wait_lock=wait_lock,
    )
    with ExitStack() as stack:
        ctx = _context(
            stack, chosen, schema, dev_url_option, pg_bin, allow_empty, allow_version_mismatch,
            include_schema, exclude_schema, profile, online,
        )  # fmt: skip
        if not auto_approve:
            _review_first_plan(ctx, chosen)
        _run(
            "apply", chosen, apply_work(ctx, policy),
            Schedule(parallel, canary, max_failures), format,
        )  # fmt: skip


def _review_first_plan(ctx: FleetContext, chosen: Fleet) -> None:
    """Show the first target's plan and ask once; every target is planned again on its
    own when its turn comes, and the report names those whose plan differs."""
    from schemactl.fleet.work import plan_work
    from schemactl.output.plan_view import show_plan

    first = chosen.targets[0]
    work = plan_work(ctx)
    outcome = work(first)
    plan = ctx.plans.get(outcome.plan_id)
    out.print(f"The plan for {first.label} (the others are planned on their own):")
    if plan is not None:
        show_plan(out, plan)
    else:
        out.print("[green]No changes there.[/green]")
    confirm(False, f"Apply the schema to {len(chosen.targets)} target(s)?")


@fleet_app.command("status")
def fleet_status(
    targets: TargetsOpt = None,
    fleet: FleetOpt = None,
    migrations: MigrationsOpt = Path("migrations"),
    parallel: ParallelOpt = 4,
    format: FleetFormatOpt = FleetFormat.text,
) -> None:
    """Each target's history: applies, latest version, pending migration files."""
    with command_imports():
        from schemactl.fleet.runner import Schedule
        from schemactl.fleet.work import status_work
    _run("status", _fleet(targets, fleet), status_work(migrations), Schedule(parallel), format)


@fleet_app.command("migrate-apply")
def fleet_migrate_apply(
    targets: TargetsOpt = None,
    fleet: FleetOpt = None,
    migrations: MigrationsOpt = Path("migrations"),
    lock_timeout: LockTimeoutOpt = None,
    statement_timeout: StatementTimeoutOpt = None,
    wait_lock: WaitLockOpt = False,
    parallel: ParallelOpt = 4,
    canary: CanaryOpt = 1,
    max_failures: MaxFailuresOpt = None,
    format: FleetFormatOpt = FleetFormat.text,
) -> None:
    """Apply pending migration files on every target, each recorded in its history."""
    with command_imports():
        from schemactl.fleet.runner import Schedule
        from schemactl.fleet.work import migrate_work
        from schemactl.migrations.runner import RunOptions
    options = RunOptions(
        lock_timeout=lock_timeout or load_project_config().lock_timeout,
        statement_timeout=statement_timeout,
    )
    work = migrate_work(migrations, options, wait_lock)
    _run(
        "migrate-apply", _fleet(targets, fleet), work,
        Schedule(parallel, canary, max_failures), format,
    )  # fmt: skip
