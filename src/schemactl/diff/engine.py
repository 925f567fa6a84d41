"""The diff engine: every per-kind differ over one comparison, in migration order.

The same engine runs in both directions: ``diff_catalogs(current, desired)``
is the migration, ``diff_catalogs(desired, current)`` its rollback.
"""

from __future__ import annotations

from collections.abc import Callable

from schemactl.catalog.model import Catalog
from schemactl.diff.changes import Change
from schemactl.diff.constraints import diff_constraints
from schemactl.diff.context import DiffContext
from schemactl.diff.indexes import diff_indexes
from schemactl.diff.namespaces import diff_extensions, diff_schemas
from schemactl.diff.sequences import diff_sequences
from schemactl.diff.tables import diff_tables

DIFFERS: tuple[Callable[[DiffContext], list[Change]], ...] = (
    diff_schemas,
    diff_extensions,
    diff_sequences,
    diff_tables,
    diff_constraints,
    diff_indexes,
)


def diff_catalogs(current: Catalog, desired: Catalog, online: bool = False) -> list[Change]:
    """Changes that turn ``current`` into ``desired``, sorted into a runnable order.

    ``online`` trades one transaction for lighter locks on existing tables:
    concurrent index builds, constraints added NOT VALID and validated later.
    """
    ctx = DiffContext(current, desired, online)
    changes = [change for differ in DIFFERS for change in differ(ctx)]
    return sorted(changes, key=lambda c: (c.phase, c.order))
