"""Column settings (statistics target, storage, compression, attribute options) and the
index a table is clustered on: ``ALTER TABLE ... ALTER COLUMN ... SET``, ``CLUSTER ON``.

Each is set on its own table only: a partition's settings are its own (a new partition
copies its parent's storage and compression, never its statistics target), and the
catalog compares what each table holds. ``ALTER COLUMN ... TYPE`` resets storage and
compression to the new type's, so a column whose type changes gets them set again.
"""

from __future__ import annotations

from schemactl.catalog.model import Catalog, ColumnSettings, Index, Table
from schemactl.diff import hazards
from schemactl.diff.changes import AttributeChange, Change, Hazard, Phase, Subject
from schemactl.diff.context import DiffContext
from schemactl.diff.regenerated import regenerated_columns, standing_on


def diff_settings(ctx: DiffContext) -> list[Change]:
    changes: list[Change] = []
    for ident in sorted(ctx.desired.tables):
        new = ctx.desired.tables[ident]
        old = ctx.current.tables.get(ident)
        changes += _column_settings(ctx, old, new)
        changes += _clustering(ctx, old, new)
    return changes


def column_type(catalog: Catalog, table_ident: str, name: str) -> str | None:
    """The type of a column, looked up through parents for partition and inherited columns."""
    seen: set[str] = set()
    table = catalog.tables.get(table_ident)
    while table is not None and table.ident not in seen:
        seen.add(table.ident)
        if (column := table.column(name)) is not None:
            return column.type
        parent = table.partition_of or (table.inherits[0] if table.inherits else None)
        table = catalog.tables.get(parent) if parent else None
    return None


def _recreated(ctx: DiffContext, new: Table, name: str) -> bool:
    """A column dropped and added again (a new generation expression before PostgreSQL
    17, a routine it calls recreated or redefined) loses its settings. One whose
    expression is set in place (17 and later) or dropped (DROP EXPRESSION) keeps them."""
    after = new.column(name)
    return (
        after is not None
        and after.generated is not None
        and (new.ident, after.ident) in regenerated_columns(ctx)
    )


def _column_settings(ctx: DiffContext, old: Table | None, new: Table) -> list[Change]:
    if not new.column_settings and (old is None or not old.column_settings):
        return []  # most tables: no column has a setting on either side
    current = {s.name: s for s in old.column_settings} if old else {}
    desired = {s.name: s for s in new.column_settings}
    changes: list[Change] = []
    for name in sorted(current.keys() | desired.keys()):
        wanted_type = column_type(ctx.desired, new.ident, name)
        if wanted_type is None:
            continue  # the column goes, and its settings with it
        before = current.get(name)
        if old is not None and _recreated(ctx, new, name):
            before = None
        after = desired.get(name)
        retyped = before is not None and before.type != wanted_type
        changes += _column_changes(new, before, after, retyped, existing=old is not None)
    return changes


def _column_changes(
    table: Table,
    before: ColumnSettings | None,
    after: ColumnSettings | None,
    retyped: bool,
    existing: bool,
) -> list[Change]:
    column = after or before
    assert column is not None
    name = f"{table.ident}.{column.ident}"
    changes: list[Change] = []

    def change(
        operation: str,
        setting: tuple[object, object],
        hazard: tuple[Hazard, ...] = (),
        **params: object,
    ) -> None:
        old, new = (None if value in (None, ()) else str(value) for value in setting)
        changes.append(
            Change(
                "column", name, "alter", f"settings.{operation}",
                {"table": table, "column": column, **params}, Phase.COLUMN_SETTINGS,
                hazard if existing else (),
                subject=Subject("table", table.ident, "column", column.ident),
                attributes=(AttributeChange(operation.removeprefix("set_"), old, new),),
            )
        )  # fmt: skip

    statistics = (before.statistics if before else None, after.statistics if after else None)
    if statistics[0] != statistics[1]:
        change("set_statistics", statistics, value=-1 if statistics[1] is None else statistics[1])
    # A type change leaves the new type's storage and no explicit compression.
    storage = (None if retyped or not before else before.storage, after.storage if after else None)
    if storage[0] != storage[1]:
        reset = before.type_storage if before else "EXTENDED"
        value = storage[1] or reset
        change("set_storage", storage, hazards.column_storage_change(table.ident, column.name,
               "storage"), value=value)  # fmt: skip
    compression = (
        None if retyped or not before else before.compression,
        after.compression if after else None,
    )
    if compression[0] != compression[1]:
        change(
            "set_compression",
            compression,
            hazards.column_storage_change(table.ident, column.name, "compression"),
            value=compression[1] or "default",
        )
    options = (before.options if before else (), after.options if after else ())
    if sorted(options[0]) != sorted(options[1]):
        removed = _option_names(options[0]) - _option_names(options[1])
        change("set_column_options", (", ".join(options[0]), ", ".join(options[1])),
               set=options[1], reset=sorted(removed))  # fmt: skip
    return changes


def _option_names(options: tuple[str, ...]) -> set[str]:
    return {option.split("=", 1)[0] for option in options}


def _clustering(ctx: DiffContext, old: Table | None, new: Table) -> list[Change]:
    before = old.clustered_on if old else None
    if new.clustered_on is not None and (
        new.clustered_on != before or _index_rebuilt(ctx, new, new.clustered_on)
    ):
        return [
            Change(
                "table", new.ident, "alter", "settings.cluster_on", {"table": new},
                Phase.CLUSTER_ON, subject=Subject("table", new.ident, "clustering"),
                attributes=(AttributeChange("index", before, new.clustered_on),),
            )
        ]  # fmt: skip
    if new.clustered_on is None and before is not None:
        return [
            Change(
                "table", new.ident, "alter", "settings.set_without_cluster", {"table": new},
                Phase.CLUSTER_ON, subject=Subject("table", new.ident, "clustering"),
                attributes=(AttributeChange("index", before, None),),
            )
        ]  # fmt: skip
    return []


def _index_rebuilt(ctx: DiffContext, table: Table, index_name: str) -> bool:
    """Whether the index a table is clustered on is created anew (its mark goes with it)."""

    def on_table(catalog: Catalog) -> Index | None:
        return next(
            (
                index
                for index in catalog.indexes.values()
                if index.table == table.ident and index.ident.endswith(f".{index_name}")
            ),
            None,
        )

    old_index, new_index = on_table(ctx.current), on_table(ctx.desired)
    if new_index is not None:
        return (
            old_index is None
            or not old_index.valid
            or (old_index.shape or old_index.definition)
            != (new_index.shape or new_index.definition)
            or standing_on(ctx, table.ident, old_index.columns, old_index.calls) is not None
        )
    key = f"{table.ident}.{index_name}"  # a primary key or unique constraint's index
    old_key, new_key = ctx.current.constraints.get(key), ctx.desired.constraints.get(key)
    return old_key is None or new_key is None or old_key.definition != new_key.definition
