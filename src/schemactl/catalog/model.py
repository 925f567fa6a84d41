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
    # A volatile default (random(), nextval()) makes ADD COLUMN rewrite the table.
    default_volatile: bool = field(default=False, compare=False)


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


ROUTINE_KEYWORDS = {"f": "FUNCTION", "w": "FUNCTION", "p": "PROCEDURE", "a": "AGGREGATE"}


@dataclass(frozen=True)
class Function:
    """A function, procedure, window function or aggregate, keyed by its signature.

    ``definition`` is a complete ``CREATE OR REPLACE`` statement without its final
    semicolon: ``pg_get_functiondef`` (SET clauses, volatility, security, parallel,
    cost/rows, strictness, leakproofness included) or, for aggregates, one spelled from
    ``pg_aggregate``. The fields after ``comment`` say what must exist before the routine
    can be created; they are derived, so they take no part in comparisons.
    """

    schema: str
    name: str
    ident: str  # quoted, schema-qualified name
    arguments: str  # pg_get_function_identity_arguments: the signature, with names
    kind: str  # f function, p procedure, a aggregate, w window function
    definition: str
    result: str | None  # pg_get_function_result; None for procedures
    defaults: int  # how many arguments have defaults
    language: str
    comment: str | None = None
    requires: tuple[str, ...] = field(default=(), compare=False)  # pg_depend: routines
    calls: tuple[str, ...] = field(default=(), compare=False)  # routines named in the body
    relations: tuple[str, ...] = field(default=(), compare=False)  # pg_depend: row types, bodies
    body_relations: bool = field(default=False, compare=False)  # a SQL body names a relation
    needed_early: bool = field(default=False, compare=False)  # defaults/checks/views use it

    @property
    def signature(self) -> str:
        """``public.f(a integer)``: how DROP, COMMENT ON and GRANT name the routine."""
        arguments = self.arguments or ("*" if self.kind == "a" else "")
        return f"{self.ident}({arguments})"

    @property
    def keyword(self) -> str:
        return ROUTINE_KEYWORDS[self.kind]


@dataclass(frozen=True)
class Trigger:
    table: str  # ident of the table or view
    name: str
    ident: str
    definition: str  # pg_get_triggerdef(oid, false)
    enabled: str  # O origin (default), D disabled, R replica, A always
    function: str  # signature of the trigger function
    constraint: bool  # CREATE CONSTRAINT TRIGGER: cannot be replaced in place
    columns: tuple[str, ...] = field(default=(), compare=False)  # columns it depends on
    comment: str | None = None

    @property
    def key(self) -> str:
        return f"{self.table}.{self.ident}"


@dataclass(frozen=True)
class EventTrigger:
    name: str
    ident: str
    event: str  # ddl_command_start, ddl_command_end, sql_drop, table_rewrite, login
    tags: tuple[str, ...]  # WHEN TAG IN (...)
    function: str  # quoted, schema-qualified name of the function
    enabled: str  # O, D, R, A as for triggers
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
    functions: dict[str, Function] = field(default_factory=dict)  # by signature
    triggers: dict[str, Trigger] = field(default_factory=dict)
    event_triggers: dict[str, EventTrigger] = field(default_factory=dict)
