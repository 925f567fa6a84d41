"""Which catalog queries a database needs at all.

Every catalog query reads objects of one kind that someone created after initdb. A
database that has none of a kind (no operators, no publications, no text search
dictionaries: most have none of most kinds; an empty one has none of any) needs none of
that kind's queries, and one census query (``queries/census.sql``) says which kinds it
has. On a small or empty database the queries' own planning and catalog scans were most
of its read.
"""

from __future__ import annotations

import psycopg

from schemactl.catalog.sqlfiles import rows

# The queries that read each kind the census counts; a query not named here always runs.
QUERIES_OF_KIND: dict[str, tuple[str, ...]] = {
    "relations": ("columns", "tables", "not_null_constraints"),
    "views": ("views", "views_columns", "views_dependencies"),
    "sequences": ("sequences",),
    "indexes": ("indexes", "index_settings"),
    "partitioned": ("partition_columns", "partition_indexes"),
    "constraints": ("constraints",),
    "types": ("types",),
    "domains": ("domains",),
    "routines": ("functions",),
    "aggregates": ("aggregates",),
    "operators": ("operators",),
    "operator_families": ("operator_families", "operator_members"),
    "operator_classes": ("operator_classes",),
    "casts": ("casts",),
    "collations": ("collations",),
    "text_search_dictionaries": ("text_search_dictionaries",),
    "text_search_configurations": ("text_search_configurations",),
    "triggers": ("triggers",),
    "event_triggers": ("event_triggers",),
    "rules": ("rules",),
    "policies": ("policies",),
    "statistics": ("statistics",),
    "publications": ("publications", "publication_tables", "publication_tables_14",
                     "publication_schemas"),
    "default_privileges": ("default_privileges",),
}  # fmt: skip


def needless_queries(conn: psycopg.Connection) -> frozenset[str]:
    """The catalog queries that would find nothing in the database behind ``conn``."""
    found = rows(conn, "census", {})
    return needless_given(found[0] if found else {})


def needless_given(held: dict[str, bool]) -> frozenset[str]:
    """The catalog queries that would find nothing, given the census's row ``held``."""
    return frozenset(
        name
        for kind, names in QUERIES_OF_KIND.items()
        if not held.get(kind, True)
        for name in names
    )
