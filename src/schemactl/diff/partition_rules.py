"""Rolling partitions: what a rule adds to the desired state, and what it retires.

Before diffing, :func:`apply_partition_rules` turns the desired catalog into
what the rule demands at ``now``:

* every period from the oldest retained one to ``now`` + ``premake`` has its
  partition (made new with the parent's RLS flags and grants, or the target's
  own where it exists already);
* partitions the target holds for later periods (a job made them ahead of time)
  are kept: they are the rule's, not drift;
* partitions of expired periods are detached and kept as tables
  (``expire=detach``, the default) or dropped, a data_loss step
  (``expire=drop``); once detached, such a table is out of the comparison, so it
  is never drift and never dropped by accident.

The detach itself is a change like any other (:func:`diff_retirements`), so the
rollback attaches the partition again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from schemactl.catalog.model import Catalog, ObjectPrivileges, Table
from schemactl.diff.changes import Change, Hazard, HazardKind, Phase
from schemactl.diff.context import DiffContext
from schemactl.diff.partition_periods import bound, partition_name, start_of, window
from schemactl.diff.table_sets import objects_of, with_objects, without_tables
from schemactl.errors import SchemaSourceError
from schemactl.identifiers import MAX_IDENTIFIER_BYTES, quote_ident
from schemactl.source.partition_rules import PartitionRule

RANGE_KEY_TYPES = ("date", "timestamp with time zone", "timestamp without time zone")


def _key_type(rule: PartitionRule, parent: Table) -> str:
    key = (parent.partition_key or "").strip()
    inner = key[key.find("(") + 1 : key.rfind(")")].strip().strip('"')
    column = parent.column(inner)
    if not key.upper().startswith("RANGE") or column is None or column.type not in RANGE_KEY_TYPES:
        raise SchemaSourceError(
            rule.location,
            f"partition rule on {parent.ident}: the range key must be one column of type "
            f"date, timestamp or timestamptz (it is {key or 'not partitioned'})",
        )
    return column.type


def _find(catalog: Catalog, schema: str, name: str) -> Table | None:
    return next((t for t in catalog.tables.values() if t.schema == schema and t.name == name), None)


def _named_by_rule(catalog: Catalog, rule: PartitionRule, parent: Table) -> dict[date, Table]:
    found: dict[date, Table] = {}
    for table in catalog.tables.values():
        if table.schema != parent.schema or table.kind != "r":
            continue
        if table.partition_of not in (None, parent.ident):
            continue
        start = start_of(table.name, parent.name, rule.interval)
        if start is not None:
            found[start] = table
    return found


def _new_partition(
    catalog: Catalog, parent: Table, name: str, bound_text: str
) -> dict[str, dict[str, Any]]:
    """A partition as the rule makes it: the parent's RLS flags and grants."""
    if len(name.encode()) > MAX_IDENTIFIER_BYTES:
        raise ValueError(name)
    ident = f"{quote_ident(parent.schema)}.{quote_ident(name)}"
    table = Table(
        schema=parent.schema,
        name=name,
        ident=ident,
        kind="r",
        unlogged=parent.unlogged,
        columns=(),
        partition_of=parent.ident,
        partition_bound=bound_text,
        rls_enabled=parent.rls_enabled,
        rls_forced=parent.rls_forced,
    )
    entries: dict[str, dict[str, Any]] = {"tables": {ident: table}}
    grants = catalog.privileges.get(f"TABLE {parent.ident}")
    if isinstance(grants, ObjectPrivileges):
        copy = dataclasses.replace(grants, target=ident)
        entries["privileges"] = {copy.key: copy}
    return entries


def apply_partition_rules(
    desired: Catalog, current: Catalog, rules: Iterable[PartitionRule], now: datetime
) -> tuple[Catalog, Catalog]:
    """``(desired, current)`` as the rules see them at ``now``."""
    for rule in rules:
        parent = _find(desired, rule.schema, rule.table)
        if parent is None:
            continue  # the table is not in this desired state (upkeep of another scope)
        key_type = _key_type(rule, parent)
        periods = window(now, rule.interval, rule.premake, rule.retain)
        first, last = periods[0], periods[-1]
        declared = _named_by_rule(desired, rule, parent)
        live = _named_by_rule(current, rule, parent)
        expired = {s for s in declared.keys() | live.keys() if s < first}

        # Expired periods: retired tables leave the comparison on both sides; attached
        # ones are detached (kept as tables) or dropped.
        retired = [t.ident for s, t in live.items() if s in expired and t.partition_of is None]
        current = without_tables(current, retired)
        desired = without_tables(desired, [t.ident for s, t in declared.items() if s in expired])
        for start in sorted(expired):
            table = live.get(start)
            if table is None or table.partition_of is None:
                continue
            if rule.expire == "detach":
                kept = objects_of(current, [table.ident])
                kept["tables"] = {table.ident: dataclasses.replace(table, retire=True)}
                desired = with_objects(desired, kept)

        # Periods due now, and those a job made ahead of time.
        for start in periods:
            if start in declared:
                continue
            if start in live and live[start].partition_of == parent.ident:
                desired = with_objects(desired, objects_of(current, [live[start].ident]))
                continue
            name = partition_name(parent.name, start, rule.interval)
            try:
                made = _new_partition(desired, parent, name, bound(start, rule.interval, key_type))
            except ValueError:
                raise SchemaSourceError(
                    rule.location, f"partition rule: the name {name} is longer than 63 bytes"
                ) from None
            desired = with_objects(desired, made)
        ahead = [t.ident for s, t in live.items() if s > last and t.partition_of == parent.ident]
        desired = with_objects(desired, objects_of(current, ahead))
    return desired, current


def without_rule_partitions(catalog: Catalog, rules: Iterable[PartitionRule]) -> Catalog:
    """The catalog without every partition a rule names (any period, attached or
    retired). Where no upkeep runs (migration files, ``verify``), those are the
    upkeep's business (``schemactl partitions`` or a job), never a difference."""
    for rule in rules:
        parent = _find(catalog, rule.schema, rule.table)
        if parent is not None:
            named = _named_by_rule(catalog, rule, parent)
            catalog = without_tables(catalog, [t.ident for t in named.values()])
    return catalog


def diff_retirements(ctx: DiffContext) -> list[Change]:
    """Detach partitions a rule retires; the rollback attaches them again."""
    changes: list[Change] = []
    for ident in sorted(ctx.current.tables.keys() & ctx.desired.tables.keys()):
        old, new = ctx.current.tables[ident], ctx.desired.tables[ident]
        if new.retire and not old.retire and old.partition_of:
            changes.append(
                Change(
                    "partition", ident, "alter", "partition.detach", {"table": old},
                    Phase.ALTER_TABLE,
                    (Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK,
                            f"detaching expired partition {ident} locks {old.partition_of} "
                            "briefly; its rows stay in the detached table"),),
                )
            )  # fmt: skip
        elif old.retire and not new.retire and new.partition_of:
            changes.append(
                Change(
                    "partition", ident, "alter", "partition.attach", {"table": new},
                    Phase.ALTER_TABLE,
                    (Hazard(HazardKind.VALIDATION_SCAN,
                            f"attaching {ident} again scans it to check its rows fit"),),
                )
            )  # fmt: skip
    return changes
