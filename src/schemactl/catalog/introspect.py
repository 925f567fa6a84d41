"""Reading a database into the typed model: one catalog query per object kind.

Queries live beside this module as ``.sql`` files. They run with an empty
``search_path`` so that every name PostgreSQL prints is schema-qualified, the
same way in the dev database and in the target.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus

from schemactl import collector
from schemactl.catalog.assembly import assembler
from schemactl.catalog.census import needless_given
from schemactl.catalog.exclusion import without_excluded
from schemactl.catalog.identity import identity_sequence
from schemactl.catalog.latency import read_ahead_depth
from schemactl.catalog.model import (
    Catalog,
    Column,
    ColumnSettings,
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
from schemactl.catalog.readers.publications import SINCE_15, read_publications
from schemactl.catalog.readers.routines import read_routines
from schemactl.catalog.readers.rules import read_rules, read_statistics
from schemactl.catalog.readers.settings import column_settings, read_index_settings
from schemactl.catalog.readers.text_search import read_text_search
from schemactl.catalog.readers.triggers import read_triggers
from schemactl.catalog.readers.types import read_types
from schemactl.catalog.readers.views import read_views
from schemactl.catalog.second_connection import SecondConnection, worth_it
from schemactl.catalog.sqlfiles import (
    planned_texts,
    reading_ahead,
    rows,
    together,
    tuples,
)
from schemactl.config import Scope

Reader = Callable[[psycopg.Connection, dict[str, Any], Catalog], None]

# Readers of further object kinds, one module each under catalog/readers/.
# A reader fills its own fields of the catalog from its own queries, listed in
# _planned_queries in the order it runs them.
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

# Makers of the objects read by the thousand, from all their fields in order.
_column = assembler(Column)
_constraint = assembler(Constraint)
_index = assembler(Index)


def introspect(
    conn: psycopg.Connection, scope: Scope | None = None, second_connection: bool = True
) -> Catalog:
    """Read everything in scope from ``conn`` into a :class:`Catalog`; on a second
    connection too where that is faster, unless ``second_connection`` is False (a read
    beside work that matters more, such as a dev database's load, should not take a
    second core from it)."""
    scope = scope or Scope()
    # Outside a transaction, the read is one of its own, which a second connection may
    # share; inside one, only this connection sees what the transaction changed.
    shareable = conn.info.transaction_status == TransactionStatus.IDLE
    with collector.paused(), conn.transaction():
        settings = SESSION_SETTINGS
        if shareable:
            settings = f"SET TRANSACTION ISOLATION LEVEL REPEATABLE READ; {settings}"
        started = time.perf_counter()
        conn.execute(settings)
        latency = time.perf_counter() - started  # a round trip: the server barely works
        (server,), schema_rows, cron, census = together(
            conn,
            [("server", {}), ("schemas", scope.query_params()), ("cron_available", {}),
             ("census", {})],
        )  # fmt: skip
        params: dict[str, Any] = {
            "namespaces": [r["oid"] for r in schema_rows],
            "platform_schemas": list(scope.profile.schemas if scope.profile else ()),
            "external_roles": list(scope.external_roles),
            "external_extensions": list(scope.external_extensions),
            "external_publications": list(scope.external_publications),
            "server_version_num": int(server["version_num"]),
        }
        catalog = Catalog(
            server_version=server["version"], cron=cron_available(cron), role=server["role"]
        )
        needless = needless_given(census[0] if census else {})
        planned = [q for q in _planned_queries(params, catalog.cron) if q[0] not in needless]
        shared = (
            second_connection
            and shareable
            and not server["recovering"]
            and worth_it(server["relations"])
        )
        second = _second_connection(conn, planned) if shared else None
        depth = read_ahead_depth(latency, len(planned))
        with reading_ahead(conn, planned, second, needless, depth):
            for row in schema_rows:
                catalog.schemas[row["ident"]] = Schema(
                    row["name"], row["ident"], row["owner"], row["comment"]
                )
            for row in rows(conn, "extensions", params):
                catalog.extensions[row["ident"]] = Extension(
                    **{**row, "requires": tuple(row["requires"])}
                )
            column_names = _read_tables(conn, params, catalog)
            _read_constraints(conn, params, catalog, column_names)
            _read_indexes(conn, params, catalog)
            for row in rows(conn, "sequences", params):
                catalog.sequences[row["ident"]] = Sequence(**row)
            for reader in READERS:
                reader(conn, params, catalog)
    return without_excluded(catalog, scope.objects)


# Names printed schema-qualified, times (partition bounds, defaults) in one zone on every
# server, and no JIT: the catalog queries' correlated subqueries make large estimated
# costs, which would have the server spend seconds compiling queries that run in
# milliseconds.
SESSION_SETTINGS = "SET LOCAL search_path = ''; SET LOCAL TimeZone = 'UTC'; SET LOCAL jit = off"

# The queries a second connection answers: about half the server's work on a large
# catalog, those the readers ask for after the first connection's columns, tables and
# constraints.
SECOND_CONNECTION_QUERIES = frozenset({
    "indexes", "privileges", "policies", "index_settings",
    "partition_indexes", "views_dependencies", "views", "views_columns", "types", "triggers",
})  # fmt: skip


def _second_connection(
    conn: psycopg.Connection, planned: list[tuple[str, dict[str, Any]]]
) -> SecondConnection:
    """A second connection for part of ``planned``, in this transaction's snapshot."""
    row = conn.execute("SELECT pg_export_snapshot()").fetchone()
    ours = [query for query in planned if query[0] in SECOND_CONNECTION_QUERIES]
    return SecondConnection(conn, str(row[0]) if row else "", SESSION_SETTINGS, planned_texts(ours))


def _planned_queries(params: dict[str, Any], cron: bool) -> list[tuple[str, dict[str, Any]]]:
    """The catalog queries :func:`introspect` and its readers run, in the order they run
    them, for reading them ahead. Only queries that surely run belong here (one sent ahead
    that fails would fail the read); one left out merely runs without the overlap."""
    recent = params["server_version_num"] >= SINCE_15
    names = [
        "extensions", "columns", "tables", "constraints", "indexes", "sequences",
        "collations", "casts",
        "operators", "operator_members", "operator_families", "operator_classes",
        "text_search_dictionaries", "text_search_configurations",
        "aggregates", "functions", "triggers", "event_triggers", "domains", "types",
        "views_columns", "views_dependencies", "views", "partition_columns",
        "not_null_constraints", "index_settings", "partition_indexes",
        "policies", "privileges", "default_privileges",
    ]  # fmt: skip
    planned = [(name, params) for name in names]
    if cron:
        planned.append(("jobs", {}))
    planned.append(("partman_schema", {}))
    planned.append(("publications", params))
    planned.append(("publication_tables" if recent else "publication_tables_14", params))
    if recent:
        planned.append(("publication_schemas", params))
    planned += [("statistics", params), ("rules", params)]
    return planned


def _read_tables(
    conn: psycopg.Connection, params: dict[str, Any], catalog: Catalog
) -> dict[int, dict[int, str]]:
    """Read tables and their columns; return every table's column idents by number
    (inherited columns too), for naming what constraints stand on."""
    columns: dict[int, list[Column]] = {}
    names: dict[int, dict[int, str]] = {}
    settings: dict[int, list[ColumnSettings]] = {}
    for (
        oid, local, table_name, name, ident, position, type_, not_null, default, identity,
        generated, collation, comment, default_volatile, default_calls, generated_storage,
        generated_uses, statistics, storage, compression, options, type_storage, *sequence,
    ) in tuples(conn, "columns", params):  # fmt: skip
        if oid in names:
            names[oid][position] = ident
        else:
            names[oid] = {position: ident}
        if statistics is not None or storage or compression or options:
            settings.setdefault(oid, []).append(
                column_settings(
                    name, ident, type_, statistics, storage, compression, options, type_storage
                )
            )
        if not local:
            continue  # inherited from a parent table: planned on the parent
        column = _column(
            name, ident, position, type_, not_null, default, identity, generated, collation,
            comment, default_volatile, tuple(default_calls),
            identity_sequence(sequence, table_name, name, type_) if sequence[0] else None,
            generated_storage, None, tuple(generated_uses or ()),
        )  # fmt: skip
        if oid in columns:
            columns[oid].append(column)
        else:
            columns[oid] = [column]
    for row in rows(conn, "tables", params):
        oid = row.pop("oid")
        row["columns"] = tuple(columns.get(oid, ()))
        row["column_settings"] = tuple(settings.get(oid, ()))
        row["inherits"] = tuple(row["inherits"])
        row["partition_key_columns"] = tuple(row["partition_key_columns"] or ())
        row["options"] = tuple(row["options"])
        catalog.tables[row["ident"]] = Table(**row)
    return names


def _read_constraints(
    conn: psycopg.Connection,
    params: dict[str, Any],
    catalog: Catalog,
    column_names: dict[int, dict[int, str]],
) -> None:
    for (
        table_oid, table, name, ident, type_, definition, validated, references,
        referenced_index, numbers, calls, index_options, shape, comment,
    ) in tuples(conn, "constraints", params):  # fmt: skip
        named = column_names.get(table_oid, {})
        columns = sorted({named[n] for n in numbers if n in named})
        if definition.endswith(NOT_VALID_SUFFIX):
            definition = definition[: -len(NOT_VALID_SUFFIX)]
            shape = shape.removesuffix(NOT_VALID_SUFFIX)
        constraint = _constraint(
            table, name, ident, type_, definition, validated, references, comment,
            referenced_index, tuple(columns), tuple(calls), tuple(index_options), shape,
        )  # fmt: skip
        catalog.constraints[constraint.key] = constraint


def _read_indexes(conn: psycopg.Connection, params: dict[str, Any], catalog: Catalog) -> None:
    for (
        schema, name, ident, table, definition, valid, table_kind, columns, calls, options,
        shape, comment,
    ) in tuples(conn, "indexes", params):  # fmt: skip
        catalog.indexes[ident] = _index(
            schema, name, ident, table, definition, valid, table_kind, comment,
            tuple(columns), tuple(calls), tuple(options), (), shape,
        )  # fmt: skip
