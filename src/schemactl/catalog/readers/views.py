"""Reading views and materialized views, their output columns and what their queries use.

``pg_get_viewdef`` prints the query only; the options (``security_invoker``,
``security_barrier``, ``check_option``, storage parameters of materialized views) live
in ``reloptions`` and are read beside it, so that a view is never recreated without
them. What a view uses comes from ``pg_depend`` on its rewrite rule, down to single
columns: that is what PostgreSQL itself refuses to drop or retype under a view.
"""

from __future__ import annotations

from typing import Any

import psycopg

from schemactl.catalog.model import Catalog, View, ViewColumn
from schemactl.catalog.sqlfiles import rows


def read_views(conn: psycopg.Connection, params: dict[str, Any], catalog: Catalog) -> None:
    columns: dict[int, list[ViewColumn]] = {}
    for row in rows(conn, "views_columns", params):
        columns.setdefault(row.pop("view_oid"), []).append(ViewColumn(**row))
    uses: dict[int, dict[str, set[Any]]] = {}
    for row in rows(conn, "views_dependencies", params):
        found = uses.setdefault(row["view_oid"], {})
        found.setdefault(_FIELDS[row["kind"]], set()).add(row["target"])
        if row["column"] is not None:  # a view on a view depends only on its columns
            found.setdefault("uses_columns", set()).add((row["target"], row["column"]))
    for row in rows(conn, "views", params):
        oid = row.pop("oid")
        found = uses.get(oid, {})
        catalog.views[row["ident"]] = View(
            **{
                **row,
                "definition": printed_definition(row["definition"]),
                "columns": tuple(columns.get(oid, ())),
                "options": tuple(row["options"]),
                **{name: tuple(sorted(found.get(name, ()))) for name in _FIELDS.values()},
                "uses_columns": tuple(sorted(found.get("uses_columns", ()))),
            }
        )


_FIELDS = {"relation": "relations", "routine": "functions", "type": "types"}


def printed_definition(text: str) -> str:
    """``pg_get_viewdef`` text without its leading blank and final semicolon, so that it
    can be followed by ``WITH DATA`` and compared whatever the surrounding whitespace."""
    return text.strip().removesuffix(";").rstrip()
