"""The pipeline every command shares: desired state -> dev database -> catalogs -> plan."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import psycopg

from schemactl.catalog import introspect
from schemactl.catalog.equivalence import reconcile_equivalent
from schemactl.catalog.fingerprint import fingerprint
from schemactl.config import Scope
from schemactl.db import connect
from schemactl.devdb import dev_database, load_desired_state
from schemactl.devdb.loader import referenced_roles
from schemactl.plan import Plan, build_plan
from schemactl.source import Statement, read_desired_state


@dataclass(frozen=True)
class DesiredSource:
    """Where the desired state comes from and how to normalize it."""

    schema_dir: Path
    dev_url: str | None = None
    pg_bin: str | None = None
    allow_empty: bool = False

    @cached_property
    def statements(self) -> list[Statement]:
        """The schema folder's statements in load order, read once. Commands read them
        before connecting anywhere, so bad input is reported first and touches nothing."""
        return read_desired_state(self.schema_dir, allow_empty=self.allow_empty)


def plan_against(
    target: psycopg.Connection, source: DesiredSource, scope: Scope, online: bool = True
) -> Plan:
    """The plan that turns the target behind ``target`` into the desired state.

    The desired state is loaded into a throwaway dev database, both databases are
    read through the same introspection, and definitions that differ only in how
    PostgreSQL prints them are reconciled in the dev database before diffing.
    """
    statements = source.statements
    with dev_database(source.dev_url, source.pg_bin) as dev:
        load_desired_state(dev.url, statements)
        dev_conn = connect(dev.url, "dev database")
        try:
            desired = introspect(dev_conn, scope)
            current = introspect(target, scope)
            target_fingerprint = fingerprint(current)
            current = reconcile_equivalent(dev_conn, current, desired)
        finally:
            dev_conn.close()
    plan = build_plan(current, desired, online, target_fingerprint)
    missing = sorted(referenced_roles(statements) - roles_of(target))
    if missing:
        warning = f"the schema names roles the target does not have: {', '.join(missing)}"
        plan = dataclasses.replace(
            plan, missing_roles=tuple(missing), warnings=(*plan.warnings, warning)
        )
    return plan


def roles_of(conn: psycopg.Connection) -> set[str]:
    return {str(row[0]) for row in conn.execute("SELECT rolname FROM pg_roles").fetchall()}


def target_fingerprint(target: psycopg.Connection, scope: Scope) -> str:
    """The fingerprint of the target's schema as it is now."""
    return fingerprint(introspect(target, scope))
