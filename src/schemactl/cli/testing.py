"""``schemactl test``: policy tests as code, run against the desired state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from schemactl.cli.app import app, command_imports
from schemactl.cli.options import (
    EXIT_ERROR,
    DevOpt,
    EnvOpt,
    ExcludeOpt,
    IncludeOpt,
    PgBinOpt,
    PgVersionOpt,
    ProfileOpt,
    ReadOnlyDatabaseOpt,
    ReportFormat,
    ReportFormatOpt,
    SchemaOpt,
    dev_url,
    optional_target_url,
    out,
    pg_version,
    scope_of,
)

DEFAULT_TESTS = Path("tests/schema")


@app.command("test")
def test_command(
    schema: SchemaOpt = Path("schema"),
    tests: Annotated[
        Path,
        typer.Option("--tests", help="Folder of SQL test files (fixtures in its fixtures/)."),
    ] = DEFAULT_TESTS,
    dev_url_option: DevOpt = None,
    pg_bin: PgBinOpt = None,
    pg_version_opt: PgVersionOpt = None,
    junit: Annotated[
        Path | None, typer.Option("--junit", help="Also write a JUnit XML report here.")
    ] = None,
    format: ReportFormatOpt = ReportFormat.text,
    include_schema: IncludeOpt = None,
    exclude_schema: ExcludeOpt = None,
    profile: ProfileOpt = None,
    env: EnvOpt = None,
    database_url: ReadOnlyDatabaseOpt = None,
) -> None:
    """Build the desired state in a dev database and run the SQL tests: exit 0 all pass, 1 not."""
    with command_imports():
        from schemactl.output.test_view import show_test_report
        from schemactl.pipeline import DesiredSource
        from schemactl.testing.junit import write_junit
        from schemactl.testing.session import TestRequest, run_test_session
    report = run_test_session(
        TestRequest(
            DesiredSource(
                schema, dev_url(dev_url_option, env), pg_bin, pg_version=pg_version(pg_version_opt)
            ),
            tests,
            scope_of(include_schema, exclude_schema, profile, env),
            optional_target_url(database_url, env),
        )
    )
    if junit:
        write_junit(report, junit)
    if format is ReportFormat.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        show_test_report(out, report)
    if not report.ok:
        raise typer.Exit(EXIT_ERROR)
