"""Functions, procedures and aggregates: CREATE OR REPLACE wherever PostgreSQL allows it.

A routine is known by its signature (name and identity arguments, names included),
so a changed argument list is a different routine: the old one is dropped, the new one
created. With the same signature, ``CREATE OR REPLACE`` changes the body and every
attribute, but not the return type, the routine kind, or fewer argument defaults: those
take DROP + CREATE, and the triggers that call the routine are recreated around it
(see :func:`recreated_functions`, used by the trigger and privilege diffs). So is a
routine whose signature or ``BEGIN ATOMIC`` body uses a relation that is dropped or
rebuilt: it would block the relation's drop; and one whose ``BEGIN ATOMIC`` body reads a
column that is dropped or changes type or collation, which it would block as well.

A routine replaced in place with a new body (not only new COST, ROWS, PARALLEL or
LEAKPROOF) computes anew, and so does one calling it (:func:`redefined_functions`): what
was stored from its old results is stale. Expression indexes and stored generated
columns calling it are built again, and CHECK constraints calling it are added again
and validated over the rows (diff/regenerated.py: :class:`Foundations`).

Where routines go in a migration:

- created in ``Phase.CREATE_FUNCTION``, before tables, because column defaults, checks,
  generated columns, domains, indexes and views may call them;
- created in ``Phase.REPLACE_FUNCTION`` (after tables and views) when they cannot exist
  before them: their signature uses a relation's row type or a ``BEGIN ATOMIC`` body reads
  one (pg_depend records both), a SQL body names a relation (PostgreSQL checks SQL bodies
  when they are created) and nothing created earlier needs the routine, or they need a
  routine placed late (argument defaults, SQL bodies, an aggregate's support functions);
- dropped in ``Phase.DROP_FUNCTION``, after the tables, columns, constraints and views
  that used them, unless they depend on a relation: then before it can be dropped, in
  ``Phase.DROP_TRIGGER`` right after the triggers;
- created and dropped among the views, by rank (diff/views.py: :func:`routine_ranks`),
  when a view calls them and their signature or ``BEGIN ATOMIC`` body uses a relation
  (``CREATE VIEW v AS SELECT * FROM f()`` over ``f() RETURNS SETOF t``).

Inside a phase, ``Change.order`` is the dependency rank: creates run callees first,
drops run callers first.
"""

from __future__ import annotations

import re

from schemactl.catalog.model import Function
from schemactl.diff.changes import Change, Hazard, HazardKind, Phase
from schemactl.diff.comments import comment_change
from schemactl.diff.context import DiffContext
from schemactl.diff.recreation import asking_for_views, must_recreate, views_asking
from schemactl.diff.types import dropped_or_replaced
from schemactl.diff.views import rebuilt_views, retyped_or_dropped_columns, routine_ranks
from schemactl.source.pglast_modules import parser

# Early drops share DROP_TRIGGER with the triggers, which go first (order (0,)).
_EARLY_DROP_ORDER = 1


def recreated_functions(ctx: DiffContext) -> frozenset[str]:
    """Signatures of routines the migration drops and creates again: those ``CREATE OR
    REPLACE`` cannot change, and those over a relation that is dropped or rebuilt (a row
    type in the signature, a ``BEGIN ATOMIC`` body), which would block its drop. What
    depends on them (triggers, grants, views) goes with them and must be recreated too."""
    asking = views_asking()
    return ctx.answer(("recreated_functions", asking), lambda: _recreated(ctx, asking))


# Options of a routine that change how it is planned or run, never what it returns, as
# pg_get_functiondef prints them on the line of its attributes.
_RESULT_NEUTRAL_OPTIONS = re.compile(
    r" (?:PARALLEL (?:SAFE|RESTRICTED|UNSAFE)|COST [0-9.]+|ROWS [0-9.]+|LEAKPROOF|SUPPORT \S+)"
)
# Where the header of attributes ends and the body begins.
_BODY = re.compile(r"^(?:AS |BEGIN ATOMIC)", re.MULTILINE)
# A body given as a dollar-quoted string, as pg_get_functiondef prints it.
_QUOTED_BODY = re.compile(r"AS (\$[A-Za-z_0-9]*\$)(.*)\1", re.DOTALL)
_COMMENTS = ("SQL_COMMENT", "C_COMMENT")


def redefined_functions(ctx: DiffContext) -> frozenset[str]:
    """Signatures of routines ``CREATE OR REPLACE`` changes in what they compute (a new
    body, a new search_path), and of those that call one: values stored from what they
    computed (an expression index, a stored generated column) and rows a CHECK that
    calls one has passed are computed and checked again, or they would be stale."""
    # Kept per mode, as recreated_functions is: it rests on that answer.
    return ctx.answer(("redefined_functions", views_asking()), lambda: _redefined(ctx))


def _redefined(ctx: DiffContext) -> frozenset[str]:
    current, desired = ctx.current.functions, ctx.desired.functions
    recreated = recreated_functions(ctx)
    found = {
        key
        for key in current.keys() & desired.keys() - recreated
        if current[key].definition != desired[key].definition
        and _computing(current[key]) != _computing(desired[key])
    }
    grew = bool(found)
    while grew:  # a routine that calls a redefined one computes anew too
        callers = {
            key
            for key in desired.keys() & current.keys() - recreated - found
            if found.intersection(desired[key].calls) or found.intersection(desired[key].requires)
        }
        found |= callers
        grew = bool(callers)
    return frozenset(found)


def _computing(function: Function) -> tuple[str, ...]:
    """A routine's definition without the options that leave its results alone, its body
    as the words it is made of: a change of layout, of comments or of a keyword's case
    computes nothing new."""
    definition = function.definition
    body = _BODY.search(definition)
    split = body.start() if body else len(definition)
    header = _RESULT_NEUTRAL_OPTIONS.sub("", definition[:split])
    quoted = _QUOTED_BODY.match(definition, split)
    if quoted is None:  # BEGIN ATOMIC (printed from its parse tree), or a C symbol
        return header, definition[split:]
    return header, quoted[1], *_words(quoted[2]), definition[quoted.end() :]


def _words(body: str) -> tuple[str, ...]:
    """The tokens of a body (SQL, PL/pgSQL) without comments; keywords and unquoted names
    in lower case, as PostgreSQL reads them. A body that does not scan is kept whole."""
    try:
        tokens = parser.scan(body)
    except parser.ParseError:
        return (body,)
    words = []
    for token in tokens:
        if token.name in _COMMENTS:
            continue
        word = body[token.start : token.end + 1]
        folded = token.kind != "NO_KEYWORD" or (token.name == "IDENT" and word[:1] != '"')
        words.append(word.lower() if folded else word)
    return tuple(words)


def _recreated(ctx: DiffContext, for_views: bool) -> frozenset[str]:
    vanishing = _vanishing_relations(ctx)
    if not for_views:
        with asking_for_views():
            vanishing |= rebuilt_views(ctx).keys()
    current, desired = ctx.current.functions, ctx.desired.functions
    moving = _moving_columns(ctx) if any(f.columns for f in current.values()) else set()
    replaced = dropped_or_replaced(ctx) if current and ctx.current.types else set()
    return frozenset(
        key
        for key in current.keys() & desired.keys()
        if must_recreate(current[key], desired[key])
        or vanishing.intersection(current[key].relations)
        or moving.intersection(current[key].columns)
        or replaced.intersection(current[key].types)
    )


def _moving_columns(ctx: DiffContext) -> set[str]:
    """``table.column`` of the columns the migration retypes or drops: PostgreSQL refuses
    either while a ``BEGIN ATOMIC`` body reads the column, so such a routine goes first
    (with the early drops, as it reads a relation) and comes back after."""
    return {f"{table}.{column}" for table, column in retyped_or_dropped_columns(ctx)}


def _vanishing_relations(ctx: DiffContext) -> set[str]:
    """Tables and views the migration drops, for good or to create them again (tables
    rebuilt for partitioning are set aside from ``ctx.current``)."""
    before = ctx.original_current or ctx.current
    staying = (ctx.current.tables.keys() & ctx.desired.tables.keys()) | (
        ctx.current.views.keys() & ctx.desired.views.keys()
    )
    return (before.tables.keys() | before.views.keys()) - staying


def diff_routines(ctx: DiffContext) -> list[Change]:
    current, desired = ctx.current.functions, ctx.desired.functions
    recreated = recreated_functions(ctx)
    create_ranks, late = _ranks(desired), _late(desired)
    drop_ranks, early_drops = _ranks(current), _early_drops(current)
    among_views_created = routine_ranks(ctx.desired)
    among_views_dropped = routine_ranks(ctx.current)
    changes: list[Change] = []

    def create(function: Function, action: str, hazards: tuple[Hazard, ...] = ()) -> Change:
        key = function.signature
        phase = Phase.REPLACE_FUNCTION if key in late else Phase.CREATE_FUNCTION
        order = (create_ranks[key],)
        if key in among_views_created:
            phase, order = Phase.CREATE_VIEW, (among_views_created[key],)
        # Created early although its SQL body names relations: something created before
        # them needs it. The body is checked when it runs, not now (as pg_dump does).
        unchecked = function.body_relations and key not in late
        return Change(
            _kind(function), key, action, "function.create",
            {"function": function, "unchecked": unchecked}, phase, hazards, order=order,
        )  # fmt: skip

    for key in sorted(current.keys() - desired.keys() | recreated):
        function = current[key]
        order: tuple[int, ...]
        if key in among_views_dropped:
            phase, order = Phase.DROP_VIEW, (-among_views_dropped[key],)
        elif key in early_drops:
            phase, order = Phase.DROP_TRIGGER, (_EARLY_DROP_ORDER, -drop_ranks[key])
        else:
            phase, order = Phase.DROP_FUNCTION, (-drop_ranks[key],)
        changes.append(
            Change(
                _kind(function), key, "drop", "function.drop", {"function": function}, phase,
                order=order,
            )
        )  # fmt: skip
    for key in sorted(desired.keys() - current.keys() | recreated):
        function = desired[key]
        hazards = (_recreate_hazard(function),) if key in recreated else ()
        changes.append(create(function, "create", hazards))
        changes += _comment(function, None)
    for key in sorted(current.keys() & desired.keys() - recreated):
        old, new = current[key], desired[key]
        if old.definition != new.definition:
            changes.append(create(new, "alter"))
        changes += _comment(new, old.comment)
    return changes


def _kind(function: Function) -> str:
    return function.keyword.lower()


def _comment(function: Function, current: str | None) -> list[Change]:
    return comment_change(
        _kind(function),
        f"{function.keyword} {function.signature}",
        function.signature,
        current,
        function.comment,
    )


def _recreate_hazard(function: Function) -> Hazard:
    return Hazard(
        HazardKind.DEPENDENT_RECREATE,
        f"{function.signature} cannot be replaced in place (a new return type, fewer "
        "argument defaults, or a relation or type it uses is dropped or rebuilt): it is "
        "dropped and created again, with the triggers that call it",
    )


def _edges(function: Function) -> tuple[str, ...]:
    """Routines that must exist before ``function`` can be created: what pg_depend
    records, and what a SQL body calls (PostgreSQL checks SQL bodies at creation)."""
    return function.requires + (function.calls if function.language == "sql" else ())


def _ranks(functions: dict[str, Function]) -> dict[str, int]:
    """Dependency depth of each routine: 0 for routines that call none of the others.
    Calls found in any body count, so callees come first wherever a body is checked.
    Recursion (a cycle) is cut where it is found."""
    ranks: dict[str, int] = {}
    visiting: set[str] = set()

    def rank(key: str) -> int:
        if key in ranks:
            return ranks[key]
        if key in visiting:
            return 0
        visiting.add(key)
        function = functions[key]
        callees = {k for k in function.requires + function.calls if k in functions and k != key}
        result = 1 + max((rank(k) for k in callees), default=-1)
        visiting.discard(key)
        ranks[key] = result
        return result

    for key in functions:
        rank(key)
    return ranks


def _late(functions: dict[str, Function]) -> frozenset[str]:
    """Routines that can only be created after tables and views (see the module docs)."""
    needed_early = {k for k, f in functions.items() if f.needed_early}
    pending = list(needed_early)
    while pending:  # what an early routine needs at creation is needed early too
        for callee in _edges(functions[pending.pop()]):
            if callee in functions and callee not in needed_early:
                needed_early.add(callee)
                pending.append(callee)
    late = {
        k
        for k, f in functions.items()
        if f.relations or (f.body_relations and k not in needed_early)
    }
    changed = True
    while changed:  # a routine that needs a late routine is late itself
        changed = False
        for key, function in functions.items():
            if key not in late and any(callee in late for callee in _edges(function)):
                late.add(key)
                changed = True
    return frozenset(late)


def _early_drops(functions: dict[str, Function]) -> frozenset[str]:
    """Routines that depend on a relation, and the routines that depend on those: they
    must be dropped before the relations (and before the routines they depend on)."""
    early = {k for k, f in functions.items() if f.relations}
    changed = True
    while changed:
        changed = False
        for key, function in functions.items():
            if key not in early and any(callee in early for callee in function.requires):
                early.add(key)
                changed = True
    return frozenset(early)
