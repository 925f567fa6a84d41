"""The typed model both databases are read into.

Every definition is held as PostgreSQL prints it (``format_type``,
``pg_get_constraintdef``, ``pg_get_indexdef``, ``pg_get_expr``), read with an
empty ``search_path`` so names are always schema-qualified. Two databases built
from the same DDL therefore produce equal models, whatever the DDL's spelling.
Identifiers are kept twice: raw (``name``) for messages and quoted by the server
(``ident``) for SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Schema:
    name: str
    ident: str
    owner: str
    comment: str | None = None


@dataclass(frozen=True)
class Extension:
    name: str
    ident: str
    schema: str
    version: str


@dataclass(frozen=True)
class Column:
    name: str
    ident: str
    position: int = field(compare=False)  # physical; adding a column puts it last
    type: str
    not_null: bool
    default: str | None
    identity: str  # '' (none), 'a' (ALWAYS) or 'd' (BY DEFAULT)
    generated: str | None  # expression of a STORED generated column
    collation: str | None  # only when it differs from the type's default
    comment: str | None = None


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    ident: str
    kind: str  # 'r' ordinary, 'p' partitioned
    unlogged: bool
    columns: tuple[Column, ...]
    partition_key: str | None = None  # "RANGE (occurred_at)"
    partition_of: str | None = None  # parent ident when this table is a partition
    partition_bound: str | None = None  # "FOR VALUES FROM (...) TO (...)" / "DEFAULT"
    inherits: tuple[str, ...] = ()
    rls_enabled: bool = False
    rls_forced: bool = False
    options: tuple[str, ...] = ()
    comment: str | None = None

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True)
class Constraint:
    table: str  # ident of the table
    name: str
    ident: str
    type: str  # p, u, c, f, x
    definition: str  # without " NOT VALID"
    validated: bool
    references: str | None = None  # referenced table ident, for foreign keys
    comment: str | None = None

    @property
    def key(self) -> str:
        return f"{self.table}.{self.ident}"


@dataclass(frozen=True)
class Index:
    schema: str
    name: str
    ident: str
    table: str
    definition: str
    valid: bool = True
    table_kind: str = "r"  # r table, p partitioned table, m materialized view
    comment: str | None = None


@dataclass(frozen=True)
class Sequence:
    schema: str
    name: str
    ident: str
    data_type: str
    start: int
    increment: int
    min_value: int
    max_value: int
    cache: int
    cycle: bool
    owned_by: str | None = None  # "table_ident.column_ident"
    owned_by_table: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class Catalog:
    """One database's schema, as far as schemactl's scope reaches."""

    server_version: str
    schemas: dict[str, Schema] = field(default_factory=dict)
    extensions: dict[str, Extension] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    constraints: dict[str, Constraint] = field(default_factory=dict)
    indexes: dict[str, Index] = field(default_factory=dict)
    sequences: dict[str, Sequence] = field(default_factory=dict)
