"""What every per-kind differ needs to know about the whole comparison."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from schemactl.catalog.model import Catalog

T = TypeVar("T")


@dataclass(frozen=True)
class DiffContext:
    """Both catalogs of a comparison and the choices that shape its changes, shared by every
    differ."""

    current: Catalog
    desired: Catalog
    online: bool = False  # prefer lock-light operations on tables that already exist
    # The target as read, before tables that must be rebuilt were set aside from ``current``.
    original_current: Catalog | None = None
    # A rollback gives objects the schema gave away back to this role, when the target's
    # owner was the role that read it (read as no stated owner); None leaves such owners.
    restore_owner: str | None = None
    # Whole-comparison answers (rebuilt views, recreated routines, ...), worked out once:
    # the differs ask them for every index and constraint. Never copied by replace().
    _answers: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def answer(self, question: Any, work_out: Callable[[], T]) -> T:
        """What ``work_out`` returns for this comparison, computed on the first ask."""
        if question not in self._answers:
            self._answers[question] = work_out()
        return self._answers[question]  # type: ignore[no-any-return]

    @cached_property
    def dropped_tables(self) -> frozenset[str]:
        return frozenset(self.current.tables.keys() - self.desired.tables.keys())

    @cached_property
    def created_tables(self) -> frozenset[str]:
        return frozenset(self.desired.tables.keys() - self.current.tables.keys())

    @cached_property
    def unchanged_tables(self) -> frozenset[str]:
        """Tables equal on both sides (by the model's comparison: columns, overrides,
        settings, comment, ...). Comparing two tables column by column is the dearest
        question several differs ask of every table; asked here once per comparison."""
        current, desired = self.current.tables, self.desired.tables
        return frozenset(ident for ident, old in current.items() if desired.get(ident) == old)

    def column_survives(self, table: str, column_ident: str) -> bool:
        """Whether a column of the current database still exists after the change."""
        desired_table = self.desired.tables.get(table)
        if desired_table is None:
            return False
        return any(c.ident == column_ident for c in desired_table.columns)

    def table_depth(self, catalog: Catalog, ident: str) -> int:
        """How many parents (partitioning or inheritance) stand above a table."""
        depth, seen = 0, {ident}
        table = catalog.tables.get(ident)
        while table is not None:
            parent = table.partition_of or (table.inherits[0] if table.inherits else None)
            if parent is None or parent in seen:
                break
            seen.add(parent)
            depth += 1
            table = catalog.tables.get(parent)
        return depth
