"""Asking PostgreSQL whether two printed definitions mean the same thing.

PostgreSQL's printout is not always a fixpoint: ``status IN ('a', 'b')`` on a
varchar column prints as ``ANY ((ARRAY['a'::varchar, ...])::text[])``, and
creating a constraint from that text prints ``ANY (ARRAY[('a'::varchar)::text,
...])``. Comparing text alone would re-plan such objects forever. So when two
definitions differ as text, both are re-created in the dev database (inside a
transaction that is always rolled back) and their reprints compared. Equal
reprints mean equal definitions; the current object then takes the desired
object's text, so the diff sees no change.

Normally the probes run in the dev database, where the desired objects exist and
nothing matters. When the desired side is a live database (``schemactl diff``
between two databases), the probes run there in *sandbox* mode: each acts on an
empty temporary copy of its table (``LIKE``) or domain, so no live table is locked
beyond ACCESS SHARE, scanned or rewritten, and nothing outlives the rolled-back
transaction.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable
from functools import partial
from typing import TypeVar

import psycopg
from psycopg import ClientCursor

from schemactl.catalog.model import Catalog, Column, Constraint, Index, Table
from schemactl.catalog.readers.views import printed_definition

PROBE = "schemactl_probe"
COPY = "copy"
# Probe objects outlive their savepoint until the reconciling transaction ends: every
# probe, of whichever prober, gets a name of its own.
_PROBE_NUMBERS = itertools.count(1)
# Probes on a live database give up instead of queueing behind a long lock.
SANDBOX_LOCK_TIMEOUT = "1s"
_INDEX_NAME = re.compile(r"^(CREATE (?:UNIQUE )?INDEX )(\S+)( ON )")

T = TypeVar("T")
P = TypeVar("P", bound="_Prober")

# What the dev database answered, by question (a probe's kind and its texts). The
# answers depend only on the desired state loaded there, so they may be kept with it
# (devdb.desired_cache) and given back to a later comparison with the same state.
Answers = dict[tuple[str, ...], str | None]


class _Prober:
    """Re-creates definitions in the dev database and reads back their printout.

    A probe is one round trip: its savepoint and statements are held back (``pending``)
    and sent with the query that reads the printout, as one multi-statement query; the
    savepoint is released with the next probe's. A far server (a managed database) costs
    a round trip per probe, not five. A probe that fails costs a second one, to roll back
    to its savepoint."""

    def __init__(
        self,
        conn: psycopg.Connection,
        sandbox: bool = False,
        answers: Answers | None = None,
        pending: list[str] | None = None,
        copies: dict[str, str] | None = None,
    ) -> None:
        self.conn = conn
        self.sandbox = sandbox
        self.cache: Answers = {} if answers is None else answers
        # Statements not sent yet, shared by the probers of one reconciling transaction.
        self.pending: list[str] = [] if pending is None else pending
        # The temporary copy of each table probed so far (sandbox mode), by table.
        self.copies: dict[str, str] = {} if copies is None else copies

    def sibling(self, kind: type[P]) -> P:
        """A prober of another kind sharing this one's answers, pending statements and
        table copies."""
        return kind(self.conn, self.sandbox, self.cache, self.pending, self.copies)

    def table_for(self, table: str, probe: str) -> str:
        """The table probe ``probe`` may change: the table itself in a dev database; in
        a live database an empty temporary copy of its columns, gone with the reconciling
        transaction. The copy is made by the table's first probe and serves the later
        ones (a probe reads back only the object it named, so what earlier probes left
        on the copy does not matter); made by a probe that failed, it is gone with that
        probe's savepoint, and the next probe makes another."""
        if not self.sandbox:
            return table
        if table not in self.copies:
            self._run(f"CREATE TEMPORARY TABLE {probe}_{COPY} (LIKE {table})")
            self.copies[table] = f"pg_temp.{probe}_{COPY}"
        return self.copies[table]

    def domain_for(self, domain: str, probe: str) -> str:
        """The domain probe ``probe`` may change: see :meth:`table_for`."""
        if not self.sandbox:
            return domain
        base = self._scalar(
            "SELECT format_type(typbasetype, typtypmod) FROM pg_type WHERE oid = %s::regtype",
            (domain,),
        )
        self._run(f"CREATE DOMAIN pg_temp.{probe}_{COPY} AS {base}")
        return f"pg_temp.{probe}_{COPY}"

    def _probe(self, key: tuple[str, ...], run: Callable[[str], str | None]) -> str | None:
        if key not in self.cache:
            name = f"{PROBE}_{next(_PROBE_NUMBERS)}"
            self._run(f"SAVEPOINT {name}")  # inside the outer transaction
            copied = set(self.copies)
            try:
                self.cache[key] = run(name)
            except psycopg.Error:
                for table in self.copies.keys() - copied:  # rolled back with the probe
                    del self.copies[table]
                self.pending.clear()
                self.conn.execute(
                    f"ROLLBACK TO SAVEPOINT {name}; RELEASE SAVEPOINT {name}".encode()
                )
                self.cache[key] = None
            else:
                self._run(f"RELEASE SAVEPOINT {name}")
        return self.cache[key]

    def _run(self, statement: str) -> None:
        """A probe's statement, sent with the query that reads its printout."""
        self.pending.append(statement)

    def _scalar(self, query: str, params: tuple[object, ...] = ()) -> str | None:
        """The first column of the query's first row, with the pending statements sent
        before it in the same round trip (the parameters are bound on the client)."""
        text = ClientCursor(self.conn).mogrify(query, params) if params else query
        statements = [*self.pending, text]
        self.pending.clear()
        with self.conn.cursor() as cursor:
            cursor.execute(";\n".join(statements).encode())
            while cursor.nextset():  # to the query's result, the last
                pass
            row = cursor.fetchone()
        return None if row is None else str(row[0])

    def constraint(self, table: str, definition: str) -> str | None:
        def run(name: str) -> str | None:
            suffix = " NOT VALID" if definition.startswith(("CHECK", "FOREIGN KEY")) else ""
            probed = self.table_for(table, name)
            self._run(f"ALTER TABLE {probed} ADD CONSTRAINT {name} {definition}{suffix}")
            printed = self._scalar(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND conname = %s",
                (probed, name),
            )
            if printed and printed.endswith(" NOT VALID") and suffix:
                printed = printed[: -len(" NOT VALID")]
            return printed

        return self._probe(("constraint", table, definition), run)

    def index(self, table: str, definition: str) -> str | None:
        def run(name: str) -> str | None:
            match = _INDEX_NAME.match(definition)
            if not match:
                return None
            sql = _INDEX_NAME.sub(lambda m: f"{m[1]}{name}{m[3]}", definition, count=1)
            sql = sql.replace(" ON ONLY ", " ON ", 1)
            probed = self.table_for(table, name)
            if probed != table:
                sql = sql.replace(f" ON {table} ", f" ON {probed} ", 1)
            self._run(sql)
            printed = self._scalar(
                "SELECT pg_get_indexdef(c.oid) FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE c.relname = %s",
                (name,),
            )
            if not printed:
                return None
            return printed.replace(f" {name} ON ", " ? ON ", 1).replace(
                f" ON {probed} ", f" ON {table} ", 1
            )

        return self._probe(("index", table, definition), run)

    def default(self, table: str, column: str, expression: str) -> str | None:
        def run(name: str) -> str | None:
            probed = self.table_for(table, name)
            self._run(f"ALTER TABLE {probed} ALTER COLUMN {column} SET DEFAULT {expression}")
            return self._scalar(
                "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a "
                "ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
                "WHERE d.adrelid = %s::regclass AND quote_ident(a.attname) = %s",
                (probed, column),
            )

        return self._probe(("default", table, column, expression), run)

    def generated(self, table: str, column_type: str, expression: str) -> str | None:
        def run(name: str) -> str | None:
            probed = self.table_for(table, name)
            self._run(
                f"ALTER TABLE {probed} ADD COLUMN {name} {column_type} "
                f"GENERATED ALWAYS AS ({expression}) STORED"
            )
            return self._scalar(
                "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a "
                "ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
                "WHERE d.adrelid = %s::regclass AND a.attname = %s",
                (probed, name),
            )

        return self._probe(("generated", table, column_type, expression), run)

    def view(self, query: str) -> str | None:
        """A view's query as PostgreSQL prints it (a temporary view: no schema needed)."""

        def run(name: str) -> str | None:
            self._run(f"CREATE TEMPORARY VIEW {name} AS {query}")
            printed = self._scalar(
                "SELECT pg_get_viewdef(%s::regclass, true)", (f"pg_temp.{name}",)
            )
            return None if printed is None else printed_definition(printed)

        return self._probe(("view", query), run)


def _same(reprint: Callable[[str], str | None], current: str, desired: str) -> bool:
    if current == desired:
        return True
    a, b = reprint(current), reprint(desired)
    return a is not None and (a in (b, desired) or current == b)


def _reconcile_column(prober: _Prober, table: Table, column: Column, wanted: Column) -> Column:
    """The current column, with default and generation expressions that PostgreSQL
    deems equal to the desired ones taken over in the desired spelling."""
    if column.type != wanted.type or (
        column.default == wanted.default and column.generated == wanted.generated
    ):
        return column
    if (
        column.default is not None
        and wanted.default is not None
        and _same(
            partial(prober.default, table.ident, wanted.ident), column.default, wanted.default
        )
    ):
        column = dataclasses.replace(column, default=wanted.default)
    if (
        column.generated is not None
        and wanted.generated is not None
        and _same(
            partial(prober.generated, table.ident, wanted.type), column.generated, wanted.generated
        )
    ):
        column = dataclasses.replace(column, generated=wanted.generated)
    return column


def _reconcile_table(prober: _Prober, old: Table, new: Table) -> Table:
    columns = tuple(
        column if (wanted := new.column(column.name)) is None
        else _reconcile_column(prober, new, column, wanted)
        for column in old.columns
    )  # fmt: skip
    if all(a is b for a, b in zip(columns, old.columns, strict=True)):
        return old  # nothing taken over (most tables): no copy
    return dataclasses.replace(old, columns=columns)


def _reconcile(
    current: dict[str, T],
    desired: dict[str, T],
    same: Callable[[T, T], bool],
    adopt: Callable[[T, T], T],
) -> dict[str, T]:
    result = dict(current)
    for key in sorted(current.keys() & desired.keys()):  # probes in the same order every run
        if current[key] != desired[key] and same(current[key], desired[key]):
            result[key] = adopt(current[key], desired[key])
    return result


def reconcile_equivalent(
    dev: psycopg.Connection,
    current: Catalog,
    desired: Catalog,
    sandbox: bool = False,
    answers: Answers | None = None,
) -> Catalog:
    """``current`` with every definition that PostgreSQL deems equal to the desired one
    replaced by the desired text. ``dev`` holds the desired state and is left exactly
    as it was; ``sandbox`` when it is a live database (probes on temporary copies).
    ``answers``: what this desired state's dev database answered before; questions
    asked now are added to it."""
    prober = _Prober(dev, sandbox, answers)

    def same_constraint(a: Constraint, b: Constraint) -> bool:
        return a.type == b.type and _same(
            lambda d: prober.constraint(b.table, d), a.definition, b.definition
        )

    def same_index(a: Index, b: Index) -> bool:
        return a.table == b.table and _same(
            partial(prober.index, b.table), a.definition, b.definition
        )

    with dev.transaction(force_rollback=True):
        dev.execute("SET LOCAL search_path = ''")
        if sandbox:
            dev.execute(f"SET LOCAL lock_timeout = '{SANDBOX_LOCK_TIMEOUT}'".encode())
        tables = {
            key: _reconcile_table(prober, table, desired.tables[key])
            if key in desired.tables
            else table
            for key, table in current.tables.items()
        }
        constraints = _reconcile(
            current.constraints,
            desired.constraints,
            same_constraint,
            lambda a, b: dataclasses.replace(a, definition=b.definition),
        )
        indexes = _reconcile(
            current.indexes,
            desired.indexes,
            same_index,
            lambda a, b: dataclasses.replace(a, definition=b.definition, shape=b.shape),
        )
        from schemactl.catalog.type_equivalence import reconcile_domains  # imports this module

        types = reconcile_domains(prober, current.types, desired.types)
        views = _reconcile(
            current.views,
            desired.views,
            lambda a, b: _same(prober.view, a.definition, b.definition),
            lambda a, b: dataclasses.replace(a, definition=b.definition),
        )
        from schemactl.catalog.policy_equivalence import reconcile_policies  # imports this module

        policies = reconcile_policies(prober, current.policies, desired.policies)
    return dataclasses.replace(
        current,
        tables=tables,
        constraints=constraints,
        indexes=indexes,
        types=types,
        views=views,
        policies=policies,
    )
