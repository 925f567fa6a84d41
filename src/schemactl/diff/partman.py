"""pg_partman: registrations declared in schema/, children left to pg_partman.

A parent the schema registers (``partman.create_parent``) and the target does not
have yet is registered by running the declaration. The children pg_partman makes
and retires, and the template table it keeps, are its own: they leave the
comparison on both sides, so they are never drift and never dropped.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from schemactl.catalog.model import Catalog, PartmanParent, Table
from schemactl.diff.changes import Change, Hazard, HazardKind, Phase
from schemactl.diff.context import DiffContext
from schemactl.diff.table_sets import without_tables
from schemactl.source.partman import PartmanRegistration


def _qualified(table: Table) -> str:
    return f"{table.schema}.{table.name}"


def _children(catalog: Catalog, parents: set[str], templates: set[str]) -> list[str]:
    by_ident = {t.ident: _qualified(t) for t in catalog.tables.values()}
    managed = {ident for ident, name in by_ident.items() if name in parents}
    found = {ident for ident, name in by_ident.items() if name in templates}
    grew = True
    while grew:
        grew = False
        for table in catalog.tables.values():
            if table.ident not in found and table.partition_of in managed | found:
                found.add(table.ident)
                grew = True
    return sorted(found - managed)


def with_registrations(
    desired: Catalog, current: Catalog, registrations: Iterable[PartmanRegistration]
) -> tuple[Catalog, Catalog]:
    """The declared registrations in the desired state; pg_partman's children and
    templates out of both."""
    declared = {r.parent: PartmanParent(r.parent, declaration=r.sql) for r in registrations}
    if not declared and not current.partman:
        return desired, current
    desired = dataclasses.replace(desired, partman={**desired.partman, **declared})
    parents = set(declared) | set(current.partman)
    templates = {p.template_table for p in current.partman.values() if p.template_table}
    return (
        without_tables(desired, _children(desired, parents, templates)),
        without_tables(current, _children(current, parents, templates)),
    )


def diff_partman(ctx: DiffContext) -> list[Change]:
    changes: list[Change] = []
    for parent in sorted(ctx.desired.partman.keys() - ctx.current.partman.keys()):
        entry = ctx.desired.partman[parent]
        if not entry.declaration:
            continue  # the other direction of a registration: nothing undoes it
        changes.append(
            Change(
                "partman", parent, "create", "partman.register", {"registration": entry},
                Phase.REGISTER_PARTMAN,
                (Hazard(HazardKind.NOT_REVERSIBLE,
                        f"a rollback does not undo pg_partman's registration of {parent} "
                        "(partman.undo_partition moves the rows back; run it by hand)"),),
            )
        )  # fmt: skip
    return changes
