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
from typing import Any, TypeVar

import psycopg
from psycopg import ClientCursor

from schemactl.catalog.model import Catalog, Column, Constraint, Index, Table, View
from schemactl.catalog.readers.views import printed_definition

PROBE = "schemactl_probe"
COPY = "copy"
BATCH = "schemactl_probes"  # the savepoint around one round trip of probes
PROBED_SETTING = "schemactl.probed"  # names the last probe whose statements went through
# Probe objects outlive their block until the reconciling transaction ends: every
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


@dataclasses.dataclass(frozen=True)
class _Probe:
    """One question put to PostgreSQL: the PL/pgSQL statements that make a probe object
    (run in a block of their own, which undoes them if one fails), then a query reading
    its printout back, and what to make of the printout."""

    body: tuple[str, ...]
    query: str
    read: Callable[[str], str | None] = str


# What to ask about a question, given the probe object's name; None: nothing to ask.
Maker = Callable[[str], _Probe | None]


@dataclasses.dataclass
class _Questions:
    """The questions of one reconciliation not answered yet, in the order asked, and how
    many times an answer was wanted before it was there (to tell which objects wait)."""

    asked: dict[tuple[str, ...], Maker] = dataclasses.field(default_factory=dict)
    misses: int = 0


class _Prober:
    """Re-creates definitions in the dev database and reads back their printout.

    Questions are asked first (:meth:`_probe` answers None to one not answered yet) and
    then answered together by :meth:`answer`, in one round trip: a far server (a
    managed database) costs one, not one per probe. Each probe's statements run in a
    PL/pgSQL block that catches errors, which makes it a subtransaction of its own: one
    the other side cannot take leaves nothing behind, and the probes after it still run.
    Its printout query then finds nothing (names are looked up with ``to_regclass``, so
    that a missing object is no error either)."""

    def __init__(
        self,
        conn: psycopg.Connection,
        sandbox: bool = False,
        answers: Answers | None = None,
        questions: _Questions | None = None,
        copies: dict[str, str] | None = None,
    ) -> None:
        self.conn = conn
        self.sandbox = sandbox
        self.cache: Answers = {} if answers is None else answers
        # Shared by the probers of one reconciliation.
        self.questions = _Questions() if questions is None else questions
        # The temporary copy of each table probed so far (sandbox mode), by table.
        self.copies: dict[str, str] = {} if copies is None else copies
        self._copying: list[str] = []  # copies the probe being made needs first
        self._client: ClientCursor[Any] | None = None  # made when a question is answered

    def sibling(self, kind: type[P]) -> P:
        """A prober of another kind sharing this one's answers, questions and table
        copies."""
        return kind(self.conn, self.sandbox, self.cache, self.questions, self.copies)

    def table_for(self, table: str, probe: str) -> str:
        """The table probe ``probe`` may change: the table itself in a dev database; in
        a live database an empty temporary copy of its columns, gone with the reconciling
        transaction. The copy is made (in a block of its own) before the table's first
        probe and serves the later ones: a probe reads back only the object it named, so
        what earlier probes left on the copy does not matter."""
        if not self.sandbox:
            return table
        if table not in self.copies:
            self._copying.append(f"CREATE TEMPORARY TABLE {probe}_{COPY} (LIKE {table})")
            self.copies[table] = f"pg_temp.{probe}_{COPY}"
        return self.copies[table]

    def domain_for(self, domain: str, probe: str) -> tuple[str, tuple[str, ...]]:
        """The domain probe ``probe`` may change, and the statements making it: the
        domain itself in a dev database; in a live database a temporary domain over the
        same base type, made in the probe's own block."""
        if not self.sandbox:
            return domain, ()
        copy = f"{probe}_{COPY}"
        base = self.bound(
            "(SELECT format_type(typbasetype, typtypmod) FROM pg_type WHERE oid = %s::regtype)",
            (domain,),
        )
        make = f"EXECUTE format('CREATE DOMAIN pg_temp.%I AS %s', {self.literal(copy)}, {base})"
        return f"pg_temp.{copy}", (make,)

    def literal(self, text: str) -> str:
        """``text`` as an SQL string literal, quoted as this connection needs it."""
        return self.bound("%s", (text,))

    def bound(self, query: str, params: tuple[object, ...]) -> str:
        """``query`` with its parameters bound on the client: probes go as one text."""
        if self._client is None:
            self._client = ClientCursor(self.conn)
        return self._client.mogrify(query, params)

    def executed(self, statement: str) -> str:
        """The PL/pgSQL statement running ``statement``."""
        return f"EXECUTE {self.literal(statement)}"

    def _probe(self, key: tuple[str, ...], make: Maker) -> str | None:
        """The answer to question ``key``; None until :meth:`answer` has run (asking it)."""
        if key in self.cache:
            return self.cache[key]
        self.questions.asked.setdefault(key, make)
        self.questions.misses += 1
        return None

    def answer(self) -> None:
        """Answer every question asked, in one round trip; where that fails as a whole
        (a statement timeout, say), one at a time, a failing one answered None."""
        asked = list(self.questions.asked.items())
        self.questions.asked.clear()
        if not asked:
            return
        try:
            self._ask(asked)
        except psycopg.Error:
            for question in asked:
                try:
                    self._ask([question])
                except psycopg.Error:
                    self.cache[question[0]] = None

    def _ask(self, questions: list[tuple[tuple[str, ...], Maker]]) -> None:
        """One round trip answering ``questions``, inside a savepoint that a failure
        rolls back (the transaction stays usable, the table copies made in it are
        forgotten)."""
        copies = dict(self.copies)
        keys: list[tuple[str, ...]] = []
        readers: list[Callable[[str], str | None]] = []
        statements = [f"SAVEPOINT {BATCH}"]
        for key, make in questions:
            name = f"{PROBE}_{next(_PROBE_NUMBERS)}"
            probe = make(name)
            copying, self._copying = self._copying, []
            if probe is None:
                self.cache[key] = None
                continue
            statements += [self._block((self.executed(copy),)) for copy in copying]
            statements += [self._block((*probe.body, self._succeeded(name))),
                           self._if_succeeded(name, probe.query)]  # fmt: skip
            keys.append(key)
            readers.append(probe.read)
        if not keys:
            return
        statements.append(f"RELEASE SAVEPOINT {BATCH}")
        printed: list[str | None] = []
        try:
            with self.conn.cursor() as cursor:
                cursor.execute(";\n".join(statements).encode())
                while True:
                    if cursor.description is not None:
                        row = cursor.fetchone()
                        printed.append(None if row is None or row[0] is None else str(row[0]))
                    if not cursor.nextset():
                        break
        except psycopg.Error:
            self.copies.clear()
            self.copies.update(copies)
            self.conn.execute(f"ROLLBACK TO SAVEPOINT {BATCH}; RELEASE SAVEPOINT {BATCH}".encode())
            raise
        for key, read, text in zip(keys, readers, printed, strict=True):
            self.cache[key] = None if text is None else read(text)

    def _succeeded(self, name: str) -> str:
        """The last statement of probe ``name``'s block: a mark that a failing block undoes
        with the rest."""
        return f"PERFORM set_config({self.literal(PROBED_SETTING)}, {self.literal(name)}, true)"

    def _if_succeeded(self, name: str, query: str) -> str:
        """``query``'s rows only where probe ``name``'s block went through. A probe that
        changes an object the dev database has (a column's or a domain's default) and
        fails would otherwise read back what was there before: the desired definition
        itself, so a current one PostgreSQL could not even make (it calls a routine the
        desired state drops) would pass for equal."""
        return (
            f"SELECT * FROM ({query}) AS probed "
            f"WHERE current_setting({self.literal(PROBED_SETTING)}, true) = {self.literal(name)}"
        )

    def _block(self, body: tuple[str, ...]) -> str:
        """``body`` run as one subtransaction: where a statement fails, none happened."""
        code = "BEGIN " + "; ".join(body) + "; EXCEPTION WHEN OTHERS THEN NULL; END"
        return f"DO {self.literal(code)}"

    def constraint(self, table: str, definition: str) -> str | None:
        def make(name: str) -> _Probe:
            suffix = " NOT VALID" if definition.startswith(("CHECK", "FOREIGN KEY")) else ""
            probed = self.table_for(table, name)

            def read(printed: str) -> str:
                if printed.endswith(" NOT VALID") and suffix:
                    return printed[: -len(" NOT VALID")]
                return printed

            return _Probe(
                (
                    self.executed(
                        f"ALTER TABLE {probed} ADD CONSTRAINT {name} {definition}{suffix}"
                    ),
                ),
                self.bound(
                    "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = to_regclass(%s) AND conname = %s",
                    (probed, name),
                ),
                read,
            )

        return self._probe(("constraint", table, definition), make)

    def index(self, table: str, definition: str) -> str | None:
        def make(name: str) -> _Probe | None:
            match = _INDEX_NAME.match(definition)
            if not match:
                return None
            sql = _INDEX_NAME.sub(lambda m: f"{m[1]}{name}{m[3]}", definition, count=1)
            sql = sql.replace(" ON ONLY ", " ON ", 1)
            probed = self.table_for(table, name)
            if probed != table:
                sql = sql.replace(f" ON {table} ", f" ON {probed} ", 1)
            return _Probe(
                (self.executed(sql),),
                self.bound(
                    "SELECT pg_get_indexdef(c.oid) FROM pg_class c JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace WHERE c.relname = %s",
                    (name,),
                ),
                lambda printed: printed.replace(f" {name} ON ", " ? ON ", 1).replace(
                    f" ON {probed} ", f" ON {table} ", 1
                ),
            )

        return self._probe(("index", table, definition), make)

    def default(self, table: str, column: str, expression: str) -> str | None:
        def make(name: str) -> _Probe:
            probed = self.table_for(table, name)
            return _Probe(
                (
                    self.executed(
                        f"ALTER TABLE {probed} ALTER COLUMN {column} SET DEFAULT {expression}"
                    ),
                ),
                self.bound(
                    "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a "
                    "ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
                    "WHERE d.adrelid = to_regclass(%s) AND quote_ident(a.attname) = %s",
                    (probed, column),
                ),
            )

        return self._probe(("default", table, column, expression), make)

    def generated(self, table: str, column_type: str, expression: str) -> str | None:
        def make(name: str) -> _Probe:
            probed = self.table_for(table, name)
            return _Probe(
                (
                    self.executed(
                        f"ALTER TABLE {probed} ADD COLUMN {name} {column_type} "
                        f"GENERATED ALWAYS AS ({expression}) STORED"
                    ),
                ),
                self.bound(
                    "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a "
                    "ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
                    "WHERE d.adrelid = to_regclass(%s) AND a.attname = %s",
                    (probed, name),
                ),
            )

        return self._probe(("generated", table, column_type, expression), make)

    def view(self, query: str) -> str | None:
        """A view's query as PostgreSQL prints it (a temporary view: no schema needed)."""

        def make(name: str) -> _Probe:
            return _Probe(
                (self.executed(f"CREATE TEMPORARY VIEW {name} AS {query}"),),
                self.bound("SELECT pg_get_viewdef(to_regclass(%s), true)", (f"pg_temp.{name}",)),
                printed_definition,
            )

        return self._probe(("view", query), make)


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
    """``old`` with its columns reconciled; ``old`` itself when nothing was taken over
    (most tables, whose columns' expressions read alike on both sides)."""
    taken_over: list[Column] | None = None
    wanted_column = new.column
    # Most tables list the same columns in the same order on both sides: each column's
    # counterpart is then at its own position, found without a lookup by name.
    wanted_at = new.columns if len(new.columns) == len(old.columns) else ()
    for position, column in enumerate(old.columns):
        wanted = wanted_at[position] if wanted_at else None
        if wanted is None or wanted.name != column.name:
            wanted = wanted_column(column.name)
        if wanted is None or (
            column.default == wanted.default and column.generated == wanted.generated
        ):
            continue
        reconciled = _reconcile_column(prober, new, column, wanted)
        if reconciled is not column:
            taken_over = list(old.columns) if taken_over is None else taken_over
            taken_over[position] = reconciled
    if taken_over is None:
        return old
    return dataclasses.replace(old, columns=tuple(taken_over))


def _reconciled_by_key(
    prober: _Prober,
    current: dict[str, T],
    desired: dict[str, T],
    reconcile: Callable[[T, T], T],
    keys: list[str] | None,
    start: dict[str, T] | None,
) -> tuple[dict[str, T], list[str]]:
    """``current`` with ``reconcile`` (the current object, or it with what it found equal
    taken over) applied to the objects on both sides; only to ``keys`` where given, on
    top of ``start`` (the previous pass). Also the keys whose answer waits for a question
    asked now: the next pass looks at those alone."""
    result = dict(current if start is None else start)
    waiting = []
    for key in sorted(current.keys() & desired.keys()) if keys is None else keys:
        misses = prober.questions.misses
        result[key] = reconcile(current[key], desired[key])  # probes in the same order every run
        if prober.questions.misses != misses:
            waiting.append(key)
    return result, waiting


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
    asked now are added to it.

    The comparison runs once to ask its questions, which are then answered together in
    a transaction that is always rolled back, and once more, for the objects that asked,
    with the answers. Where every text matches (or was answered before), nothing is
    sent at all."""
    prober = _Prober(dev, sandbox, answers)
    reconciled, waiting = _reconciled(prober, current, desired)
    while prober.questions.asked:  # once: no question depends on another's answer
        prober.copies.clear()  # made in the transaction below, gone with it
        with dev.transaction(force_rollback=True):
            settings = "SET LOCAL search_path = ''"
            if sandbox:
                settings += f"; SET LOCAL lock_timeout = '{SANDBOX_LOCK_TIMEOUT}'"
            dev.execute(settings.encode())
            prober.answer()
        reconciled, waiting = _reconciled(prober, current, desired, waiting, reconciled)
    return reconciled


# The objects of each kind that waited for answers in one pass, by Catalog field.
Waiting = dict[str, list[str]]


def _reconciled(
    prober: _Prober,
    current: Catalog,
    desired: Catalog,
    only: Waiting | None = None,
    start: Catalog | None = None,
) -> tuple[Catalog, Waiting]:
    """``current`` with what ``prober`` found equal to ``desired`` taken over; a question
    not answered yet counts as a difference (and is asked). ``only``: the objects to look
    at again, on top of ``start``, the previous pass (domains and policies, few, are
    looked at whole)."""

    # Only definitions are taken over: where they read alike (most objects), there is
    # nothing to ask, and comparing them alone is much cheaper than whole objects.
    def constraint(a: Constraint, b: Constraint) -> Constraint:
        if a.definition == b.definition or a.type != b.type:
            return a
        reprint = partial(prober.constraint, b.table)
        if not _same(reprint, a.definition, b.definition):
            return a
        return dataclasses.replace(a, definition=b.definition)

    def index(a: Index, b: Index) -> Index:
        if a.definition == b.definition or a.table != b.table:
            return a
        if not _same(partial(prober.index, b.table), a.definition, b.definition):
            return a
        return dataclasses.replace(a, definition=b.definition, shape=b.shape)

    def view(a: View, b: View) -> View:
        if a.definition == b.definition or not _same(prober.view, a.definition, b.definition):
            return a
        return dataclasses.replace(a, definition=b.definition)

    waiting: Waiting = {}

    def by_key(kind: str, reconcile: Callable[[T, T], T]) -> dict[str, T]:
        """The objects of Catalog field ``kind`` reconciled one by one."""
        result, waiting[kind] = _reconciled_by_key(
            prober, getattr(current, kind), getattr(desired, kind), reconcile,
            None if only is None else only[kind], None if start is None else getattr(start, kind),
        )  # fmt: skip
        return result

    tables = by_key("tables", partial(_reconcile_table, prober))
    constraints = by_key("constraints", constraint)
    indexes = by_key("indexes", index)
    views = by_key("views", view)
    from schemactl.catalog.policy_equivalence import reconcile_policies  # imports this module
    from schemactl.catalog.type_equivalence import reconcile_domains  # imports this module

    types = reconcile_domains(prober, current.types, desired.types)
    policies = reconcile_policies(prober, current.policies, desired.policies)
    reconciled = dataclasses.replace(
        current, tables=tables, constraints=constraints, indexes=indexes, views=views,
        types=types, policies=policies,
    )  # fmt: skip
    return reconciled, waiting


def as_read_on_retyped_tables(reconciled: Catalog, as_read: Catalog, desired: Catalog) -> Catalog:
    """``reconciled`` with the definitions it took over from ``desired`` given back as
    read, on tables whose columns change type or collation.

    Such a definition was found equal when printed over the desired columns, which is
    what the migration needs. The rollback restores the columns as they were, and
    PostgreSQL rebuilds an index or constraint over a retyped column from its printed
    text: ``(a)`` over a column of collation "C" is ``(a COLLATE "C")`` once the column
    is back to its type's collation. The rollback must therefore aim at the definitions
    as read."""
    retyped = {
        ident
        for ident, table in reconciled.tables.items()
        if ident in desired.tables and _column_kinds(table) != _column_kinds(desired.tables[ident])
    }
    if not retyped:
        return reconciled

    def given_back(mine: dict[str, T], read: dict[str, T]) -> dict[str, T]:
        return {
            key: read[key]
            if getattr(value, "table", None) in retyped
            and key in read
            and getattr(read[key], "definition", None) != getattr(value, "definition", None)
            else value
            for key, value in mine.items()
        }

    return dataclasses.replace(
        reconciled,
        indexes=given_back(reconciled.indexes, as_read.indexes),
        constraints=given_back(reconciled.constraints, as_read.constraints),
    )


def _column_kinds(table: Table) -> dict[str, tuple[str, str | None]]:
    return {c.name: (c.type, c.collation) for c in table.columns}
