"""The bounds of partitions the plan attaches, as the expressions PostgreSQL checks.

``ALTER TABLE p ATTACH PARTITION t`` scans ``t`` under ACCESS EXCLUSIVE to check its rows
fit the bound, unless a valid CHECK constraint of ``t`` implies the bound. Online, the
plan therefore adds such a check first and validates it under a lock that lets reads
and writes go on (diff/attach.py). The expression is PostgreSQL's own
(``pg_get_partition_constraintdef``), asked of the desired side, where the partition
has its bound; only for tables that are attached, so that a plan without an attach
asks nothing.
"""

from __future__ import annotations

import dataclasses

import psycopg

from schemactl.catalog.equivalence import Answers
from schemactl.catalog.model import DEFAULT_BOUND, Catalog, Table
from schemactl.catalog.sqlfiles import rows


def _attached(current: Catalog, ident: str, table: Table) -> bool:
    """Whether the plan attaches ``table``: a table of its own that becomes a
    partition, or a partition that gets another parent or bound."""
    before = current.tables.get(ident)
    if before is None or table.partition_of is None or table.partition_bound == DEFAULT_BOUND:
        return False
    return (before.partition_of, before.partition_bound) != (
        table.partition_of,
        table.partition_bound,
    )


def with_partition_constraints(
    conn: psycopg.Connection, current: Catalog, desired: Catalog, answers: Answers | None = None
) -> Catalog:
    """``desired`` with ``partition_constraint`` set on the partitions the plan attaches,
    asked of the server behind ``conn`` (which has the desired state)."""
    wanted = [ident for ident, table in desired.tables.items() if _attached(current, ident, table)]
    if not wanted:
        return desired
    known: Answers = {} if answers is None else answers
    unknown = [ident for ident in wanted if ("partition_constraint", ident) not in known]
    if unknown:
        # Names printed schema-qualified, as every catalog query prints them.
        with conn.transaction(force_rollback=True):
            conn.execute("SET LOCAL search_path = ''")
            for row in rows(conn, "partition_constraints", {"tables": unknown}):
                known[("partition_constraint", row["ident"])] = row["expression"]
    tables = dict(desired.tables)
    for ident in wanted:
        expression = known[("partition_constraint", ident)]
        if expression:
            tables[ident] = dataclasses.replace(tables[ident], partition_constraint=expression)
    return dataclasses.replace(desired, tables=tables)
