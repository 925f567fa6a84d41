"""What a database holds before anything is loaded into it: the dump's starting point.

A dump is the plan from an empty database to the live one. "Empty" is what
``CREATE DATABASE`` gives, which is also where the dev database starts when the
dump is read back: the ``public`` schema, with the owner, privileges and comment
this server version gives it. Diffing from that leaves ``public`` out of the dump
unless the database changed it (a revoked privilege, another comment).
"""

from __future__ import annotations

import dataclasses

import psycopg

from schemactl.catalog.model import OWNER, PUBLIC, Catalog, Grant, ObjectPrivileges, Schema
from schemactl.catalog.sqlfiles import rows

PUBLIC_SCHEMA = "public"
CRON_EXTENSION = "pg_cron"
PUBLIC_SCHEMA_COMMENT = "standard public schema"


def fresh_database(conn: psycopg.Connection, live: Catalog) -> Catalog:
    """The catalog of a new database on the server behind ``conn``, limited to what
    ``live`` has in scope (a dump filtered to other schemas does not start from public)."""
    # pg_cron, where it runs, comes with the server's settings, not with the schema: its
    # jobs are declared, and then the target's extension is kept as it is.
    cron = {k: e for k, e in live.extensions.items() if e.name == CRON_EXTENSION and live.jobs}
    empty = Catalog(server_version=live.server_version, cron=live.cron, extensions=cron)
    if PUBLIC_SCHEMA not in live.schemas:
        return empty
    facts = rows(conn, "fresh_public_schema", {})[0]
    created = (Grant(OWNER, "CREATE"), Grant(OWNER, "USAGE"))
    public_grants = (Grant(PUBLIC, "CREATE"),) if facts["public_may_create"] else ()
    empty.schemas[PUBLIC_SCHEMA] = Schema(
        PUBLIC_SCHEMA, PUBLIC_SCHEMA, str(facts["owner"]), PUBLIC_SCHEMA_COMMENT
    )
    privileges = ObjectPrivileges(
        kind="SCHEMA",
        target=PUBLIC_SCHEMA,
        schema=None,
        grants=tuple(sorted((*created, *public_grants, Grant(PUBLIC, "USAGE")))),
        owner=facts["stated_owner"],
        alter_keyword="SCHEMA",
        defaults=created,
        default_kind="n",
    )
    empty.privileges[privileges.key] = privileges
    return empty


def as_stated(conn: psycopg.Connection, live: Catalog) -> Catalog:
    """``live`` as a schema folder states it: a pg_cron job run as the dumping role leaves
    its role unstated (as objects it owns leave their owner), so that it is scheduled for
    whoever applies the dump, the way ``cron.schedule`` does."""
    if not live.jobs:
        return live
    row = conn.execute("SELECT current_user").fetchone()
    me = str(row[0]) if row else None
    jobs = {
        name: dataclasses.replace(job, username=None) if job.username == me else job
        for name, job in live.jobs.items()
    }
    return dataclasses.replace(live, jobs=jobs)
