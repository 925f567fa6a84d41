"""Concurrent index builds that depend on nothing the migration changes, run first.

An online migration commits what comes before a concurrent build (``CREATE INDEX
CONCURRENTLY`` cannot run in a transaction), then builds, then goes on. Built in their
place among the creates, the builds ran after the drops had been committed: a view or
materialized view dropped to be created again, a policy or trigger replaced by dropping
it, were missing for the length of every build, minutes to hours on a large table.

Where the migration drops something and creates it again, a build that needs nothing
the migration makes or changes runs before any of it:
on a table that stays as it is (no rewrite, which would build every index of it again,
and none of the columns the index uses changed), calling only routines that exist and
stay, in a migration that changes no types, collations, operators, extensions or text
search objects (which an index names without the catalog telling), under a name no
relation holds yet. Such builds are moved to the front, in their order; the rest keep
their place. Each one's statements are unchanged, only when it runs. A build or
validation that still runs while something is missing names it in a hazard
(``dependent_recreate``), for the reviewer to weigh.
"""

from __future__ import annotations

import dataclasses

from schemactl.catalog.model import Constraint, Index
from schemactl.diff.changes import Change, Hazard, HazardKind, Phase
from schemactl.diff.context import DiffContext
from schemactl.diff.key_indexes import relation_named
from schemactl.diff.regenerated import foundations
from schemactl.identifiers import split_qualified

# Operations building an index concurrently on a table that exists before and after.
BUILDS = frozenset(
    {"index.create_concurrently", "index.create_beside", "constraint.build_key_index"}
)

# Changes to what an index's definition may name without pg_depend's calls telling:
# types (casts, enum constants), collations, operators and their classes, extensions
# (which bring all of these), text search configurations (regconfig constants).
FOUNDATION_PHASES = frozenset(
    {
        Phase.DROP_TEXT_SEARCH, Phase.DROP_CAST, Phase.DROP_OPERATOR_CLASS,
        Phase.DROP_OPERATOR, Phase.DROP_TYPE, Phase.DROP_COLLATION, Phase.DROP_EXTENSION,
        Phase.CREATE_COLLATION, Phase.CREATE_EXTENSION, Phase.ALTER_EXTENSION,
        Phase.CREATE_TYPE, Phase.ALTER_TYPE, Phase.CREATE_OPERATOR,
        Phase.CREATE_OPERATOR_CLASS, Phase.CREATE_CAST, Phase.CREATE_TEXT_SEARCH,
        Phase.ADD_DOMAIN_CONSTRAINT, Phase.DROP_REPLACED_TYPE,
    }
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class _Build:
    """What a build stands on: its table, the columns and routines its definition uses,
    its text, and the name it is built under (None: one the differ chose free, as a
    changed index's temporary name)."""

    table: str
    columns: tuple[str, ...]
    calls: tuple[str, ...]
    definition: str
    name: str | None


def _build(change: Change) -> _Build | None:
    if change.operation == "constraint.build_key_index":
        key: Constraint = change.params["constraint"]
        schema, _ = split_qualified(key.table)
        name = f"{schema}.{change.params['name']}"
        return _Build(key.table, key.columns, key.calls, key.definition, name)
    index: Index = change.params["index"]
    if index.table_kind != "r":
        return None
    built_as = None if change.operation == "index.create_beside" else index.ident
    return _Build(index.table, index.columns, index.calls, index.definition, built_as)


def _recreated(changes: list[Change]) -> dict[tuple[str, str], tuple[float, float]]:
    """What the migration drops before its builds and creates again, by kind and name:
    the phases it is dropped and created in, between which it is missing. A changed index
    swapped in is dropped only after its replacement is built: not among them."""
    dropped = {
        (c.kind, c.name): float(c.phase)
        for c in changes
        if c.action == "drop" and c.phase < Phase.CREATE_INDEX
    }
    gaps: dict[tuple[str, str], tuple[float, float]] = {}
    for change in changes:
        key = (change.kind, change.name)
        if change.action == "create" and key in dropped and key not in gaps:
            gaps[key] = (dropped[key], float(change.phase))
    return gaps


def _long_outside_the_transaction(change: Change) -> bool:
    """A build or validation that commits what came before it and takes a while."""
    return (not change.transactional or change.separate) and any(
        hazard.kind in (HazardKind.INDEX_BUILD, HazardKind.VALIDATION_SCAN)
        for hazard in change.hazards
    )


def _missing_meanwhile(change: Change, gaps: dict[tuple[str, str], tuple[float, float]]) -> Change:
    """``change`` with a hazard naming what is missing while it runs, where something is."""
    missing = [
        f"{kind} {name}"
        for (kind, name), (gone, back) in gaps.items()
        if gone < change.phase < back
    ]
    if not missing:
        return change
    hazard = Hazard(
        HazardKind.DEPENDENT_RECREATE,
        f"missing while this runs: {', '.join(missing)} (dropped before it, created again after it)",
    )
    return dataclasses.replace(change, hazards=(*change.hazards, hazard))


def builds_first(ctx: DiffContext, changes: list[Change]) -> list[Change]:
    """``changes`` with the concurrent builds that depend on nothing else in them moved
    to the front, each as it was (see the module's docstring); the builds and validations
    that still run while something is missing name it in a hazard."""
    gaps = _recreated(changes) if ctx.online else {}
    if not gaps:
        return changes
    first = (
        _independent_builds(ctx, changes)
        if not any(change.phase in FOUNDATION_PHASES for change in changes)
        else frozenset()
    )
    result: list[Change] = []
    for number, change in enumerate(changes):
        if number in first:
            order = (round(change.phase * 10), *change.order)
            change = dataclasses.replace(change, phase=Phase.BUILD_INDEX_FIRST, order=order)
        elif _long_outside_the_transaction(change):
            change = _missing_meanwhile(change, gaps)
        result.append(change)
    return result


def _independent_builds(ctx: DiffContext, changes: list[Change]) -> frozenset[int]:
    """The positions in ``changes`` of the builds that need nothing the others make or
    change (see the module's docstring)."""
    rewritten: set[str] = set()
    changed_columns: set[tuple[str, str]] = set()
    for change in changes:
        subject = change.subject
        if subject is None or subject.kind != "table":
            continue
        if any(hazard.kind == HazardKind.TABLE_REWRITE for hazard in change.hazards):
            rewritten.add(subject.name)
        if subject.part_kind == "column":
            changed_columns.add((subject.name, subject.part))

    def independent(build: _Build) -> bool:
        table = ctx.current.tables.get(build.table)
        if (
            table is None
            or table.partition_of is not None
            or build.table not in ctx.desired.tables
            or build.table in rewritten
        ):
            return False
        present = {column.ident for column in table.columns}
        return (
            all(c in present and (build.table, c) not in changed_columns for c in build.columns)
            and all(call in ctx.current.functions for call in build.calls)
            and foundations(ctx).reason(build.table, build.columns, build.calls, build.definition)
            is None
            and (build.name is None or not relation_named(ctx, build.name))
        )

    return frozenset(
        number
        for number, change in enumerate(changes)
        if change.operation in BUILDS
        and (build := _build(change)) is not None
        and independent(build)
    )
