"""Reading which index of each partition is attached to a partitioned index.

Attached indexes are not objects of their own (the parent's index is planned once),
but planning that index well needs them: a partition whose index is missing under an
INVALID parent, an index a partition already has that the parent's new index adopts,
and the names PostgreSQL gave the partitions' indexes where the schema was loaded.
"""

from __future__ import annotations

from typing import Any

import psycopg

from schemactl.catalog.model import Catalog
from schemactl.catalog.sqlfiles import rows


def read_partition_indexes(
    conn: psycopg.Connection, params: dict[str, Any], catalog: Catalog
) -> None:
    attached: dict[str, list[tuple[str, str]]] = {}
    for row in rows(conn, "partition_indexes", params):
        attached.setdefault(row["parent"], []).append((row["table"], row["index"]))
    catalog.partition_indexes.update({k: tuple(v) for k, v in attached.items()})
