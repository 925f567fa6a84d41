"""Leaving objects out of scope by name: ``--exclude 'pattern'``.

A pattern is a shell-style glob (``tmp_*``, ``audit.*``, ``public.legacy_?``)
matched, case-sensitively, against an object's name and against ``schema.name``.
It reaches tables, views, materialized views, sequences, routines, types and
indexes; an excluded table or view takes everything on it along (columns,
constraints, indexes, triggers, policies, grants, the sequences it owns). Both
databases of a comparison are read through the same filter, so an excluded
object is never planned, dropped or reported as drift.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from fnmatch import fnmatchcase

from schemactl.catalog.model import Catalog


def matches(patterns: Iterable[str], schema: str, name: str) -> bool:
    qualified = f"{schema}.{name}"
    return any(fnmatchcase(name, p) or fnmatchcase(qualified, p) for p in patterns)


def without_excluded(catalog: Catalog, patterns: tuple[str, ...]) -> Catalog:
    """``catalog`` without the objects ``patterns`` name, and what belongs to them."""
    if not patterns:
        return catalog
    relations = {
        ident for ident, t in catalog.tables.items() if matches(patterns, t.schema, t.name)
    } | {ident for ident, v in catalog.views.items() if matches(patterns, v.schema, v.name)}
    sequences = {
        ident
        for ident, seq in catalog.sequences.items()
        if matches(patterns, seq.schema, seq.name) or seq.owned_by_table in relations
    }
    functions = {key for key, f in catalog.functions.items() if matches(patterns, f.schema, f.name)}
    routine_targets = {
        f"{f.ident}({f.arguments})" for key, f in catalog.functions.items() if key in functions
    }
    types = {ident for ident, t in catalog.types.items() if matches(patterns, t.schema, t.name)}
    gone = relations | sequences | types | routine_targets

    return dataclasses.replace(
        catalog,
        tables={k: v for k, v in catalog.tables.items() if k not in relations},
        views={k: v for k, v in catalog.views.items() if k not in relations},
        sequences={k: v for k, v in catalog.sequences.items() if k not in sequences},
        functions={k: v for k, v in catalog.functions.items() if k not in functions},
        types={k: v for k, v in catalog.types.items() if k not in types},
        constraints={k: v for k, v in catalog.constraints.items() if v.table not in relations},
        indexes={
            k: v
            for k, v in catalog.indexes.items()
            if v.table not in relations and not matches(patterns, v.schema, v.name)
        },
        triggers={k: v for k, v in catalog.triggers.items() if v.table not in relations},
        policies={k: v for k, v in catalog.policies.items() if v.table not in relations},
        privileges={k: v for k, v in catalog.privileges.items() if v.target not in gone},
    )
