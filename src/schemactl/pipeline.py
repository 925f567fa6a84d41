"""The pipeline every command shares: desired state -> dev database -> catalogs -> plan."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import psycopg
from pglast import ast

from schemactl.catalog import Catalog, introspect
from schemactl.catalog.equivalence import reconcile_equivalent
from schemactl.catalog.external import (
    platform_default_privileges,
    platform_privileges,
    read_external_objects,
)
from schemactl.catalog.fingerprint import fingerprint
from schemactl.config import Scope
from schemactl.db import connect, describe_connection
from schemactl.devdb import dev_database, load_desired_state
from schemactl.devdb.loader import referenced_roles
from schemactl.errors import SchemactlError
from schemactl.plan import Plan, build_plan
from schemactl.source import Statement, read_desired_state
from schemactl.source.references import (
    ExternalName,
    ParsedStatement,
    defined_on_external,
    external_names,
)


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
    external = external_objects(target, statements, scope)
    with dev_database(source.dev_url, source.pg_bin) as dev:
        load_desired_state(dev.url, statements, external)
        dev_conn = connect(dev.url, "dev database")
        try:
            desired = without_received(introspect(dev_conn, scope), external)
            current = introspect(target, scope)
            target_fingerprint = fingerprint(current)
            current = without_received(current, external)
            current = reconcile_equivalent(dev_conn, current, desired)
        finally:
            dev_conn.close()
    plan = build_plan(current, desired, online, target_fingerprint)
    unmanaged = defined_on_external(statements, scope.is_external)
    if unmanaged:
        warning = (
            f"the schema defines {'; '.join(unmanaged)}: on tables schemactl does not manage, "
            "so it is loaded in the dev database but never planned"
        )
        plan = dataclasses.replace(plan, warnings=(*plan.warnings, warning))
    missing = sorted(referenced_roles(statements) - roles_of(target))
    if missing:
        warning = f"the schema names roles the target does not have: {', '.join(missing)}"
        plan = dataclasses.replace(
            plan, missing_roles=tuple(missing), warnings=(*plan.warnings, warning)
        )
    return plan


def external_objects(
    target: psycopg.Connection | None, statements: Sequence[ParsedStatement], scope: Scope
) -> Catalog:
    """What the dev database must be given before the schema loads: the target's objects
    the statements use in schemas schemactl does not manage, and the default privileges
    the platform (``--profile``) grants on what the project creates.

    Without a target to read them from, a schema that uses such objects is an error."""
    names = external_names(statements, scope.is_external)
    catalog = Catalog(server_version="")
    if names:
        if target is None:
            listed = ", ".join(sorted({str(n) for n in names if n.name}) or {str(n) for n in names})
            raise SchemactlError(
                f"the schema uses objects schemactl does not manage ({listed}); "
                "they are read from the target database: pass --database-url (read only)"
            )
        catalog = read_external_objects(target, names, scope, created_extensions(statements))
        _refuse_missing_schemas(target, names, catalog)
    return dataclasses.replace(
        catalog,
        default_privileges=platform_default_privileges(scope.profile),
        privileges=platform_privileges(scope.profile),
    )


def external_objects_at(
    url: str | None, statements: Sequence[ParsedStatement], scope: Scope
) -> Catalog:
    """:func:`external_objects`, connecting to the target at ``url`` only when the
    statements use objects that live there (commands without a target of their own)."""
    if not url or not external_names(statements, scope.is_external):
        return external_objects(None, statements, scope)
    conn = connect(url, "target database")
    try:
        return external_objects(conn, statements, scope)
    finally:
        conn.close()


def _refuse_missing_schemas(
    target: psycopg.Connection, names: Collection[ExternalName], found: Catalog
) -> None:
    present = {schema.name for schema in found.schemas.values()}
    missing = sorted({n.schema for n in names} - present)
    if missing:
        uses = ", ".join(sorted(str(n) for n in names if n.schema in missing and n.name))
        raise SchemactlError(
            f"the schema uses {uses or 'schema ' + ', '.join(missing)}, in "
            f"{'schema' if len(missing) == 1 else 'schemas'} {', '.join(missing)}, which "
            f"schemactl does not manage (out of scope) and which the target "
            f"{describe_connection(target)} does not have"
        )


def created_extensions(statements: Sequence[ParsedStatement]) -> set[str]:
    return {str(s.node.extname) for s in statements if isinstance(s.node, ast.CreateExtensionStmt)}


def without_received(catalog: Catalog, external: Catalog) -> Catalog:
    """Extensions the dev database was given from the target are the target's: never
    compared."""
    if not external.extensions:
        return catalog
    kept = {k: e for k, e in catalog.extensions.items() if k not in external.extensions}
    return dataclasses.replace(catalog, extensions=kept)


def roles_of(conn: psycopg.Connection) -> set[str]:
    return {str(row[0]) for row in conn.execute("SELECT rolname FROM pg_roles").fetchall()}


def target_fingerprint(target: psycopg.Connection, scope: Scope) -> str:
    """The fingerprint of the target's schema as it is now."""
    return fingerprint(introspect(target, scope))
