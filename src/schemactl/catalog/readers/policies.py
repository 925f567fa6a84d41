"""Reading row-level security policies (``pg_policy``).

The expressions are kept as ``pg_get_expr`` prints them, read with an empty
``search_path`` so that every name in them is schema-qualified. What they use is
read from ``pg_depend``: a policy blocks ``ALTER COLUMN ... TYPE`` and the drop of
any column, relation or routine it names, so the diff needs to know.
"""

from __future__ import annotations

from typing import Any

import psycopg

from schemactl.catalog.model import Catalog, Policy
from schemactl.catalog.sqlfiles import rows


def read_policies(conn: psycopg.Connection, params: dict[str, Any], catalog: Catalog) -> None:
    for row in rows(conn, "policies", params):
        policy = Policy(
            **{
                **row,
                "roles": tuple(row["roles"]),
                "columns": tuple((table, column) for table, column in row["columns"]),
                "relations": tuple(row["relations"]),
                "functions": tuple(row["functions"]),
            }
        )
        catalog.policies[policy.key] = policy
