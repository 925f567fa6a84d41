"""Moving whole tables, with everything that hangs on them, between catalogs.

Rolling partition rules adopt partitions from the target into the desired state
and take retired ones out of the comparison; pg_partman's children leave it too.
A table's constraints, indexes, triggers, policies and privileges go with it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from schemactl.catalog.model import Catalog
from schemactl.diff.partitions import belongs_to


def objects_of(catalog: Catalog, idents: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Every dict entry of ``catalog`` that is, or belongs to, one of these tables."""
    tables = frozenset(idents)
    found: dict[str, dict[str, Any]] = {}
    if not tables:
        return found
    for f in dataclasses.fields(catalog):
        value = getattr(catalog, f.name)
        if not isinstance(value, dict):
            continue
        if f.name == "tables":
            picked = {k: v for k, v in value.items() if k in tables}
        else:
            picked = {k: v for k, v in value.items() if belongs_to(v, tables)}
        if picked:
            found[f.name] = picked
    return found


def with_objects(catalog: Catalog, added: dict[str, dict[str, Any]]) -> Catalog:
    if not added:
        return catalog
    changes: dict[str, Any] = {
        name: {**getattr(catalog, name), **entries} for name, entries in added.items()
    }
    return dataclasses.replace(catalog, **changes)


def without_tables(catalog: Catalog, idents: Iterable[str]) -> Catalog:
    gone = objects_of(catalog, idents)
    changes: dict[str, Any] = {
        name: {k: v for k, v in getattr(catalog, name).items() if k not in entries}
        for name, entries in gone.items()
    }
    return dataclasses.replace(catalog, **changes) if changes else catalog
