"""Reading operators, operator families and operator classes with their members."""

from __future__ import annotations

from typing import Any

import psycopg

from schemactl.catalog.model import (
    Catalog,
    Operator,
    OperatorClass,
    OperatorFamily,
    OperatorMember,
)
from schemactl.catalog.sqlfiles import rows


def read_operators(conn: psycopg.Connection, params: dict[str, Any], catalog: Catalog) -> None:
    for row in rows(conn, "operators", params):
        operator = Operator(**row)
        catalog.operators[operator.key] = operator
    by_class: dict[int, list[OperatorMember]] = {}
    loose: dict[int, list[OperatorMember]] = {}
    for row in rows(conn, "operator_members", params):
        family, owner = row.pop("family"), row.pop("class")
        member = OperatorMember(**row)
        if owner is None:
            loose.setdefault(family, []).append(member)
        else:
            by_class.setdefault(owner, []).append(member)
    for row in rows(conn, "operator_families", params):
        family = OperatorFamily(**_without_oid(row), members=tuple(loose.get(row["oid"], ())))
        catalog.operator_families[family.key] = family
    for row in rows(conn, "operator_classes", params):
        opclass = OperatorClass(**_without_oid(row), members=tuple(by_class.get(row["oid"], ())))
        catalog.operator_classes[opclass.key] = opclass


def _without_oid(row: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in row.items() if key != "oid"}
