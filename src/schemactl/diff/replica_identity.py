"""Replica identity: what logical replication and change-data capture send of an old row.

``ALTER TABLE ... REPLICA IDENTITY`` takes a brief lock and rewrites nothing. It runs
once the index it names exists (``Phase.REPLICA_IDENTITY``, after indexes and keys),
and is said again when that index is dropped and created anew: PostgreSQL forgets the
choice with the index.
"""

from __future__ import annotations

from schemactl.catalog.model import Table
from schemactl.diff.changes import Change, Phase
from schemactl.diff.constraints import rebuilt_indexes
from schemactl.diff.context import DiffContext

DEFAULT = "d"
USING_INDEX = "i"


def diff_replica_identity(ctx: DiffContext) -> list[Change]:
    rebuilt = rebuilt_indexes(ctx)
    changes = []
    for ident, new in sorted(ctx.desired.tables.items()):
        old = ctx.current.tables.get(ident)
        if old is None:
            wanted = new.replica_identity != DEFAULT
        else:
            wanted = _setting(old) != _setting(new) or (
                new.replica_identity == USING_INDEX and _index_of(ctx, new) in rebuilt
            )
        if wanted:
            changes.append(
                Change(
                    "table", ident, "alter", "table.replica_identity", {"table": new},
                    Phase.REPLICA_IDENTITY,
                )
            )  # fmt: skip
    return changes


def _setting(table: Table) -> tuple[str, str | None]:
    return (table.replica_identity, table.replica_identity_index)


def _index_of(ctx: DiffContext, table: Table) -> str:
    """The schema-qualified ident of the index a table's replica identity names."""
    schema = next(s.ident for s in ctx.desired.schemas.values() if s.name == table.schema)
    return f"{schema}.{table.replica_identity_index}"
