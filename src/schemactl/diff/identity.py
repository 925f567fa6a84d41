"""An identity column's sequence: its options and its name change with the column.

``ALTER COLUMN ... SET INCREMENT BY ... SET CYCLE`` changes the options in place (no
rewrite, no scan); ``ALTER SEQUENCE ... RENAME`` its name. Adding and dropping the
identity itself, and switching ``ALWAYS``/``BY DEFAULT``, are column changes
(diff/tables.py).
"""

from __future__ import annotations

from schemactl.catalog.identity import set_options
from schemactl.catalog.model import Column, Table
from schemactl.diff.changes import Change, Phase


def identity_sequence_changes(table: Table, old: Column, new: Column) -> list[Change]:
    """What turns the sequence of identity column ``old`` into that of ``new``: both are
    identity columns; ``new.type`` is the column's type once any type change ran."""
    before, after = old.identity_sequence, new.identity_sequence
    if before is None or after is None or before == after:
        return []
    name = f"{table.ident}.{new.ident}"
    changes = []
    clauses = set_options(before, after, new.type)
    if clauses:
        changes.append(
            Change(
                "column", name, "alter", "column.set_identity_options",
                {"table": table, "column": new, "clauses": clauses}, Phase.ALTER_COLUMN,
            )
        )  # fmt: skip
    if before.name != after.name:
        # After sequences are dropped: the name may be a dropped sequence's.
        changes.append(
            Change(
                "column", name, "alter", "column.rename_identity_sequence",
                {"table": table, "column": new, "sequence": before, "to": after.name},
                Phase.ADD_IDENTITY,
            )
        )  # fmt: skip
    return changes
