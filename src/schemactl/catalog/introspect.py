"""Reading a database into the typed model: one catalog query per object kind.

Queries live beside this module as ``.sql`` files. They run with an empty
``search_path`` so that every name PostgreSQL prints is schema-qualified, the
same way in the dev database and in the target.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import psycopg

from schemactl.catalog.exclusion import without_excluded
from schemactl.catalog.identity import read_identity_sequence
from schemactl.catalog.model import (
    Catalog,
    Column,
    Constraint,
    Extension,
    Index,
    Schema,
    Sequence,
    Table,
)
from schemactl.catalog.readers.collations import read_casts, read_collations
from schemactl.catalog.readers.jobs import cron_available, read_jobs
from schemactl.catalog.readers.not_null import read_not_null_constraints
from schemactl.catalog.readers.operators import read_operators
from schemactl.catalog.readers.partition_indexes import read_partition_indexes
from schemactl.catalog.readers.partitions import read_partition_columns
from schemactl.catalog.readers.partman import read_partman
from schemactl.catalog.readers.policies import read_policies
from schemactl.catalog.readers.privileges import read_privileges
from schemactl.catalog.readers.publications import read_publications
from schemactl.catalog.readers.routines import read_routines
from schemactl.catalog.readers.rules import read_rules, read_statistics
from schemactl.catalog.readers.settings import read_column_settings, read_index_settings
from schemactl.catalog.readers.text_search import read_text_search
from schemactl.catalog.readers.triggers import read_triggers
from schemactl.catalog.readers.types import read_types
from schemactl.catalog.readers.views import read_views
from schemactl.catalog.sqlfiles import rows
from schemactl.config import Scope

Reader = Callable[[psycopg.Connection, dict[str, Any], Catalog], None]

# Readers of further object kinds, one module each under catalog/readers/.
# A reader fills its own fields of the catalog from its own queries.
READERS: list[Reader] = [
    read_collations,
    read_casts,
    read_operators,
    read_text_search,
    read_routines,
    read_triggers,
    read_types,
    read_views,
    read_partition_columns,
    read_not_null_constraints,
    read_column_settings,
    read_index_settings,
    read_partition_indexes,
    read_policies,
    read_privileges,
    read_jobs,
    read_partman,
    read_publications,
    read_statistics,
    read_rules,
]

NOT_VALID_SUFFIX = " NOT VALID"


def introspect(conn: psycopg.Connection, scope: Scope | None = None) -> Catalog:
    """Read everything in scope from ``conn`` into a :class:`Catalog`."""
    scope = scope or Scope()
    with conn.transaction():
        conn.execute("SET LOCAL search_path = ''")
        # Printouts of times (partition bounds, defaults) in one zone on every server.
        conn.execute("SET LOCAL TimeZone = 'UTC'")
        # The catalog queries' correlated subqueries make large estimated costs, which
        # would have the server JIT-compile them: seconds of compiling on a big schema
        # for queries that run in milliseconds.
        conn.execute("SET LOCAL jit = off")
        version_row = conn.execute("SHOW server_version").fetchone()
        schema_rows = rows(conn, "schemas", scope.query_params())
        params: dict[str, Any] = {
            "namespaces": [r["oid"] for r in schema_rows],
            "platform_schemas": list(scope.profile.schemas if scope.profile else ()),
            "external_roles": list(scope.external_roles),
            "external_extensions": list(scope.external_extensions),
            "external_publications": list(scope.external_publications),
        }
        catalog = Catalog(
            server_version=str(version_row[0]) if version_row else "",
            cron=cron_available(conn),
            role=_current_user(conn),
        )
        for row in schema_rows:
            catalog.schemas[row["ident"]] = Schema(
                row["name"], row["ident"], row["owner"], row["comment"]
            )
        for row in rows(conn, "extensions", params):
            catalog.extensions[row["ident"]] = Extension(
                **{**row, "requires": tuple(row["requires"])}
            )
        _read_tables(conn, params, catalog)
        for row in rows(conn, "constraints", params):
            definition, shape = row["definition"], row["shape"]
            if definition.endswith(NOT_VALID_SUFFIX):
                definition = definition[: -len(NOT_VALID_SUFFIX)]
                shape = shape.removesuffix(NOT_VALID_SUFFIX)
            constraint = Constraint(
                **{
                    **row,
                    "definition": definition,
                    "shape": shape,
                    "columns": tuple(row["columns"]),
                    "calls": tuple(row["calls"]),
                    "index_options": tuple(row["index_options"]),
                }
            )
            catalog.constraints[constraint.key] = constraint
        for row in rows(conn, "indexes", params):
            catalog.indexes[row["ident"]] = Index(
                **{
                    **row,
                    "columns": tuple(row["columns"]),
                    "calls": tuple(row["calls"]),
                    "options": tuple(row["options"]),
                }
            )
        for row in rows(conn, "sequences", params):
            catalog.sequences[row["ident"]] = Sequence(**row)
        for reader in READERS:
            reader(conn, params, catalog)
    return without_excluded(catalog, scope.objects)


def _current_user(conn: psycopg.Connection) -> str:
    row = conn.execute("SELECT quote_ident(current_user)").fetchone()
    return str(row[0]) if row else ""


def _read_tables(conn: psycopg.Connection, params: dict[str, Any], catalog: Catalog) -> None:
    columns: dict[int, list[tuple[Column, dict[str, Any]]]] = {}
    for row in rows(conn, "columns", params):
        if not row.pop("local"):
            continue  # inherited from a parent table: planned on the parent
        oid = row.pop("relation_oid")
        row["default_calls"] = tuple(row["default_calls"])
        sequence = {k: row.pop(k) for k in list(row) if k.startswith("identity_seq")}
        columns.setdefault(oid, []).append((Column(**row), sequence))
    for row in rows(conn, "tables", params):
        oid = row.pop("oid")
        table_columns = tuple(
            dataclasses.replace(
                column,
                identity_sequence=read_identity_sequence(
                    sequence, row["name"], column.name, column.type
                ),
            )
            if sequence.get("identity_seq_name")
            else column
            for column, sequence in columns.get(oid, ())
        )
        catalog.tables[row["ident"]] = Table(
            **{
                **row,
                "columns": table_columns,
                "inherits": tuple(row["inherits"]),
                "options": tuple(row["options"]),
            }
        )
