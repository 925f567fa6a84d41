"""``plan``, ``apply`` and ``drift``: the declarative workflow against one target."""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from schemactl.cli.app import app, command_imports
from schemactl.cli.options import (
    EXIT_CHANGES,
    AllowDestructiveOpt,
    AllowEmptyOpt,
    AllowHazardsOpt,
    AllowVersionMismatchOpt,
    AutoApproveOpt,
    DatabaseOpt,
    DevOpt,
    DriftFormat,
    EnvOpt,
    ExcludeObjectsOpt,
    ExcludeOpt,
    IncludeOpt,
    LockTimeoutOpt,
    NoCacheOpt,
    NoColorOpt,
    NoPreflightOpt,
    NoSqlOpt,
    OnlineOpt,
    PgBinOpt,
    PlanFormat,
    PreflightTimeoutOpt,
    ProfileOpt,
    QuietOpt,
    RehearseOpt,
    SchemaOpt,
    StatementTimeoutOpt,
    VerboseOpt,
    WaitLockOpt,
    confirm,
    dev_url,
    lock_timeout_of,
    optional_target_url,
    out,
    plan_json_text,
    print_plan,
    scope_of,
    show_pooling,
    target_url,
)
from schemactl.config import PREFLIGHT_TIMEOUT, Scope, load_project_config
from schemactl.errors import PlanRefused, SchemactlError

if TYPE_CHECKING:
    import psycopg

    from schemactl.catalog import Catalog
    from schemactl.devdb.early_load import EarlyLoad
    from schemactl.live_reads import LiveReads
    from schemactl.pipeline import DesiredSource
    from schemactl.plan import Plan

TARGET = "target database"  # names the target in connection errors


def early_load(
    url: str | None, dev: str | None, pg_bin: str | None, allow_version_mismatch: bool
) -> EarlyLoad | None:
    """A head start on the dev database while the files are read (devdb.early_load),
    on the embedded dev server or ``--dev-url``'s, where there is a target to match; the
    command closes it."""
    if not url:
        return None
    from schemactl.devdb.early_load import EarlyLoad

    return EarlyLoad(url, dev, pg_bin, allow_version_mismatch)


def _target_url_if_any(database_url: str | None, env: str | None) -> str | None:
    """The target's URL, or None where it is missing or wrong: that error is reported
    where the target is connected to, after the files are read."""
    try:
        return optional_target_url(database_url, env)
    except SchemactlError:
        return None


def _scope_if_any(
    include: list[str] | None,
    exclude: list[str] | None,
    profile: str | None,
    env: str | None,
    exclude_objects: list[str] | None,
) -> Scope | None:
    """The scope, or None where it is wrong: reported after the files, as ever."""
    try:
        return scope_of(include, exclude, profile, env, exclude_objects)
    except SchemactlError:
        return None


def early_target_read(
    url: str | None, scope: Scope | None, schema: Path, cache: bool
) -> LiveReads | None:
    """The target's connection and catalog, begun before the rest of the program is
    imported and the files are read (see schemactl.live_reads): on a far server its
    round trips, and everywhere its server time, pass meanwhile. Only where the files
    look unchanged (see schemactl.unchanged_files); None too where the target or the
    scope is missing or wrong. The command closes it."""
    from schemactl.unchanged_files import looks_unchanged

    if not url or scope is None or not looks_unchanged(schema, cache):
        return None
    with command_imports():
        from schemactl.live_reads import LiveDatabase, LiveReads
    return LiveReads([LiveDatabase(url, TARGET)], scope)


def target_connection(
    stack: ExitStack, url: str, early: LiveReads | None
) -> tuple[psycopg.Connection, Catalog | None]:
    """The target's connection (closed by ``stack``) and, where its read was begun
    early, its catalog as read."""
    from schemactl import metrics
    from schemactl.db import connect

    if early is not None:
        with metrics.phase("introspect"):
            [(conn, catalog)] = early.take(stack)
        return conn, catalog
    conn = connect(url, TARGET)
    stack.callback(conn.close)
    return conn, None


def _plan_once(
    url: str, source: DesiredSource, scope: Scope, early: LiveReads | None = None
) -> Plan:
    """Plan against the target on a connection of its own (plan and drift never write)."""
    from schemactl.output.source_notes import show_skipped
    from schemactl.pipeline import plan_against

    with early or nullcontext(), source.early or nullcontext(), ExitStack() as stack:
        show_skipped(source.skipped)  # read the schema before connecting: bad input first
        conn, as_read = target_connection(stack, url, early)
        return plan_against(conn, source, scope, target_catalog=as_read)


@app.command()
def plan(
    schema: SchemaOpt = Path("schema"),
    database_url: DatabaseOpt = None,
    dev_url_option: DevOpt = None,
    pg_bin: PgBinOpt = None,
    include_schema: IncludeOpt = None,
    exclude_schema: ExcludeOpt = None,
    exclude: ExcludeObjectsOpt = None,
    profile: ProfileOpt = None,
    env: EnvOpt = None,
    allow_empty: AllowEmptyOpt = False,
    no_cache: NoCacheOpt = False,
    allow_version_mismatch: AllowVersionMismatchOpt = False,
    format: Annotated[
        PlanFormat, typer.Option("--format", help="text, sql, json, markdown or github.")
    ] = PlanFormat.text,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Also write the plan to this file.")
    ] = None,
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit 2 when there are changes, 0 when none.")
    ] = False,
    online: OnlineOpt = True,
    no_sql: NoSqlOpt = False,
    verbose: VerboseOpt = False,
    no_preflight: NoPreflightOpt = False,
    preflight_timeout: PreflightTimeoutOpt = PREFLIGHT_TIMEOUT,
    rehearse_it: RehearseOpt = False,
    lock_timeout: LockTimeoutOpt = None,
    no_color: NoColorOpt = False,
) -> None:
    """Show what apply would change. Never changes the target."""
    early_url = _target_url_if_any(database_url, env)
    reads = early_target_read(
        early_url,
        _scope_if_any(include_schema, exclude_schema, profile, env, exclude),
        schema,
        cache=not no_cache,
    )
    with command_imports():
        from schemactl.cli.checks import TargetChecks, check_target
        from schemactl.devdb.desired_cache import cache_enabled
        from schemactl.output.source_notes import show_skipped
        from schemactl.pipeline import DesiredSource, plan_against
    early = early_load(early_url, dev_url(dev_url_option, env), pg_bin, allow_version_mismatch)
    source = DesiredSource(
        schema,
        dev_url(dev_url_option, env),
        pg_bin,
        allow_empty,
        allow_version_mismatch=allow_version_mismatch,
        cache=cache_enabled(no_cache),
        early=early,
    )
    with reads or nullcontext(), early or nullcontext(), ExitStack() as stack:
        show_skipped(source.skipped)  # read the schema before connecting: bad input first
        checks = TargetChecks(
            preflight=not no_preflight,
            preflight_timeout=preflight_timeout,
            rehearse=rehearse_it,
            lock_timeout=lock_timeout_of(lock_timeout, env),
        )
        scope = scope_of(include_schema, exclude_schema, profile, env, exclude)
        conn, as_read = target_connection(stack, target_url(database_url, env), reads)
        result = plan_against(conn, source, scope, online, target_catalog=as_read)
        checked = check_target(conn, result, checks, announce=format is PlanFormat.text)
    print_plan(
        result, format, show_sql=not no_sql, verbose=verbose,
        preflight=checked.preflight, rehearsal=checked.rehearsal,
        locate=source.facts.index.find,
    )  # fmt: skip
    if out_file and format is PlanFormat.sql:
        out_file.write_text(result.up_sql())
    elif out_file:
        out_file.write_text(plan_json_text(result, checked.preflight, checked.rehearsal))
    checked.refuse_failed_rehearsal()
    if exit_code and result.has_changes:
        raise typer.Exit(EXIT_CHANGES)


def _still_valid(reviewed: Plan, live_fingerprint: str, path: Path | None) -> Plan:
    if reviewed.target_fingerprint != live_fingerprint:
        raise PlanRefused(
            f"the target's schema changed since the plan {path} was made; "
            "make a new plan and review it again (nothing was changed)"
        )
    return reviewed


@app.command()
def apply(
    schema: SchemaOpt = Path("schema"),
    database_url: DatabaseOpt = None,
    dev_url_option: DevOpt = None,
    pg_bin: PgBinOpt = None,
    include_schema: IncludeOpt = None,
    exclude_schema: ExcludeOpt = None,
    exclude: ExcludeObjectsOpt = None,
    profile: ProfileOpt = None,
    env: EnvOpt = None,
    allow_empty: AllowEmptyOpt = False,
    no_cache: NoCacheOpt = False,
    allow_version_mismatch: AllowVersionMismatchOpt = False,
    auto_approve: AutoApproveOpt = False,
    allow_destructive: AllowDestructiveOpt = False,
    allow_hazards: AllowHazardsOpt = None,
    lock_timeout: LockTimeoutOpt = None,
    statement_timeout: StatementTimeoutOpt = None,
    wait_lock: WaitLockOpt = False,
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
    no_sql: NoSqlOpt = False,
    verbose: VerboseOpt = False,
    no_preflight: NoPreflightOpt = False,
    preflight_timeout: PreflightTimeoutOpt = PREFLIGHT_TIMEOUT,
    rehearse_it: RehearseOpt = False,
    quiet: QuietOpt = False,
    no_color: NoColorOpt = False,
) -> None:
    """Plan, confirm, and apply the changes: one transaction where PostgreSQL allows."""
    with command_imports():
        from schemactl.apply.allowance import (
            allowed_hazards,
            refuse_missing_roles,
            refuse_unallowed,
        )
        from schemactl.apply.executor import ApplyOptions, apply_plan, steps_beyond_one_transaction
        from schemactl.apply.lock import exclusive, refuse_outside_one_transaction
        from schemactl.cli.checks import TargetChecks, check_target
        from schemactl.db import connect, describe
        from schemactl.devdb.desired_cache import cache_enabled
        from schemactl.output.plan_view import show_plan, show_rehearsal
        from schemactl.output.progress import progress_for
        from schemactl.output.source_notes import show_skipped
        from schemactl.pipeline import DesiredSource, plan_against, target_fingerprint
        from schemactl.plan.planfile import read_plan_file
        from schemactl.pooler import detect_pooling
    project = load_project_config()
    allowed = allowed_hazards(allow_destructive, allow_hazards)
    scope = scope_of(include_schema, exclude_schema, profile, env, exclude)
    early = None if plan_file else early_load(
        _target_url_if_any(database_url, env), dev_url(dev_url_option, env), pg_bin,
        allow_version_mismatch,
    )  # fmt: skip
    source = DesiredSource(
        schema,
        dev_url(dev_url_option, env),
        pg_bin,
        allow_empty,
        allow_version_mismatch=allow_version_mismatch,
        cache=cache_enabled(no_cache),
        early=early,
    )
    with early or nullcontext():
        reviewed = read_plan_file(plan_file) if plan_file else None
        if reviewed is None:
            show_skipped(source.skipped)  # read the schema before connecting: bad input first
        url = target_url(database_url, env)
        conn = connect(url, TARGET)
        try:
            pooling = detect_pooling(conn, url)
            show_pooling(pooling)
            with exclusive(conn, pooling, wait_lock, role):
                if reviewed is not None:
                    result = _still_valid(reviewed, target_fingerprint(conn, scope), plan_file)
                else:
                    result = plan_against(conn, source, scope, online)
                checks = TargetChecks(
                    preflight=not no_preflight,
                    preflight_timeout=preflight_timeout,
                    rehearse=rehearse_it,
                    lock_timeout=lock_timeout_of(lock_timeout, env),
                    statement_timeout=statement_timeout,
                )
                checked = check_target(conn, result, checks)
                show_plan(
                    out, result, show_sql=not no_sql, verbose=verbose, preflight=checked.preflight,
                    quiet=quiet,
                )  # fmt: skip
                if not result.has_changes:
                    return
                if checked.rehearsal is not None:
                    show_rehearsal(out, checked.rehearsal)
                    checked.refuse_failed_rehearsal()
                    return
                refuse_missing_roles(result)
                refuse_unallowed(result, allowed, frozenset(project.require_allow))
                checked.refuse_failing_rows()
                refuse_outside_one_transaction(
                    pooling,
                    steps_beyond_one_transaction(result.steps),
                    "plan with --no-online to run them in that transaction instead "
                    "(their tables stay locked while they run)",
                )
                confirm(auto_approve, "Apply these changes?")
                options = ApplyOptions(
                    lock_timeout=checks.lock_timeout,
                    statement_timeout=statement_timeout,
                    lock_retries=lock_retries,
                    scope=scope,
                    progress=progress_for(out, quiet, verbose),
                )
                applied = apply_plan(conn, result, options)
        finally:
            conn.close()
    out.print(
        f"[green]Applied {applied.steps} step(s) to {describe(url)} in {applied.duration_ms} ms "
        f"(history version {applied.version}).[/green]",
        soft_wrap=True,
    )


@app.command()
def drift(
    schema: SchemaOpt = Path("schema"),
    database_url: DatabaseOpt = None,
    dev_url_option: DevOpt = None,
    pg_bin: PgBinOpt = None,
    include_schema: IncludeOpt = None,
    exclude_schema: ExcludeOpt = None,
    exclude: ExcludeObjectsOpt = None,
    profile: ProfileOpt = None,
    env: EnvOpt = None,
    allow_empty: AllowEmptyOpt = False,
    no_cache: NoCacheOpt = False,
    allow_version_mismatch: AllowVersionMismatchOpt = False,
    format: Annotated[
        DriftFormat, typer.Option("--format", help="text, json, markdown or github.")
    ] = DriftFormat.text,
    no_color: NoColorOpt = False,
) -> None:
    """Compare the database with the schema folder: exit 0 in sync, 2 drift, 1 error."""
    reads = early_target_read(
        _target_url_if_any(database_url, env),
        _scope_if_any(include_schema, exclude_schema, profile, env, exclude),
        schema,
        cache=not no_cache,
    )
    with command_imports():
        from schemactl.devdb.desired_cache import cache_enabled
        from schemactl.output.drift_view import drift_json, show_drift
        from schemactl.pipeline import DesiredSource
    url = target_url(database_url, env)
    source = DesiredSource(
        schema,
        dev_url(dev_url_option, env),
        pg_bin,
        allow_empty,
        allow_version_mismatch=allow_version_mismatch,
        cache=cache_enabled(no_cache),
        early=early_load(url, dev_url(dev_url_option, env), pg_bin, allow_version_mismatch),
    )
    result = _plan_once(
        url, source, scope_of(include_schema, exclude_schema, profile, env, exclude), reads
    )
    if format is DriftFormat.json:
        print(json.dumps(drift_json(result), indent=2))
    elif format is DriftFormat.markdown:
        from schemactl.output.markdown import drift_markdown

        sys.stdout.write(drift_markdown(result))
    elif format is DriftFormat.github:
        from schemactl.output.github import drift_annotations

        for line in drift_annotations(result, source.facts.index.find):
            print(line)
    else:
        show_drift(out, result)
    if result.has_changes:
        raise typer.Exit(EXIT_CHANGES)
