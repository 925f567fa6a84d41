"""pg_cron jobs declared in schema files: ``SELECT cron.schedule('name', 'when', $$sql$$)``.

A job is not loaded into the dev database (which needs no pg_cron): its
declaration is read here, from the syntax tree, and joins the desired state
beside what the dev database normalized. Only the two calls pg_cron offers for
named jobs are declarations; a job without a name cannot be compared with the
target's, so it is refused with the remedy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from schemactl.errors import SchemaSourceError, SourceLocation
from schemactl.source.calls import sole_call
from schemactl.source.pglast_modules import ast, parser

if TYPE_CHECKING:
    from schemactl.source.statements import Statement

CRON_SCHEMA = "cron"
# Positional parameters of the two declaring functions, as pg_cron names them.
_PARAMETERS = {
    "schedule": ("job_name", "schedule", "command"),
    "schedule_in_database": (
        "job_name",
        "schedule",
        "command",
        "database",
        "username",
        "active",
    ),
}


@dataclass(frozen=True)
class JobDeclaration:
    """One named pg_cron job as the schema states it. ``database`` and ``username``
    are None where the schema leaves them to pg_cron (the target database, the
    applying role)."""

    name: str
    schedule: str
    command: str
    database: str | None
    username: str | None
    active: bool
    location: SourceLocation


def _cron_call(node: Any) -> ast.FuncCall | None:
    """The ``cron.<function>(...)`` call a ``SELECT`` consists of, if that is all it is."""
    found = sole_call(node)
    if found is None:
        return None
    names, call = found
    if len(names) == 2 and names[0] == CRON_SCHEMA and names[1] in _PARAMETERS:
        return call
    return None


def is_job_declaration(node: Any) -> bool:
    return _cron_call(node) is not None


def _constant(node: Any, where: SourceLocation) -> str | bool | None:
    if isinstance(node, ast.A_Const):
        if node.isnull:
            return None
        value = node.val
        if isinstance(value, ast.String):
            return str(value.sval)
        if isinstance(value, ast.Boolean):
            return bool(value.boolval)
    if isinstance(node, ast.TypeCast):
        return _constant(node.arg, where)
    raise SchemaSourceError(
        where, "a pg_cron job's arguments must be constants (strings, true/false)"
    )


def read_job(statement: Statement) -> JobDeclaration:
    """The job a ``cron.schedule`` / ``cron.schedule_in_database`` statement declares."""
    call = _cron_call(statement.node)
    assert call is not None
    function = str((call.funcname or ())[-1].sval)
    parameters = _PARAMETERS[function]
    where = statement.location()
    args: dict[str, str | bool | None] = {}
    positional = [a for a in call.args or () if not isinstance(a, ast.NamedArgExpr)]
    if function == "schedule" and len(positional) == 2 and len(call.args or ()) == 2:
        raise SchemaSourceError(
            where,
            "unnamed pg_cron jobs cannot be compared with the target's: name the job, "
            "cron.schedule('job-name', schedule, command)",
        )
    for parameter, arg in zip(parameters, positional, strict=False):
        args[parameter] = _constant(arg, where)
    for arg in call.args or ():
        if isinstance(arg, ast.NamedArgExpr):
            args[str(arg.name)] = _constant(arg.arg, where)
    name, schedule, command = args.get("job_name"), args.get("schedule"), args.get("command")
    if not isinstance(name, str) or not name:
        raise SchemaSourceError(where, "a pg_cron job needs a name (job_name)")
    if not isinstance(schedule, str) or not isinstance(command, str):
        raise SchemaSourceError(where, f"pg_cron job {name!r} needs a schedule and a command")
    _check_command_parses(name, command, where)
    active = args.get("active", True)
    database, username = args.get("database"), args.get("username")
    return JobDeclaration(
        name=name,
        schedule=schedule.strip(),
        command=command.strip(),
        database=database if isinstance(database, str) else None,
        username=username if isinstance(username, str) else None,
        active=active if isinstance(active, bool) else True,
        location=where,
    )


def _check_command_parses(name: str, command: str, where: SourceLocation) -> None:
    try:
        parser.parse_sql(command)
    except parser.ParseError as exc:
        raise SchemaSourceError(
            where, f"pg_cron job {name!r}: its command does not parse: {exc.args[0]}"
        ) from None


def read_jobs(statements: Iterable[Statement]) -> list[JobDeclaration]:
    """Every job the statements declare; a name declared twice names both places."""
    jobs: dict[str, JobDeclaration] = {}
    for statement in statements:
        if not is_job_declaration(statement.node):
            continue
        job = read_job(statement)
        if job.name in jobs:
            raise SchemaSourceError(
                job.location,
                f"pg_cron job {job.name!r} is declared twice (also at {jobs[job.name].location})",
            )
        jobs[job.name] = job
    return list(jobs.values())
