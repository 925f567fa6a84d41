"""An identity column's sequence: its options and its name change with the column.

``ALTER COLUMN ... SET INCREMENT BY ... SET CYCLE`` changes the options in place (no
rewrite, no scan); ``ALTER SEQUENCE ... RENAME`` its name. Adding and dropping the
identity itself, and switching ``ALWAYS``/``BY DEFAULT``, are column changes
(diff/tables.py).
"""

from __future__ import annotations

from schemactl.catalog.identity import resolve, set_options
from schemactl.catalog.model import Column, Table
from schemactl.diff.changes import Change, Phase
from schemactl.diff.sequences import bound_passed


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
        old_limits, new_limits = resolve(before, new.type), resolve(after, new.type)
        move_to = bound_passed(
            new_limits.increment,
            (old_limits.min_value, old_limits.max_value),
            (new_limits.min_value, new_limits.max_value),
        )
        changes.append(
            Change(
                "column", name, "alter", "column.set_identity_options",
                {"table": table, "column": new, "clauses": clauses, "sequence": before,
                 "move_to": move_to},
                Phase.ALTER_COLUMN,
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
