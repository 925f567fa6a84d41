"""Publications (logical replication): what they publish, table by table.

Tables and schemas leave a publication before anything else changes (a column in a
column list could not be dropped otherwise) and join it once everything else is in
place (its columns exist). A table entry whose column list or row filter changes leaves
and joins again; so does one whose list or filter reads a column that changes type or
goes (PostgreSQL refuses that while the entry stands); a table that is rebuilt joins
again. Only FOR ALL TABLES switched on or off replaces the publication.
"""

from __future__ import annotations

from schemactl.catalog.model import Publication, PublishedTable
from schemactl.diff.changes import Change, Phase
from schemactl.diff.comments import comment_change
from schemactl.diff.context import DiffContext
from schemactl.diff.placing import placed
from schemactl.diff.views import changed_columns_of


def diff_publications(ctx: DiffContext) -> list[Change]:
    current, desired = ctx.current.publications, ctx.desired.publications
    changes: list[Change] = []
    for ident in sorted(current.keys() | desired.keys()):
        old, new = current.get(ident), desired.get(ident)
        replaced = old is not None and new is not None and old.all_tables != new.all_tables
        if old is not None and (new is None or replaced):
            changes.append(_change(old, "drop", "drop", {}, Phase.DROP_PUBLICATION))
        if new is None:
            continue
        if old is None or replaced:
            changes.append(_change(new, "create", "create", {}, Phase.CREATE_PUBLICATION))
            changes += comment_change("publication", f"PUBLICATION {ident}", ident, None,
                                      new.comment)  # fmt: skip
            continue
        if (old.publish, old.via_root) != (new.publish, new.via_root):
            changes.append(_change(new, "alter", "set_options", {}, Phase.CREATE_PUBLICATION))
        changes += _members(ctx, old, new)
        changes += comment_change("publication", f"PUBLICATION {ident}", ident, old.comment,
                                  new.comment)  # fmt: skip
    return placed(changes, {"publication": "publication"})


def _members(ctx: DiffContext, old: Publication, new: Publication) -> list[Change]:
    before = {entry.table: entry for entry in old.tables}
    after = {entry.table: entry for entry in new.tables}
    changes: list[Change] = []
    changing = changed_columns_of(ctx) if any(_reads(e) for e in old.tables) else set()
    for table in sorted(before.keys() | after.keys()):
        was, wanted = before.get(table), after.get(table)
        rejoins = (
            was is not None
            and wanted is not None
            and (table in ctx.created_tables or _stands_in_the_way(was, changing))
        )
        if was is not None and (was != wanted or rejoins):
            changes.append(
                _change(new, "alter", "drop_table", {"entry": was}, Phase.DROP_PUBLICATION)
            )
        if wanted is not None and (was != wanted or rejoins):
            changes.append(
                _change(new, "alter", "add_table", {"entry": wanted}, Phase.CREATE_PUBLICATION)
            )
    for schema in sorted(set(old.schemas) - set(new.schemas)):
        changes.append(
            _change(new, "alter", "drop_schema", {"schema": schema}, Phase.DROP_PUBLICATION)
        )
    for schema in sorted(set(new.schemas) - set(old.schemas)):
        changes.append(
            _change(new, "alter", "add_schema", {"schema": schema}, Phase.CREATE_PUBLICATION)
        )
    return changes


def _change(
    publication: Publication, action: str, macro: str, params: dict[str, object], phase: Phase
) -> Change:
    return Change(
        "publication", publication.name, action, f"publication.{macro}",
        {"publication": publication, **params}, phase,
    )  # fmt: skip


def _reads(entry: PublishedTable) -> bool:
    return bool(entry.columns) or entry.row_filter is not None


def _stands_in_the_way(entry: PublishedTable, changing: set[tuple[str, str]]) -> bool:
    """Whether the entry's column list or row filter reads a column the migration retypes
    or drops: PostgreSQL refuses that while the entry stands. The columns a filter reads
    are not recorded here, so any changing column of the table counts for one."""
    if entry.row_filter is not None:
        return any(table == entry.table for table, _ in changing)
    return any((entry.table, column) in changing for column in entry.columns)
