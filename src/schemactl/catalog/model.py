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
from functools import cached_property


@dataclass(frozen=True)
class Schema:
    """A schema in scope, with its owner and comment."""

    name: str
    ident: str
    owner: str
    comment: str | None = None


@dataclass(frozen=True)
class Extension:
    """An installed extension: the schema its objects live in and the version installed."""

    name: str
    ident: str
    schema: str
    version: str
    # Extensions it needs (its control file's ``requires``): created before it, dropped after.
    requires: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class IdentitySequence:
    """The sequence behind an identity column: part of the column, never an object of its
    own. Options equal to what PostgreSQL would choose for the column's type are None
    (``min_value``, ``max_value``, ``start``): PostgreSQL moves those with the type, so a
    column widened from integer to bigint keeps equal options."""

    name: str  # in the table's schema
    ident: str  # quoted, schema-qualified
    increment: int = 1
    start: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    cache: int = 1
    cycle: bool = False
    # Named otherwise than PostgreSQL names it (<table>_<column>_seq): said on creation.
    named: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class TypeConversion:
    """How a column's values get from the target's type to the desired one, and back.

    Set on the desired column when its type changes: what schema/ declares
    (``-- @using EXPR``, ``-- @rollback-using EXPR``) and what
    PostgreSQL offers each way: ``auto`` (an assignment cast: ALTER ... TYPE needs no
    USING), ``explicit`` (only ``value::type``, which may fail on some values),
    ``none``, or ``""`` when it could not be asked (a type the dev database lacks)."""

    using: str | None = None
    rollback_using: str | None = None
    cast: str = ""
    rollback_cast: str = ""


@dataclass(frozen=True)
class Column:
    """A table column as PostgreSQL prints it: type, default and generation expression as
    ``format_type`` and ``pg_get_expr`` give them, so both sides of a comparison read
    alike."""

    name: str
    ident: str
    position: int = field(compare=False)  # physical; adding a column puts it last
    type: str
    not_null: bool
    default: str | None
    identity: str  # '' (none), 'a' (ALWAYS) or 'd' (BY DEFAULT)
    generated: str | None  # expression of a generated column
    collation: str | None  # only when it differs from the type's default
    comment: str | None = None
    # A volatile default (random(), nextval()) makes ADD COLUMN rewrite the table.
    default_volatile: bool = field(default=False, compare=False)
    # Routines (by signature) the default or generation expression calls: pg_depend.
    default_calls: tuple[str, ...] = field(default=(), compare=False)
    identity_sequence: IdentitySequence | None = None  # with ``identity``
    generated_storage: str = "STORED"  # or VIRTUAL (PostgreSQL 18), with ``generated``
    conversion: TypeConversion | None = field(default=None, compare=False)
    # Columns of its table (idents) a generation expression reads: pg_depend. PostgreSQL
    # refuses to change their type while the expression stands.
    generated_uses: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class NotNullConstraint:
    """A column's NOT NULL as the constraint PostgreSQL 18 and later record for it.

    ``Column.not_null`` says whether a column is NOT NULL, on every version; this says
    what only PostgreSQL 18 and later know of it: its name (``CREATE TABLE ... LIKE``
    and ``ATTACH PARTITION`` keep the name of the table it came from), ``NO INHERIT``,
    and ``NOT VALID`` (the column counts as NOT NULL, its existing rows were not
    checked). Read on an older server, a table has none."""

    column: str  # the column's name
    name: str
    ident: str
    no_inherit: bool = False
    valid: bool = True
    comment: str | None = None
    # Inherited from a parent (a partition's, or an inheriting table's): PostgreSQL
    # renames it only through the parent, or once the partition is detached.
    inherited: bool = field(default=False, compare=False)
    # The name of the same column's constraint on the (first) parent: what a partition
    # created now would be given unless it says otherwise.
    parent_name: str | None = field(default=None, compare=False)

    def default_name(self, table_name: str) -> str:
        """The name PostgreSQL gives it unless told (``<table>_<column>_not_null``); as
        pg_dump does, a constraint of that name is created without saying it."""
        return f"{table_name}_{self.column}_not_null"

    def named(self, table_name: str) -> bool:
        """Creating it needs its name said."""
        return self.name != self.default_name(table_name)


DEFAULT_BOUND = "DEFAULT"  # a DEFAULT partition's bound

STORAGE_KEYWORDS = {"p": "PLAIN", "e": "EXTERNAL", "x": "EXTENDED", "m": "MAIN"}


@dataclass(frozen=True)
class ColumnSettings:
    """What ``ALTER TABLE ... ALTER COLUMN ... SET`` says about a column beyond its
    definition. Read for every column of a table where one of them differs from the
    default, inherited and partition columns included: they are set per table (``ONLY``),
    and a new partition copies its parent's storage and compression, not its statistics."""

    name: str
    ident: str
    statistics: int | None = None  # SET STATISTICS n; None: the server's default_statistics_target
    storage: str | None = None  # PLAIN, EXTERNAL, EXTENDED, MAIN; None: the type's own
    compression: str | None = None  # pglz, lz4; None: default_toast_compression
    options: tuple[str, ...] = ()  # SET (n_distinct=..., n_distinct_inherited=...), sorted
    # The column's type, and the storage that type gives: ALTER COLUMN TYPE resets the
    # storage and compression to the new type's, and a reset must name the keyword.
    type: str = field(default="", compare=False)
    type_storage: str = field(default="EXTENDED", compare=False)


@dataclass(frozen=True)
class Table:
    """An ordinary or partitioned table: its own columns (inherited ones are its parent's),
    partitioning, inheritance, storage options and row-level security."""

    schema: str
    name: str
    ident: str
    kind: str  # 'r' ordinary, 'p' partitioned
    unlogged: bool
    columns: tuple[Column, ...]
    partition_key: str | None = None  # "RANGE (occurred_at)"
    partition_key_columns: tuple[str, ...] = field(default=(), compare=False)  # idents it reads
    partition_of: str | None = None  # parent ident when this table is a partition
    partition_bound: str | None = None  # "FOR VALUES FROM (...) TO (...)" / "DEFAULT"
    inherits: tuple[str, ...] = ()
    of_type: str | None = (
        None  # a typed table (CREATE TABLE ... OF type): its columns are the type's
    )
    rls_enabled: bool = False
    rls_forced: bool = False
    options: tuple[str, ...] = ()
    comment: str | None = None
    # A partition's columns come from its parent; these are the ones whose default or
    # NOT NULL differs from the parent's (CREATE TABLE ... PARTITION OF p (c DEFAULT 1)).
    column_overrides: tuple[Column, ...] = ()
    # Set by a rolling partition rule on an expired partition it detaches now: the
    # difference is the detach, not a rebuild.
    retire: bool = field(default=False, compare=False)
    # What logical replication sends of an old row: 'd' DEFAULT (the primary key), 'f'
    # FULL, 'n' NOTHING, 'i' USING INDEX (named, in the table's schema).
    replica_identity: str = "d"
    replica_identity_index: str | None = None
    # Statistics targets, storage, compression and attribute options set on its columns.
    column_settings: tuple[ColumnSettings, ...] = ()
    clustered_on: str | None = None  # the index CLUSTER uses, unqualified (CLUSTER ON)
    # NOT NULL constraints by name, one per NOT NULL column, inherited ones included
    # (PostgreSQL 18 and later; none when read on an older server).
    not_null_constraints: tuple[NotNullConstraint, ...] = ()
    # A partition's bound as the expression PostgreSQL checks its rows against, asked
    # only for partitions a plan attaches (catalog/partition_constraints.py).
    partition_constraint: str | None = field(default=None, compare=False)

    def column(self, name: str) -> Column | None:
        return self._columns_by_name.get(name)

    @cached_property
    def _columns_by_name(self) -> dict[str, Column]:
        """The columns by name, worked out on the first lookup: the differs look up every
        column of every table, some more than once."""
        by_name: dict[str, Column] = {}
        for column in self.columns:
            by_name.setdefault(column.name, column)
        return by_name

    def not_null(self, column: str) -> NotNullConstraint | None:
        """The NOT NULL constraint of the column named ``column``, where the server names them."""
        return next((c for c in self.not_null_constraints if c.column == column), None)

    def renamed_inherited_not_null(self) -> tuple[NotNullConstraint, ...]:
        """NOT NULL constraints of columns that creating this table does not state (a
        partition's, an inheriting table's columns come from the parent) under another
        name than the parent's, which the new table would take: creation must name them."""
        if self.partition_of:
            stated = {c.name for c in self.column_overrides if c.not_null}
        else:
            stated = {c.name for c in self.columns if c.not_null}
        return tuple(
            c
            for c in self.not_null_constraints
            if c.column not in stated and c.parent_name is not None and c.name != c.parent_name
        )


@dataclass(frozen=True)
class Constraint:
    """A table constraint as ``pg_get_constraintdef`` prints it, with what it depends on, so
    that changes elsewhere can drop and recreate it in order."""

    table: str  # ident of the table
    name: str
    ident: str
    type: str  # p, u, c, f, x
    definition: str  # without " NOT VALID"
    validated: bool
    references: str | None = None  # referenced table ident, for foreign keys
    comment: str | None = None
    # The unique index a foreign key relies on; not part of its identity (a key
    # re-created over an equivalent index is the same key).
    referenced_index: str | None = field(default=None, compare=False)
    # What it stands on (pg_depend): its table's column idents, routine signatures.
    columns: tuple[str, ...] = field(default=(), compare=False)
    calls: tuple[str, ...] = field(default=(), compare=False)
    # Storage parameters of a key's index (fillfactor=70): they change with ALTER INDEX
    # ... SET. pg_get_constraintdef prints them for an exclusion constraint only; ``shape``
    # is the definition without them.
    index_options: tuple[str, ...] = ()
    shape: str = field(default="", compare=False)

    @property
    def key(self) -> str:
        return f"{self.table}.{self.ident}"

    @property
    def creation(self) -> str:
        """What ADD CONSTRAINT says: a primary key's or unique constraint's index storage
        parameters go before DEFERRABLE, as pg_dump writes them."""
        if self.type not in ("p", "u") or not self.index_options:
            return self.definition
        clause = f" WITH ({', '.join(self.index_options)})"
        head, deferrable, tail = self.definition.partition(" DEFERRABLE")
        return f"{head}{clause}{deferrable}{tail}"


@dataclass(frozen=True)
class Index:
    """An index not owned by a constraint, as ``pg_get_indexdef`` prints it."""

    schema: str
    name: str
    ident: str
    table: str
    definition: str
    valid: bool = True
    table_kind: str = "r"  # r table, p partitioned table, m materialized view
    comment: str | None = None
    # What it stands on (pg_depend): its table's column idents, routine signatures.
    columns: tuple[str, ...] = field(default=(), compare=False)
    calls: tuple[str, ...] = field(default=(), compare=False)
    # Storage parameters (fillfactor=70): pg_get_indexdef prints them in its WITH clause,
    # but they change with ALTER INDEX ... SET, without a rebuild.
    options: tuple[str, ...] = ()
    # Statistics targets of expression columns: (column number, target).
    statistics: tuple[tuple[int, int], ...] = ()
    # The definition without its WITH clause: what only a rebuild can change.
    shape: str = field(default="", compare=False)

    @property
    def unique(self) -> bool:
        """Whether it is a unique index, as pg_get_indexdef's printout says."""
        return self.definition.startswith("CREATE UNIQUE INDEX ")


@dataclass(frozen=True)
class Sequence:
    """A standalone or serial sequence (an identity column's own sequence belongs to its
    column)."""

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
    # PostgreSQL 15+: a serial sequence of an UNLOGGED table is unlogged too.
    unlogged: bool = False
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
    columns: tuple[str, ...] = field(default=(), compare=False)  # "table.column" a body reads
    types: tuple[str, ...] = field(default=(), compare=False)  # pg_depend: user types it uses
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
    """A trigger on a table or view, as ``pg_get_triggerdef`` prints it."""

    table: str  # ident of the table or view
    name: str
    ident: str
    definition: str  # pg_get_triggerdef(oid, false)
    enabled: str  # O origin (default), D disabled, R replica, A always
    constraint: bool  # CREATE CONSTRAINT TRIGGER: cannot be replaced in place
    # Signatures of its function and of those its WHEN condition calls; columns it names.
    functions: tuple[str, ...] = field(default=(), compare=False)
    columns: tuple[str, ...] = field(default=(), compare=False)
    comment: str | None = None

    @property
    def key(self) -> str:
        return f"{self.table}.{self.ident}"


@dataclass(frozen=True)
class EventTrigger:
    """A database-wide trigger on DDL events."""

    name: str
    ident: str
    event: str  # ddl_command_start, ddl_command_end, sql_drop, table_rewrite, login
    tags: tuple[str, ...]  # WHEN TAG IN (...)
    function: str  # quoted, schema-qualified name of the function
    enabled: str  # O, D, R, A as for triggers
    comment: str | None = None


@dataclass(frozen=True)
class TypeAttribute:
    """One attribute of a composite type, in declaration order."""

    name: str
    ident: str
    type: str
    collation: str | None = None


@dataclass(frozen=True)
class DomainConstraint:
    """A CHECK constraint of a domain (a domain's NOT NULL is the domain's own flag)."""

    name: str
    ident: str
    definition: str  # pg_get_constraintdef, without " NOT VALID"
    validated: bool = True
    comment: str | None = None
    # The routines it calls (pg_depend): it is added once routines exist, and dropped
    # before one it calls goes.
    calls: tuple[str, ...] = field(default=(), compare=False)

    @property
    def uses_functions(self) -> bool:
        return bool(self.calls)


@dataclass(frozen=True)
class UserType:
    """An enum, composite, domain or range type; the fields of other kinds stay empty."""

    schema: str
    name: str
    ident: str
    kind: str  # e enum, c composite, d domain, r range
    labels: tuple[str, ...] = ()  # enum, in enumsortorder order
    attributes: tuple[TypeAttribute, ...] = ()  # composite
    base_type: str | None = None  # domain
    default: str | None = None  # domain
    not_null: bool = False  # domain
    collation: str | None = None  # domain, when it differs from the base type's
    constraints: tuple[DomainConstraint, ...] = ()  # domain CHECKs, by name
    options: tuple[str, ...] = ()  # range: "SUBTYPE = integer", ...
    comment: str | None = None
    depends_on: tuple[str, ...] = field(default=(), compare=False)  # type idents it uses
    default_calls: tuple[str, ...] = field(default=(), compare=False)  # domain default: pg_depend


@dataclass(frozen=True)
class Collation:
    """``CREATE COLLATION``: a libc locale (``lc_collate``/``lc_ctype``), an ICU locale
    (with ``rules`` since PostgreSQL 16) or a builtin one (17). Its version is the
    library's, not the schema's, and is not compared."""

    schema: str
    name: str
    ident: str
    provider: str  # libc, icu, builtin
    deterministic: bool = True
    lc_collate: str | None = None  # libc
    lc_ctype: str | None = None  # libc
    locale: str | None = None  # icu, builtin
    rules: str | None = None  # icu
    comment: str | None = None


CAST_CONTEXTS = {"e": "", "a": " AS ASSIGNMENT", "i": " AS IMPLICIT"}


@dataclass(frozen=True)
class Cast:
    """``CREATE CAST (source AS target)``, keyed by its two types. Casts live in no
    schema: one belongs to the schema when every type or function it names is in scope
    (or built in)."""

    source: str  # format_type
    target: str
    method: str  # f function, i inout, b binary coercible
    context: str  # e explicit, a assignment, i implicit
    function: str | None = None  # signature, for method f: "public.f(public.mood)"
    comment: str | None = None

    @property
    def key(self) -> str:
        return f"({self.source} AS {self.target})"

    @property
    def how(self) -> str:
        """What follows the parenthesis in CREATE CAST."""
        if self.method == "f":
            via = f"WITH FUNCTION {self.function}"
        else:
            via = "WITH INOUT" if self.method == "i" else "WITHOUT FUNCTION"
        return via + CAST_CONTEXTS[self.context]


@dataclass(frozen=True)
class Operator:
    """``CREATE OPERATOR``, keyed by its signature: ``public.===(integer,integer)``.
    Function names are as ``regproc`` prints them, operators as ``OPERATOR(schema.op)``."""

    schema: str
    name: str  # the symbol: ===
    ident: str  # public.===
    left: str | None  # None for a prefix operator
    right: str
    function: str
    commutator: str | None = None
    negator: str | None = None
    restrict: str | None = None
    join: str | None = None
    hashes: bool = False
    merges: bool = False
    comment: str | None = None

    @property
    def signature(self) -> str:
        """How DROP, ALTER and COMMENT name it: ``public.=== (integer, integer)``."""
        return f"{self.ident} ({self.left or 'NONE'}, {self.right})"

    @property
    def key(self) -> str:
        return f"{self.ident}({self.left or 'NONE'},{self.right})"


@dataclass(frozen=True, order=True)
class OperatorMember:
    """One operator or support function of an operator class or family."""

    kind: str  # OPERATOR or FUNCTION
    number: int  # strategy or support number
    left: str  # operand types
    right: str
    name: str  # regoperator or regprocedure: public.<<<(integer,integer)
    order_by: str | None = None  # FOR ORDER BY this sort family (operators)

    @property
    def definition(self) -> str:
        if self.kind == "OPERATOR":
            tail = f" FOR ORDER BY {self.order_by}" if self.order_by else ""
            return f"OPERATOR {self.number} {self.name}{tail}"
        return f"FUNCTION {self.number} ({self.left}, {self.right}) {self.name}"

    @property
    def dropped(self) -> str:
        """How ALTER OPERATOR FAMILY ... DROP names it."""
        return f"{self.kind} {self.number} ({self.left}, {self.right})"


@dataclass(frozen=True)
class OperatorFamily:
    """``CREATE OPERATOR FAMILY`` with its loose members (``ALTER OPERATOR FAMILY ...
    ADD``): those that belong to no class of the family. Every class has a family; one
    made by CREATE OPERATOR CLASS without FAMILY has the class's name."""

    schema: str
    name: str
    ident: str
    method: str  # btree, hash, gist, gin, spgist, brin
    members: tuple[OperatorMember, ...] = ()
    comment: str | None = None

    @property
    def key(self) -> str:
        return f"{self.ident} USING {self.method}"


@dataclass(frozen=True)
class OperatorClass:
    """An operator class: how an index method uses a type's operators."""

    schema: str
    name: str
    ident: str
    method: str
    type: str  # FOR TYPE
    family: str  # ident of its family
    default: bool = False
    storage: str | None = None  # STORAGE type, when it differs from the indexed type
    members: tuple[OperatorMember, ...] = ()
    comment: str | None = None

    @property
    def key(self) -> str:
        return f"{self.ident} USING {self.method}"


@dataclass(frozen=True)
class TextSearchDictionary:
    """``CREATE TEXT SEARCH DICTIONARY``: a template and its options, each as
    ``name = 'value'`` the way PostgreSQL stores them."""

    schema: str
    name: str
    ident: str
    template: str  # qualified: pg_catalog.snowball
    options: tuple[str, ...] = ()
    comment: str | None = None

    def option_names(self) -> set[str]:
        return {option.split(" = ", 1)[0] for option in self.options}


@dataclass(frozen=True, order=True)
class TextSearchMapping:
    """Which dictionaries, in order, a configuration consults for one token type."""

    token: str  # asciiword, email, ...
    dictionaries: tuple[str, ...]  # as regdictionary prints them


@dataclass(frozen=True)
class TextSearchConfiguration:
    """``CREATE TEXT SEARCH CONFIGURATION`` (a parser) and its mappings (``ALTER TEXT
    SEARCH CONFIGURATION ... ADD MAPPING``); a configuration made with ``COPY =`` holds
    the copied mappings, so both spellings compare equal."""

    schema: str
    name: str
    ident: str
    parser: str  # qualified: pg_catalog."default"
    mappings: tuple[TextSearchMapping, ...] = ()  # by token
    comment: str | None = None


@dataclass(frozen=True, order=True)
class PublishedTable:
    """A table in a publication: optionally only some columns, only rows matching a filter."""

    table: str  # ident
    columns: tuple[str, ...] = ()  # column idents; () for all
    row_filter: str | None = None  # pg_get_expr of the WHERE clause


PUBLISHED_OPERATIONS = ("insert", "update", "delete", "truncate")


@dataclass(frozen=True)
class Publication:
    """``CREATE PUBLICATION`` (logical replication). Publications are per database and
    live in no schema: one belongs to the schema unless it names a table or schema out
    of scope."""

    name: str
    ident: str
    all_tables: bool = False
    publish: tuple[str, ...] = PUBLISHED_OPERATIONS  # in PUBLISHED_OPERATIONS order
    via_root: bool = False  # publish_via_partition_root
    tables: tuple[PublishedTable, ...] = ()  # by table
    schemas: tuple[str, ...] = ()  # FOR TABLES IN SCHEMA, idents
    comment: str | None = None


@dataclass(frozen=True)
class Statistics:
    """``CREATE STATISTICS`` (extended statistics on columns or expressions of a table)."""

    schema: str
    name: str
    ident: str
    table: str  # ident
    definition: str  # pg_get_statisticsobjdef: CREATE STATISTICS ... FROM table
    target: int | None = None  # ALTER STATISTICS ... SET STATISTICS n; None: the default
    comment: str | None = None
    columns: tuple[str, ...] = field(default=(), compare=False)  # idents it covers (pg_depend)


@dataclass(frozen=True)
class Rule:
    """``CREATE RULE`` on a table or view (a view's own ``_RETURN`` rule is the view)."""

    table: str  # ident of the table or view
    name: str
    ident: str
    definition: str  # pg_get_ruledef, without its final semicolon
    enabled: str = "O"  # O origin, D disabled, R replica, A always, as for triggers
    comment: str | None = None
    columns: tuple[str, ...] = field(default=(), compare=False)  # "table.column" it reads

    @property
    def key(self) -> str:
        return f"{self.table}.{self.ident}"


PUBLIC = "PUBLIC"  # the grantee every role belongs to, as GRANT spells it
OWNER = "OWNER"  # stands for an object's owner in its privileges: owners differ between databases


@dataclass(frozen=True)
class Policy:
    """A row-level security policy, its expressions as ``pg_get_expr`` prints them."""

    table: str  # ident of the table
    name: str
    ident: str
    permissive: bool
    command: str  # ALL, SELECT, INSERT, UPDATE, DELETE
    roles: tuple[str, ...]  # sorted role idents; ("PUBLIC",) for everyone
    using: str | None
    with_check: str | None
    # What the expressions use (pg_depend): (table, column) idents, relation idents and
    # routine signatures. A policy must be dropped before any of them goes or changes type.
    columns: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    relations: tuple[str, ...] = field(default=(), compare=False)
    functions: tuple[str, ...] = field(default=(), compare=False)

    @property
    def key(self) -> str:
        return f"{self.table}.{self.ident}"


@dataclass(frozen=True, order=True)
class Grant:
    """One privilege one grantee holds, as ``aclexplode`` lists it. The grantee is a role
    ident, ``PUBLIC``, or ``OWNER`` for the owner. The grantor counts only where it is
    not the owner (a role granting on with its grant option): such a grant is revoked
    and granted by that role, and reads as ``""`` otherwise. Held in sorted tuples, so
    that equal ACLs are equal and serialize the same."""

    grantee: str
    privilege: str  # SELECT, INSERT, USAGE, EXECUTE, ...
    grantable: bool = False
    grantor: str = ""  # role ident of a grantor other than the owner


@dataclass(frozen=True)
class ObjectPrivileges:
    """Who may do what with one object, and who owns it.

    ``grants`` is the effective ACL: a NULL ``relacl`` reads as ``acldefault()`` for
    the object's kind, so an object whose privileges were never touched equals one
    whose privileges were granted back to the default. ``owner`` is None when the
    owner is the role reading the catalog (the one that loaded the schema), which
    is how every object the schema creates is owned unless it says ``OWNER TO``.
    """

    kind: str  # what GRANT names: TABLE, SEQUENCE, FUNCTION, PROCEDURE, TYPE, SCHEMA, COLUMN
    target: str  # what follows ON: "public.t", "public.f(a integer)"; a column's table
    schema: str | None  # ident of the schema the object lives in (None for a schema)
    grants: tuple[Grant, ...]
    owner: str | None = None
    column: str | None = None  # ident of the column, for COLUMN privileges
    alter_keyword: str = ""  # for ALTER ... OWNER TO: TABLE, VIEW, DOMAIN, AGGREGATE, ...
    owned_with_table: bool = False  # serial/identity sequence: its owner follows the table
    # The ACL PostgreSQL gives the object kind when no default privileges apply.
    defaults: tuple[Grant, ...] = field(default=(), compare=False)
    default_kind: str = field(default="", compare=False)  # pg_default_acl objtype: r S f T n

    @property
    def key(self) -> str:
        if self.kind == "COLUMN":
            return f"COLUMN {self.target}.{self.column}"
        return f"{self.kind} {self.target}"


@dataclass(frozen=True)
class DefaultPrivileges:
    """``ALTER DEFAULT PRIVILEGES [FOR ROLE r] [IN SCHEMA s] ... ON <object_type>``.

    ``role`` is None for the role reading the catalog (the one that loads the schema).
    Without a schema the entry replaces the built-in default ACL, so it is compared
    with that default (``defaults``) when one side has no entry; in a schema, an entry
    only adds to it."""

    role: str | None
    schema: str | None
    object_type: str  # TABLES, SEQUENCES, FUNCTIONS, TYPES, SCHEMAS
    grants: tuple[Grant, ...]
    defaults: tuple[Grant, ...] = field(default=(), compare=False)

    @property
    def key(self) -> str:
        return f"{self.role or ''}|{self.schema or ''}|{self.object_type}"


VIEW_KEYWORDS = {"v": "VIEW", "m": "MATERIALIZED VIEW"}


@dataclass(frozen=True)
class ViewColumn:
    """An output column of a view or materialized view (what CREATE OR REPLACE must keep)."""

    name: str
    ident: str
    type: str
    collation: str | None = None  # only when it differs from the type's default
    comment: str | None = None


@dataclass(frozen=True)
class View:
    """A view ('v') or materialized view ('m'): ``pg_get_viewdef`` text without its final
    semicolon, and its reloptions (``security_invoker``, ``check_option``, ``fillfactor``),
    sorted. The fields after ``comment`` are what its query uses (``pg_depend`` of its
    rewrite rule); they order creation and say when it must be rebuilt, so they take no
    part in comparisons."""

    schema: str
    name: str
    ident: str
    kind: str  # v view, m materialized view
    definition: str
    columns: tuple[ViewColumn, ...]
    options: tuple[str, ...] = ()
    populated: bool = field(default=True, compare=False)  # False: WITH NO DATA; data, not schema
    comment: str | None = None
    relations: tuple[str, ...] = field(default=(), compare=False)  # tables, views it reads
    uses_columns: tuple[tuple[str, str], ...] = field(default=(), compare=False)  # (rel, col)
    functions: tuple[str, ...] = field(default=(), compare=False)  # routine signatures
    types: tuple[str, ...] = field(default=(), compare=False)  # type idents

    @property
    def keyword(self) -> str:
        return VIEW_KEYWORDS[self.kind]


@dataclass(frozen=True)
class Job:
    """A named pg_cron job. ``database`` is None for a job of the database it is read
    from (or, declared, of the target); ``username`` None where the schema leaves the
    role to pg_cron (the applying role), and then it is not compared."""

    name: str
    schedule: str
    command: str
    database: str | None = None
    username: str | None = None
    active: bool = True


@dataclass(frozen=True)
class PartmanParent:
    """A table pg_partman keeps partitioned (``part_config``). Compared by the parent
    alone: pg_partman stores its settings normalized ('1 mon' for 'monthly'), so the
    declaration is kept to run, not to compare."""

    parent: str  # as part_config spells it: public.events
    template_table: str | None = field(default=None, compare=False)  # partman.template_...
    declaration: str = field(default="", compare=False)  # the schema's create_parent call


@dataclass(frozen=True)
class RoleMembership:
    """Membership in another role: ``GRANT role TO member [WITH ADMIN OPTION]``."""

    role: str  # name of the role granted
    ident: str = field(compare=False)
    admin: bool = False


@dataclass(frozen=True)
class Role:
    """A role (server-wide) the schema declares, or whose memberships it names.

    Attributes are PostgreSQL's (``pg_roles``) with its defaults; ``valid_until``
    is None for never (NULL or infinity), else the moment in UTC. Passwords are
    never read, compared or written."""

    name: str
    ident: str = field(compare=False)
    login: bool = False
    superuser: bool = False
    createdb: bool = False
    createrole: bool = False
    inherit: bool = True
    replication: bool = False
    bypassrls: bool = False
    connection_limit: int = -1
    valid_until: str | None = None
    comment: str | None = None
    member_of: tuple[RoleMembership, ...] = ()  # sorted by role name
    # Other databases of the server where it owns objects or holds privileges (or that
    # it owns): a change to the role reaches them too.
    used_in: tuple[str, ...] = field(default=(), compare=False)


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
    views: dict[str, View] = field(default_factory=dict)  # views and materialized views
    types: dict[str, UserType] = field(default_factory=dict)  # enums, composites, domains, ranges
    functions: dict[str, Function] = field(default_factory=dict)  # by signature
    triggers: dict[str, Trigger] = field(default_factory=dict)
    event_triggers: dict[str, EventTrigger] = field(default_factory=dict)
    collations: dict[str, Collation] = field(default_factory=dict)
    casts: dict[str, Cast] = field(default_factory=dict)  # by key: "(source AS target)"
    operators: dict[str, Operator] = field(default_factory=dict)  # by key: "public.===(a,b)"
    operator_families: dict[str, OperatorFamily] = field(default_factory=dict)  # "f USING am"
    operator_classes: dict[str, OperatorClass] = field(default_factory=dict)  # "c USING am"
    text_search_dictionaries: dict[str, TextSearchDictionary] = field(default_factory=dict)
    text_search_configurations: dict[str, TextSearchConfiguration] = field(default_factory=dict)
    publications: dict[str, Publication] = field(default_factory=dict)
    statistics: dict[str, Statistics] = field(default_factory=dict)  # extended statistics
    rules: dict[str, Rule] = field(default_factory=dict)
    policies: dict[str, Policy] = field(default_factory=dict)
    privileges: dict[str, ObjectPrivileges] = field(default_factory=dict)  # by key
    default_privileges: dict[str, DefaultPrivileges] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)  # pg_cron jobs by name
    cron: bool = False  # pg_cron's job table is readable here: jobs can be managed
    partman: dict[str, PartmanParent] = field(default_factory=dict)  # by parent table
    # The role that read it (current_user): owns what reads as having no stated owner.
    role: str = field(default="", compare=False)
    # Partitioned index ident -> (partition ident, attached index ident) for each partition
    # whose index is attached to it, at every level; a constraint's index bears its name.
    partition_indexes: dict[str, tuple[tuple[str, str], ...]] = field(
        default_factory=dict, compare=False
    )
    # Server-wide roles the schema declares (never introspected with the schema: they
    # join the comparison from their declarations, like jobs).
    roles: dict[str, Role] = field(default_factory=dict)

    def default_partition(self, parent: str | None) -> Table | None:
        """The DEFAULT partition of ``parent``, if it has one."""
        return next(
            (
                t
                for t in self.tables.values()
                if t.partition_of == parent and t.partition_bound == DEFAULT_BOUND
            ),
            None,
        )
