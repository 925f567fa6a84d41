"""Preflight: ask the target's rows, before anything runs, whether the plan can succeed.

Each step's preconditions (diff/preconditions.py) become one bounded, read-only query:
a transaction ``READ ONLY`` under ``statement_timeout``, counting at most
``ROW_LIMIT + 1`` rows. A violated condition is a blocking finding that names the
step, the table, how many rows (or "at least one"), and the remedy. A condition that
cannot be asked (the statement timed out, the plan creates what it names) is reported
as not checked, with what it would have asked, and blocks nothing: the apply itself
stays all-or-nothing. A column the plan adds is read as the value the plan gives the
existing rows (``Precondition.new_columns``), so conditions over it are asked too.

The questions go to the server together, one round trip for all of them. A server
stops a query string at its first failed statement and psycopg then keeps none of the
answers before it, so when one question fails, all are asked again one by one; a
question that times out has then waited out its timeout twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql
from psycopg.pq import TransactionStatus

from schemactl.config import PREFLIGHT_TIMEOUT
from schemactl.diff.changes import Precondition
from schemactl.identifiers import split_qualified
from schemactl.plan.headline import headline
from schemactl.plan.model import Plan, Step

ROW_LIMIT = 1000
# An enum label the plan adds: the target's type lacks it until the plan runs.
INVALID_TEXT_REPRESENTATION = "22P02"
NEW_ENUM_LABEL = "invalid input value for enum"
QUERY_CANCELED = "57014"
DATA_EXCEPTION_CLASS = "22"
INTEGRITY_CLASS = "23"
UNDEFINED = {"42P01", "42703", "42704", "42883"}  # table, column, object, function
_LENGTH_LIMITED = re.compile(r"^(character varying|character)\((\d+)\)$")


@dataclass(frozen=True)
class Finding:
    """What preflight found about one condition: a problem that blocks the apply, or a
    condition it could not check."""

    step_number: int  # 1-based, in execution order
    step: Step
    precondition: Precondition
    problem: str
    remedy: str = ""
    blocking: bool = True  # False: the condition could not be checked

    @property
    def where(self) -> str:
        return f"step {self.step_number} `{headline(self.step.sql)}`"

    def message(self) -> str:
        remedy = f"; remedy: {self.remedy}" if self.remedy else ""
        return f"{self.where}: {self.problem}{remedy}"

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step_number,
            "sql": self.step.sql,
            "table": self.precondition.table,
            "condition": self.precondition.kind,
            "problem": self.problem,
            "remedy": self.remedy,
            "blocking": self.blocking,
        }


@dataclass(frozen=True)
class PreflightReport:
    """How many conditions preflight asked and what it found."""

    checked: int = 0  # conditions asked
    findings: tuple[Finding, ...] = field(default=())

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    @property
    def unchecked(self) -> list[Finding]:
        return [f for f in self.findings if not f.blocking]

    def summary(self) -> str:
        """How the conditions came out, counted apart: those that hold, those that would
        make apply fail, and those preflight could not check (a condition it could not
        check is not one that holds)."""
        failing = len({f.precondition for f in self.blocking})
        unknown = len(
            {f.precondition for f in self.unchecked} - {f.precondition for f in self.blocking}
        )
        holding = self.checked - failing - unknown
        asked = f"{self.checked} condition(s) asked of the target's rows"
        if not failing and not unknown:
            return f"{asked}: all hold"
        counts = [f"{holding} hold"] if holding else []
        if failing:
            counts.append(f"{failing} would make apply fail")
        if unknown:
            counts.append(f"{unknown} could not be checked")
        return f"{asked}: {', '.join(counts)}"

    def to_json(self) -> dict[str, Any]:
        return {"checked": self.checked, "findings": [f.to_json() for f in self.findings]}


def preflight(
    conn: psycopg.Connection, plan: Plan, timeout: str = PREFLIGHT_TIMEOUT
) -> PreflightReport:
    """Ask the target about every step that can fail on its rows. Reads only.

    Where the connection allows (autocommit, outside a transaction), every question goes
    to the server in one query string first, so that a far server answers them all in
    one round trip; the conditions are then judged on those answers. If any question
    fails there (a timeout, a cast that fails), each is asked again on its own, so that
    the failure is put on its own condition."""
    asked: dict[Precondition, tuple[int, Step]] = {}
    for number, step, condition in _conditions(plan):
        asked.setdefault(condition, (number, step))
    reader = _Reader(conn, timeout)
    if reader.in_one_round_trip:
        recorder = _Recorder(conn, timeout)
        for condition in asked:
            _QUESTIONS[condition.kind](recorder, condition)
        answers = recorder.answers()
        if answers is not None:
            reader = _Replayer(conn, timeout, answers)
    findings: list[Finding] = []
    for condition, (number, step) in asked.items():
        findings += _ask(reader, number, step, condition, timeout)
    return PreflightReport(len(asked), tuple(findings))


def _conditions(plan: Plan) -> Iterator[tuple[int, Step, Precondition]]:
    for number, step in enumerate(plan.steps, start=1):
        for condition in step.preconditions:
            yield number, step, condition


# -- asking --------------------------------------------------------------------------------


def _ask(
    reader: _Reader, number: int, step: Step, condition: Precondition, timeout: str
) -> list[Finding]:
    if condition.kind == "unknowable":
        return [
            Finding(number, step, condition, f"not checked: {condition.predicate}", blocking=False)
        ]
    question = _QUESTIONS[condition.kind]
    try:
        return [
            Finding(number, step, condition, problem, remedy)
            for problem, remedy in question(reader, condition)
        ]
    except psycopg.Error as exc:
        return [_unanswered(number, step, condition, exc, timeout)]


def _unanswered(
    number: int, step: Step, condition: Precondition, exc: psycopg.Error, timeout: str
) -> Finding:
    state = exc.sqlstate or ""
    reason = " ".join((exc.diag.message_primary or str(exc)).split())
    if condition.kind == "castable" and state[:2] in (DATA_EXCEPTION_CLASS, INTEGRITY_CLASS):
        problem = f"{condition.table}: at least one row fails {condition.expressions[0]}: {reason}"
        return Finding(number, step, condition, problem, remedy(condition))
    if state == QUERY_CANCELED:
        note = (
            f"the check of {condition.table} took longer than {timeout} "
            "(--preflight-timeout; --no-preflight skips it)"
        )
    elif state in UNDEFINED:
        note = f"{reason} (the plan creates it first)"
    elif state == INVALID_TEXT_REPRESENTATION and reason.startswith(NEW_ENUM_LABEL):
        note = f"{reason} (the plan adds the label first)"
    else:
        note = reason
    return Finding(
        number, step, condition, f"not checked whether {asked(condition)}: {note}", blocking=False
    )


def _new_columns_read(c: Precondition) -> list[str]:
    """The columns the plan adds that condition ``c`` names (on its own table)."""
    text = " ".join((*c.columns, *c.expressions, c.predicate))
    return [
        column
        for owner, column, _ in c.new_columns
        if owner == c.table and re.search(rf"(?<![\w\"]){re.escape(column)}(?![\w\"])", text)
    ]


def asked(c: Precondition) -> str:
    """What a condition asks of the rows, as a clause: one step may have several (a
    primary key: unique, and no NULLs), and a condition left unchecked says which."""
    if c.kind == "empty":
        return f"{c.table} is empty"
    if c.kind == "no_nulls":
        return f"{', '.join(c.columns)} {'holds' if len(c.columns) == 1 else 'hold'} no NULL"
    if c.kind == "unique":
        return f"({', '.join(c.expressions or c.columns)}) is unique"
    if c.kind == "check":
        return f"every row satisfies CHECK ({c.predicate})"
    if c.kind == "references":
        return f"every ({', '.join(c.columns)}) has a match in {c.referenced}"
    if c.kind == "castable":
        return f"{c.expressions[0]} converts every row"
    if c.kind == "values_unused":
        return f"no row holds {', '.join(repr(v) for v in c.values)} in {c.columns[0]}"
    if c.kind == "sequence_within":
        return f"{c.table} stands within its new {c.expressions[0]}"
    return c.predicate


class _Reader:
    """Runs one read-only, time-bounded query per question."""

    def __init__(self, conn: psycopg.Connection, timeout: str) -> None:
        self.conn, self.timeout = conn, timeout

    @property
    def in_one_round_trip(self) -> bool:
        """Whether a question's transaction can go to the server as one query string:
        on an autocommit connection outside a transaction (every plan's and apply's)."""
        idle = self.conn.info.transaction_status == TransactionStatus.IDLE
        return self.conn.autocommit and idle

    def count(self, query: sql.Composed) -> int:
        """Rows of ``query`` (a SELECT of rows), counted up to ROW_LIMIT + 1."""
        bounded = sql.SQL("SELECT count(*) FROM ({} LIMIT {}) AS found").format(
            query, sql.Literal(ROW_LIMIT + 1)
        )
        return int(self.scalar(bounded) or 0)

    def scalar(self, query: sql.Composed) -> Any:
        """Without parameters: a % in a printed expression stays a %."""
        if self.in_one_round_trip:  # a failed one costs a ROLLBACK more
            return _first_values(self.conn, [self.question(query)])[0]
        with self.conn.transaction(force_rollback=True):
            self.conn.execute("SET TRANSACTION READ ONLY")
            self.conn.execute("SELECT set_config('statement_timeout', %s, true)", (self.timeout,))
            row = self.conn.execute(query).fetchone()
        return row[0] if row else None

    def question(self, query: sql.Composable) -> sql.Composed:
        """``query`` in a read-only transaction of its own, under the timeout. (In a query
        string of several statements, each gets the timeout set before it.)"""
        return sql.SQL("BEGIN READ ONLY; SET LOCAL statement_timeout = {}; {}; ROLLBACK").format(
            sql.Literal(self.timeout), query
        )


class _Recorder(_Reader):
    """Notes the questions instead of asking them (every answer is "nothing found"), to
    ask them all together with :meth:`answers`."""

    def __init__(self, conn: psycopg.Connection, timeout: str) -> None:
        super().__init__(conn, timeout)
        self.asked: dict[str, None] = {}

    def scalar(self, query: sql.Composed) -> Any:
        self.asked[query.as_string(self.conn)] = None
        return None

    def answers(self) -> dict[str, Any] | None:
        """Each question's answer, all asked in one round trip; None if any failed."""
        texts = list(self.asked)
        if not texts:
            return {}
        try:
            values = _first_values(self.conn, [self.question(_raw(t)) for t in texts])
        except psycopg.Error:
            return None
        return dict(zip(texts, values, strict=True))


class _Replayer(_Reader):
    """Answers the questions from what the server answered them all together."""

    def __init__(self, conn: psycopg.Connection, timeout: str, answers: dict[str, Any]) -> None:
        super().__init__(conn, timeout)
        self.answers = answers

    def scalar(self, query: sql.Composed) -> Any:
        text = query.as_string(self.conn)
        return self.answers[text] if text in self.answers else super().scalar(query)


def _first_values(conn: psycopg.Connection, questions: list[sql.Composed]) -> list[Any]:
    """The first value of each question's answer (None for no row), asked as one query
    string; on an error the connection is left outside a transaction, and it is raised."""
    try:
        cursor = conn.execute(sql.SQL("; ").join(questions))
    except psycopg.Error:
        if conn.info.transaction_status != TransactionStatus.IDLE:
            conn.execute("ROLLBACK")  # the string stopped at the failed statement
        raise
    values: list[Any] = []
    while True:  # BEGIN, SET and ROLLBACK answer without rows; each question's query with one
        if cursor.description is not None:
            row = cursor.fetchone()
            values.append(row[0] if row else None)
        if not cursor.nextset():
            return values


def rows(count: int, noun: str = "row") -> str:
    """``1 row``, ``3 rows``, ``more than 1000 rows``."""
    if count > ROW_LIMIT:
        return f"more than {ROW_LIMIT} {noun}s"
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _raw(text: str) -> sql.SQL:
    """SQL text read from the catalog (identifiers quoted, expressions as printed)."""
    return sql.SQL(text)  # type: ignore[arg-type,unused-ignore]


def _rows(c: Precondition, table: str, alias: str = "") -> sql.Composed:
    """``table`` as a FROM item (named ``alias``), its rows as the plan leaves them: with
    the value each column the plan adds gives them."""
    named = sql.SQL(" AS {}").format(sql.SQL(alias)) if alias else sql.SQL("")
    added = [(column, value) for owner, column, value in c.new_columns if owner == table]
    if not added:
        return sql.SQL("{}{}").format(_raw(table), named)
    values = sql.SQL(", ").join(
        sql.SQL("{} AS {}").format(_raw(value), _raw(column)) for column, value in added
    )
    name = sql.SQL(alias) if alias else _raw(split_qualified(table)[1])
    return sql.SQL("(SELECT *, {} FROM {}) AS {}").format(values, _raw(table), name)


def _columns(names: tuple[str, ...], alias: str = "") -> sql.Composed:
    prefix = f"{alias}." if alias else ""
    return sql.SQL(", ").join(_raw(prefix + name) for name in names)


Answers = list[tuple[str, str]]  # (problem, remedy)


def _empty(reader: _Reader, c: Precondition) -> Answers:
    count = reader.count(sql.SQL("SELECT 1 FROM {}").format(_raw(c.table)))
    if not count:
        return []
    column = c.columns[0]
    return [
        (
            f"{c.table} has {rows(count)}: adding {column} NOT NULL without a DEFAULT fails",
            remedy(c),
        )
    ]


def _no_nulls(reader: _Reader, c: Precondition) -> Answers:
    nulls = sql.SQL(" OR ").join(sql.SQL("{} IS NULL").format(_raw(col)) for col in c.columns)
    count = reader.count(sql.SQL("SELECT 1 FROM {} WHERE {}").format(_rows(c, c.table), nulls))
    if not count:
        return []
    columns = ", ".join(c.columns)
    return [(f"{c.table}: {rows(count)} with NULL in {columns}", remedy(c))]


def _unique(reader: _Reader, c: Precondition) -> Answers:
    expressions = c.expressions or c.columns
    conditions: list[sql.Composable] = []
    if c.predicate:
        conditions.append(sql.SQL("({})").format(_raw(c.predicate)))
    if c.nulls_distinct:  # rows with a NULL in the key never collide
        conditions += [sql.SQL("({}) IS NOT NULL").format(_raw(e)) for e in expressions]
    where = sql.SQL(" WHERE ") + sql.SQL(" AND ").join(conditions) if conditions else sql.SQL("")
    query = sql.SQL("SELECT 1 FROM {}{} GROUP BY {} HAVING count(*) > 1").format(
        _rows(c, c.table), where, _columns(expressions)
    )
    count = reader.count(query)
    if not count:
        return []
    key = ", ".join(expressions)
    return [
        (
            f"{c.table}: {rows(count, 'value')} of ({key}) held by more than one row",
            remedy(c),
        )
    ]


def _check(reader: _Reader, c: Precondition) -> Answers:
    query = sql.SQL("SELECT 1 FROM {} WHERE NOT ({})").format(_rows(c, c.table), _raw(c.predicate))
    count = reader.count(query)
    if not count:
        return []
    return [(f"{c.table}: {rows(count)} violating CHECK ({c.predicate})", remedy(c))]


def _references(reader: _Reader, c: Precondition) -> Answers:
    child = [sql.SQL("child.{}").format(_raw(col)) for col in c.columns]
    present = sql.SQL(" AND ").join(sql.SQL("{} IS NOT NULL").format(col) for col in child)
    match = sql.SQL(" AND ").join(
        sql.SQL("parent.{} = {}").format(_raw(ref), col)
        for ref, col in zip(c.referenced_columns, child, strict=True)
    )
    orphan = sql.SQL("({} AND NOT EXISTS (SELECT 1 FROM {} WHERE {}))").format(
        present, _rows(c, c.referenced, "parent"), match
    )
    if c.referenced_new:  # empty when the key is added: a row naming any row is an orphan
        orphan = sql.SQL("({})").format(present)
    if c.match_full:  # some but not all key columns NULL violates MATCH FULL
        some = sql.SQL(" OR ").join(sql.SQL("{} IS NULL").format(col) for col in child)
        orphan = sql.SQL("{} OR (({}) AND NOT ({}))").format(orphan, some, _all_null(child))
    query = sql.SQL("SELECT 1 FROM {} WHERE {}").format(_rows(c, c.table, "child"), orphan)
    count = reader.count(query)
    if not count:
        return []
    columns = ", ".join(c.columns)
    empty = ", which the plan creates empty" if c.referenced_new else ""
    return [
        (
            f"{c.table}: {rows(count)} without a match for ({columns}) in {c.referenced}{empty}",
            remedy(c),
        )
    ]


def _all_null(columns: list[sql.Composed]) -> sql.Composed:
    return sql.SQL(" AND ").join(sql.SQL("{} IS NULL").format(col) for col in columns)


def _castable(reader: _Reader, c: Precondition) -> Answers:
    """Run the conversion the step runs over every row (a failure raises: at least one
    row); and a conversion to a shorter varchar or char cuts values without an error."""
    conversion = c.expressions[0]
    reader.scalar(
        sql.SQL(
            "SELECT count(converted) FROM (SELECT {} AS converted FROM {} OFFSET 0) AS s"
        ).format(_raw(conversion), _rows(c, c.table))
    )
    limited = _LENGTH_LIMITED.match(c.target_type)
    if limited is None:
        return []
    length = int(limited[2])
    column = c.columns[0]
    query = sql.SQL("SELECT 1 FROM {} WHERE char_length({}::text) > {}").format(
        _rows(c, c.table), _raw(column), sql.Literal(length)
    )
    count = reader.count(query)
    if not count:
        return []
    return [
        (
            f"{c.table}: {rows(count)} with {column} longer than {length} characters: "
            f"{conversion} cuts them without an error",
            f"shorten those values in a migration file first, or keep {column} longer",
        )
    ]


def _values_unused(reader: _Reader, c: Precondition) -> Answers:
    column = c.columns[0]
    query = sql.SQL("SELECT 1 FROM {} WHERE {}::text = ANY({})").format(
        _rows(c, c.table), _raw(column), sql.Literal(list(c.values))
    )
    count = reader.count(query)
    if not count:
        return []
    values = ", ".join(repr(v) for v in c.values)
    return [
        (
            f"{c.table}: {rows(count)} still holding {values} in {column}, which the type loses",
            remedy(c),
        )
    ]


def _sequence_within(reader: _Reader, c: Precondition) -> Answers:
    value = reader.scalar(
        sql.SQL("SELECT last_value FROM {} WHERE NOT ({})").format(_raw(c.table), _raw(c.predicate))
    )
    if value is None:
        return []
    return [(f"{c.table} stands at {value}, outside its new {c.expressions[0]}", remedy(c))]


def _nothing_to_ask(reader: _Reader, c: Precondition) -> Answers:
    """An ``unknowable`` condition: _ask reports it as not checked."""
    return []


_QUESTIONS = {
    "empty": _empty,
    "no_nulls": _no_nulls,
    "unique": _unique,
    "check": _check,
    "references": _references,
    "castable": _castable,
    "values_unused": _values_unused,
    "sequence_within": _sequence_within,
    "unknowable": _nothing_to_ask,
}
CONDITION_KINDS = frozenset(_QUESTIONS)  # what plan JSON may name (output/schemas/plan)


def remedy(c: Precondition) -> str:
    """What to do about rows that break ``c``."""
    column = c.columns[0] if c.columns else ""
    if c.kind == "references" and c.referenced_new:
        return (
            f"fill {c.referenced} in a migration file first, or declare the foreign key "
            "NOT VALID (it then holds for new rows only)"
        )
    if c.kind in ("check", "references") and (new := _new_columns_read(c)):
        return (
            f"the existing rows get the DEFAULT of {', '.join(new)}, which the plan adds: "
            "give it one the constraint accepts, or add it in a migration file and fill it before "
            "the constraint"
        )
    if c.kind == "empty":
        return (
            f"give {column} a DEFAULT, or add it without NOT NULL, fill it in a migration "
            "file, then declare it NOT NULL"
        )
    if c.kind == "no_nulls":
        return (
            f"fill the NULLs in a migration file first (UPDATE {c.table} SET {column} = ... "
            f"WHERE {column} IS NULL), or give it a DEFAULT and backfill"
        )
    if c.kind == "unique":
        return "remove or merge the duplicates in a migration file first"
    if c.kind == "check":
        return (
            "fix those rows in a migration file first, or declare the constraint NOT VALID "
            "(it then holds for new rows only)"
        )
    if c.kind == "references":
        return (
            "delete or fix those rows in a migration file first, or declare the foreign key "
            "NOT VALID (it then holds for new rows only)"
        )
    if c.kind == "values_unused":
        return (
            f"move those rows to another value in a migration file first "
            f"(UPDATE {c.table} SET {column} = ...)"
        )
    if c.kind == "sequence_within":
        return (
            "keep the limit at or beyond the current value; or, if the values past it are "
            "free, move the sequence back in a migration file first (SELECT setval(...))"
        )
    return "convert or fix those values in a migration file first"
