"""Declared pg_cron jobs as model objects, beside what the dev database normalized."""

from __future__ import annotations

from collections.abc import Iterable

from schemactl.catalog.model import Job
from schemactl.source.jobs import JobDeclaration


def declared_jobs(declarations: Iterable[JobDeclaration]) -> dict[str, Job]:
    return {
        d.name: Job(d.name, d.schedule, d.command, d.database, d.username, d.active)
        for d in declarations
    }
