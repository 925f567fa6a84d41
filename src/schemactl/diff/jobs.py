"""pg_cron jobs, compared by name: schedule, command, database, role, active.

A changed job is altered in place (``cron.alter_job``), keeping its id and run
history; a job the schema no longer declares is unscheduled, a named hazard,
because the work it did stops. Jobs of other databases that the schema does
not name are not ours to remove.
"""

from __future__ import annotations

from schemactl.catalog.model import Job
from schemactl.diff import hazards
from schemactl.diff.changes import Change, Phase
from schemactl.diff.context import DiffContext


def _same(old: Job, new: Job) -> bool:
    role_differs = old.username is not None and new.username is not None
    return (
        old.schedule == new.schedule
        and old.command == new.command
        and old.database == new.database
        and old.active == new.active
        and not (role_differs and old.username != new.username)
    )


def diff_jobs(ctx: DiffContext) -> list[Change]:
    if not (ctx.current.cron and ctx.desired.jobs) and not ctx.current.jobs:
        return []
    current, desired = ctx.current.jobs, ctx.desired.jobs
    changes: list[Change] = []
    for name in sorted(desired.keys() - current.keys()):
        job = desired[name]
        changes.append(
            Change("job", name, "create", "job.create", {"job": job}, Phase.SCHEDULE_JOB)
        )
    for name in sorted(current.keys() - desired.keys()):
        job = current[name]
        if job.database is not None:
            continue  # another database's job, which this schema does not name
        changes.append(
            Change(
                "job",
                name,
                "drop",
                "job.drop",
                {"job": job},
                Phase.UNSCHEDULE_JOB,
                hazards.unschedule_job(name),
            )
        )
    for name in sorted(current.keys() & desired.keys()):
        old, new = current[name], desired[name]
        if not _same(old, new):
            changes.append(
                Change(
                    "job",
                    name,
                    "alter",
                    "job.alter",
                    {"old": old, "new": new},
                    Phase.SCHEDULE_JOB,
                )
            )
    return changes
