"""Giving the dev database the target's external objects before the schema loads.

The objects come as a catalog read from the target (``catalog.external``) and are
created with the plan's own templates, as a plan from an empty database would
create them, in one transaction. Extensions among them are created at a version
the dev server has.
"""

from __future__ import annotations

import dataclasses

import psycopg

from schemactl.catalog.model import Catalog, Extension
from schemactl.devdb.extensions import extension_problem
from schemactl.errors import DevDatabaseError
from schemactl.plan import creation_steps

AVAILABLE_VERSIONS = """
SELECT a.name, a.default_version, array_agg(v.version)
FROM pg_available_extensions a
JOIN pg_available_extension_versions v ON v.name = a.name
GROUP BY a.name, a.default_version
"""


def _error_message(exc: psycopg.Error) -> str:
    return " ".join((exc.diag.message_primary or str(exc)).split())


def _at_available_versions(conn: psycopg.Connection, catalog: Catalog) -> Catalog:
    """The target's extensions at its version where the dev server has it, else at the
    dev server's default version (what the schema sees of them is the same)."""
    if not catalog.extensions:
        return catalog
    available = {
        str(name): (str(default), {str(v) for v in versions})
        for name, default, versions in conn.execute(AVAILABLE_VERSIONS).fetchall()
    }
    extensions: dict[str, Extension] = {}
    for key, extension in catalog.extensions.items():
        problem = extension_problem(conn, extension.name, set(available))
        if problem:
            raise DevDatabaseError(f"{problem} (the schema uses it: it is installed on the target)")
        default, versions = available[extension.name]
        if extension.version not in versions:
            extension = dataclasses.replace(extension, version=default)
        extensions[key] = extension
    return dataclasses.replace(catalog, extensions=extensions)


def create_external_objects(conn: psycopg.Connection, catalog: Catalog) -> None:
    """Create ``catalog`` (the target's external objects) in the dev database."""
    steps = creation_steps(_at_available_versions(conn, catalog))
    if not steps:
        return
    with conn.transaction():
        conn.execute("SET LOCAL check_function_bodies = off")
        for step in steps:
            try:
                conn.execute(step.sql.encode())
            except psycopg.Error as exc:
                raise DevDatabaseError(
                    f"cannot create {step.kind} {step.name} in the dev database as the target "
                    f"has it (the schema uses it, schemactl does not manage it): "
                    f"{_error_message(exc)}"
                ) from None


def receives_objects(catalog: Catalog) -> bool:
    """Whether a dev database gets any of the target's objects before the schema loads."""
    return bool(creation_steps(catalog))


def routine_oids(conn: psycopg.Connection) -> list[int]:
    """Routines that exist before the schema loads: not the schema's to validate."""
    row = conn.execute(
        "SELECT coalesce(array_agg(oid), '{}') FROM pg_proc WHERE pronamespace NOT IN "
        "('pg_catalog'::regnamespace, 'information_schema'::regnamespace)"
    ).fetchone()
    return [int(oid) for oid in row[0]] if row else []
