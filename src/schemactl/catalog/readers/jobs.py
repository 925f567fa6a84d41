"""Reading pg_cron jobs (``cron.job``), where pg_cron is installed in the database."""

from __future__ import annotations

from typing import Any

import psycopg

from schemactl.catalog.model import Catalog, Job
from schemactl.catalog.sqlfiles import rows


def cron_available(found: list[dict[str, Any]]) -> bool:
    """Whether pg_cron's jobs may be read, given the rows of ``cron_available.sql``."""
    return bool(found and found[0]["available"])


def read_jobs(conn: psycopg.Connection, params: dict[str, Any], catalog: Catalog) -> None:
    if not catalog.cron:
        return
    for row in rows(conn, "jobs", {}):
        catalog.jobs[row["name"]] = Job(**row)
