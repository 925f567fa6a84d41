"""Reading enums, composite types, domains (with their CHECKs) and range types.

Domain defaults are printed with ``pg_get_expr`` rather than taken from
``typdefault``: that text was fixed when the domain was created, under whatever
``search_path`` was in force, so two databases could spell the same default
differently. ``pg_get_expr`` prints it now, under the empty ``search_path``.
"""

from __future__ import annotations

from typing import Any

import psycopg

from schemactl.catalog.model import Catalog, DomainConstraint, TypeAttribute, UserType
from schemactl.catalog.sqlfiles import rows

NOT_VALID_SUFFIX = " NOT VALID"


def read_types(conn: psycopg.Connection, params: dict[str, Any], catalog: Catalog) -> None:
    checks: dict[str, list[DomainConstraint]] = {}
    for row in rows(conn, "domains", params):
        domain = row.pop("domain")
        definition = row["definition"]
        if definition.endswith(NOT_VALID_SUFFIX):
            definition = definition[: -len(NOT_VALID_SUFFIX)]
        checks.setdefault(domain, []).append(
            DomainConstraint(**{**row, "definition": definition, "calls": tuple(row["calls"])})
        )
    for row in rows(conn, "types", params):
        ident = row["ident"]
        catalog.types[ident] = UserType(
            **{
                **row,
                "labels": tuple(row["labels"]),
                "attributes": tuple(TypeAttribute(**a) for a in row["attributes"]),
                "options": tuple(row["options"]),
                "constraints": tuple(checks.get(ident, ())),
                "depends_on": tuple(d for d in row["depends_on"] if d != ident),
                "default_calls": tuple(row["default_calls"] or ()),
            }
        )
