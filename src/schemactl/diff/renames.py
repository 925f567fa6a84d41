"""Renames: pairing an object of the target with the desired object it becomes.

A rename is only ever declared (``-- @renamed from=old`` beside the definition, or
``[renamed_from]`` in schemactl.toml): the diff never guesses one, because a wrong
guess would keep data that was meant to go. It does notice drops and adds of the
same kind and shape in one table, and asks "did you rename X to Y?".

The pipeline applies the declared renames backwards in the dev database (new names
to old), so that PostgreSQL itself rewrites every definition that uses the renamed
object (views, indexes, constraints, policies, defaults). The desired state read
back then has the target's names, and the ordinary diff plans what else changes.
The migration runs that plan, then the renames forwards; the rollback renames back
first, then undoes the rest. A hint whose old name the target does not have (it ran
already, or never existed) changes nothing, so it may stay in the file.

Names PostgreSQL generated from the renamed table or column (``users_pkey``,
``users_id_seq``, ``users_email_idx``, ``users_fullname_check``) do not follow a
rename, yet a fresh load of the schema generates them from the new name. On the
tables a declared rename touched, constraints, indexes and owned sequences of the
same definition are therefore paired as well ("implied" renames).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from schemactl.catalog.model import Catalog, Column, Constraint, Index, Table
from schemactl.catalog.model import Sequence as SequenceObject
from schemactl.diff.changes import AttributeChange, Change, Hazard, HazardKind, Phase, Subject
from schemactl.identifiers import quote_ident
from schemactl.source.hints import TABLE_PARTS, RenameHint

# What each kind of object is renamed with.
RELATION_KEYWORDS = {"table": "TABLE", "index": "INDEX", "sequence": "SEQUENCE"}
VIEW_KEYWORDS = {"m": "MATERIALIZED VIEW", "": "VIEW"}
TYPE_KEYWORDS = {"d": "DOMAIN", "": "TYPE"}
DECLARE = {
    "column": 'on the line of column {new}: "-- @renamed from={old}"',
    "table": 'on the line of CREATE TABLE {new}: "-- @renamed from={old}"',
    "index": 'on the line of CREATE INDEX {new}: "-- @renamed from={old}"',
    "constraint": 'on the line of constraint {new}: "-- @renamed from={old}"',
}


@dataclass(frozen=True)
class Rename:
    """``ALTER ... RENAME`` of one object, in the state of the database where it runs."""

    kind: str  # table, column, constraint, index, view, sequence, type, function
    keyword: str  # TABLE, VIEW, MATERIALIZED VIEW, INDEX, SEQUENCE, TYPE, DOMAIN, FUNCTION, ...
    schema: str
    old: str
    new: str
    table: str | None = None  # columns, constraints: the table's name where this runs
    # Columns, constraints, indexes: the table's name in the desired state (for reviewers).
    final_table: str | None = None
    arguments: str | None = None  # routines: identity arguments
    implied: bool = False  # a generated name following a declared rename

    def inverse(self) -> Rename:
        return dataclasses.replace(self, old=self.new, new=self.old)

    def _qualified(self, name: str) -> str:
        return f"{quote_ident(self.schema)}.{quote_ident(name)}"

    @property
    def label(self) -> str:
        """``public.users.fullname``: the old name as people read it."""
        return ".".join(p for p in (self.schema, self.table, self.old) if p)

    def change(self) -> Change:
        """The rename as a migration step."""
        if self.kind in ("column", "constraint"):
            table = self._qualified(self.table or "")
            final = self._qualified(self.final_table or self.table or "")
            operation = f"rename.{self.kind}"
            params: dict[str, object] = {"table": table, "old": self.old, "new": self.new}
            subject = Subject("table", final, self.kind, quote_ident(self.new))
            name = f"{final}.{quote_ident(self.new)}"
        elif self.kind == "function":
            operation = "rename.routine"
            params = {
                "keyword": self.keyword,
                "ident": self._qualified(self.old),
                "arguments": self.arguments or "",
                "new": self.new,
            }
            name = self._qualified(self.new)
            subject = Subject(self.keyword.lower(), f"{name}({self.arguments or ''})")
        else:
            operation = "rename.relation"
            params = {"keyword": self.keyword, "ident": self._qualified(self.old), "new": self.new}
            name = self._qualified(self.new)
            subject = Subject(self.keyword.lower(), name)
            if self.kind == "index" and self.final_table:
                table = self._qualified(self.final_table)
                subject = Subject("table", table, "index", quote_ident(self.new))
        return Change(
            self.kind, name, "alter", operation, params, Phase.COMMENT,
            rename_hazards(self.kind, self.label),
            subject=subject, attributes=(AttributeChange("name", self.old, self.new),),
        )  # fmt: skip


def rename_hazards(kind: str, old: str) -> tuple[Hazard, ...]:
    """Brief, but the old name is gone: code that names it breaks (indexes and
    constraints are rarely named by queries)."""
    reason = "renaming takes an ACCESS EXCLUSIVE lock (brief, metadata only)"
    if kind not in ("index", "constraint"):
        reason += f"; queries that name {kind} {old} fail from then on"
    return (Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK, reason),)


# -- declared renames ---------------------------------------------------------------------


class Named(Protocol):
    @property
    def schema(self) -> str: ...

    @property
    def name(self) -> str: ...


N = TypeVar("N", bound=Named)
T = TypeVar("T")
TableMember = TypeVar("TableMember", Constraint, Index)


def _by_name(objects: Mapping[str, N], schema: str, name: str) -> N | None:
    return next((o for o in objects.values() if o.schema == schema and o.name == name), None)


def pair_hints(
    hints: Sequence[RenameHint], current: Catalog, desired: Catalog
) -> tuple[list[Rename], list[str]]:
    """The declared renames the target needs, as they run in the dev database (from the
    new name back to the old), columns and constraints before their tables; and notes
    about hints that cannot apply although their old name exists."""
    parts: list[Rename] = []
    wholes: list[Rename] = []
    notes: list[str] = []
    for hint in _unique(h for h in hints if h.kind not in TABLE_PARTS):
        rename, note = _pair_whole(hint, current, desired)
        wholes += [rename] if rename else []
        notes += [note] if note else []
    renamed_tables = {(r.schema, r.old): r.new for r in wholes if r.kind == "table"}
    for hint in _unique(h for h in hints if h.kind in TABLE_PARTS):
        rename, note = _pair_part(hint, current, desired, renamed_tables)
        parts += [rename] if rename else []
        notes += [note] if note else []
    return [*parts, *wholes], notes


def _unique(hints: Iterable[RenameHint]) -> list[RenameHint]:
    seen: dict[tuple[str, str, str | None, str], RenameHint] = {}
    for hint in hints:
        seen.setdefault((hint.kind, hint.schema, hint.table, hint.name), hint)
    return list(seen.values())


def _both_exist(hint: RenameHint) -> str:
    return (
        f"rename hint {hint.origin}: the target has both {hint.kind} {hint.old} and "
        f"{hint.qualified}; nothing is renamed"
    )


def _pair_whole(
    hint: RenameHint, current: Catalog, desired: Catalog
) -> tuple[Rename | None, str | None]:
    """A table, index, sequence, view or type: the target has the old name, the desired
    state the new one (and not the old). Anything else leaves the hint without effect."""
    if hint.kind == "function":
        return _pair_routines(hint, current, desired)
    collections: dict[str, tuple[Mapping[str, Named], Mapping[str, Named]]] = {
        "table": (current.tables, desired.tables),
        "index": (current.indexes, desired.indexes),
        "sequence": (current.sequences, desired.sequences),
        "view": (current.views, desired.views),
        "type": (current.types, desired.types),
    }
    mine, wanted = collections[hint.kind]
    was, will = _by_name(mine, hint.schema, hint.old), _by_name(wanted, hint.schema, hint.name)
    if was is None or will is None or _by_name(wanted, hint.schema, hint.old) is not None:
        return None, None  # ran already, or nothing to rename: the hint may stay
    if _by_name(mine, hint.schema, hint.name) is not None:
        return None, _both_exist(hint)
    keyword = RELATION_KEYWORDS.get(hint.kind, "")
    kind = getattr(will, "kind", None)
    if hint.kind in ("view", "type"):
        if getattr(was, "kind", None) != kind:
            return None, None  # a view became a materialized view: not a rename
        keywords = VIEW_KEYWORDS if hint.kind == "view" else TYPE_KEYWORDS
        keyword = keywords.get(str(kind), keywords[""])
    table = None
    if isinstance(will, Index):
        table = next((t.name for t in desired.tables.values() if t.ident == will.table), None)
    return Rename(
        hint.kind, keyword, hint.schema, old=hint.name, new=hint.old, final_table=table
    ), None


def _pair_routines(
    hint: RenameHint, current: Catalog, desired: Catalog
) -> tuple[Rename | None, str | None]:
    """A routine keeps its arguments when it is renamed: the first overload of the new
    name whose arguments the old name has (in the target only) pairs with it."""

    def has(catalog: Catalog, name: str, arguments: str) -> bool:
        return any(
            f.schema == hint.schema and f.name == name and f.arguments == arguments
            for f in catalog.functions.values()
        )

    for routine in desired.functions.values():
        if routine.schema != hint.schema or routine.name != hint.name:
            continue
        arguments = routine.arguments
        if not has(current, hint.old, arguments) or has(desired, hint.old, arguments):
            continue
        if has(current, hint.name, arguments):
            return None, _both_exist(hint)
        rename = Rename(
            "function", routine.keyword, hint.schema, old=hint.name, new=hint.old,
            arguments=arguments,
        )  # fmt: skip
        return rename, None
    return None, None


def _pair_part(
    hint: RenameHint,
    current: Catalog,
    desired: Catalog,
    renamed_tables: Mapping[tuple[str, str], str],
) -> tuple[Rename | None, str | None]:
    """A column or constraint; its table may be renamed by another hint
    (``renamed_tables``: new table name -> old)."""
    table_new = hint.table or ""
    table_old = renamed_tables.get((hint.schema, table_new), table_new)
    was_table = _by_name(current.tables, hint.schema, table_old)
    will_table = _by_name(desired.tables, hint.schema, table_new)
    if was_table is None or will_table is None:
        return None, None

    def has(catalog: Catalog, table: Table, name: str) -> bool:
        if hint.kind == "column":
            return table.column(name) is not None
        return any(c.table == table.ident and c.name == name for c in catalog.constraints.values())

    if not has(current, was_table, hint.old) or not has(desired, will_table, hint.name):
        return None, None
    if has(desired, will_table, hint.old):
        return None, None
    if has(current, was_table, hint.name):
        return None, _both_exist(hint)
    rename = Rename(
        hint.kind, "", hint.schema, old=hint.name, new=hint.old, table=table_new,
        final_table=table_new,
    )  # fmt: skip
    return rename, None


# -- names generated from renamed objects ------------------------------------------------


def implied_renames(declared: Sequence[Rename], current: Catalog, desired: Catalog) -> list[Rename]:
    """On the tables declared renames touched, constraints, indexes and owned sequences
    that differ from the target's only by name: PostgreSQL generated the name from the
    table or column, and a fresh load generates it from the new one. ``desired`` is the
    dev database after the declared renames ran backwards (the target's names); the
    renames returned run there too, new name to old."""
    final_names = {(r.schema, r.new): r.old for r in declared if r.kind == "table"}
    touched = {(r.schema, r.new) for r in declared if r.kind == "table"}
    for rename in declared:
        if rename.kind == "column":
            old_table = next(
                (old for (s, old), new in final_names.items()
                 if s == rename.schema and new == rename.table),
                rename.table or "",
            )  # fmt: skip
            touched.add((rename.schema, old_table))
    renames: list[Rename] = []
    for schema, name in sorted(touched):
        table = _by_name(current.tables, schema, name)
        if table is None or _by_name(desired.tables, schema, name) is None:
            continue
        final = final_names.get((schema, name), name)
        renames += _same_constraints(current, desired, table, final)
        renames += _same_indexes(current, desired, table, final)
        renames += _same_sequences(current, desired, table)
    return renames


def _unmatched(
    mine: Mapping[str, T], theirs: Mapping[str, T], keep: Callable[[T], bool]
) -> list[T]:
    return [o for key, o in mine.items() if key not in theirs and keep(o)]


def _unmatched_by_table(
    mine: Mapping[str, TableMember], theirs: Mapping[str, TableMember]
) -> dict[str, list[TableMember]]:
    """What only ``mine`` has, grouped by table, in ``mine``'s order."""
    grouped: dict[str, list[TableMember]] = {}
    for key, member in mine.items():
        if key not in theirs:
            grouped.setdefault(member.table, []).append(member)
    return grouped


def _one_to_one(was: list[T], will: list[T], shape: Callable[[T], Hashable]) -> list[tuple[T, T]]:
    """Pairs of the same shape, where exactly one on each side has it."""
    pairs = []
    for old in was:
        same = [new for new in will if shape(new) == shape(old)]
        twins = [o for o in was if shape(o) == shape(old)]
        if len(same) == 1 and len(twins) == 1:
            pairs.append((old, same[0]))
    return pairs


def constraint_shape(constraint: Constraint) -> Hashable:
    return constraint.table, constraint.type, constraint.definition


def index_shape(index: Index) -> Hashable:
    """An index's definition without its own name."""
    own_name = f"INDEX {quote_ident(index.name)} ON "
    return index.table, index.definition.replace(own_name, "INDEX ? ON ", 1)


def _same_constraints(current: Catalog, desired: Catalog, table: Table, final: str) -> list[Rename]:
    def on_table(c: Constraint) -> bool:
        return c.table == table.ident

    pairs = _one_to_one(
        _unmatched(current.constraints, desired.constraints, on_table),
        _unmatched(desired.constraints, current.constraints, on_table),
        constraint_shape,
    )
    return [
        Rename("constraint", "", table.schema, old=new.name, new=old.name, table=table.name,
               final_table=final, implied=True)
        for old, new in pairs
    ]  # fmt: skip


def _same_indexes(current: Catalog, desired: Catalog, table: Table, final: str) -> list[Rename]:
    def on_table(i: Index) -> bool:
        return i.table == table.ident

    pairs = _one_to_one(
        _unmatched(current.indexes, desired.indexes, on_table),
        _unmatched(desired.indexes, current.indexes, on_table),
        index_shape,
    )
    return [
        Rename(
            "index",
            "INDEX",
            old.schema,
            old=new.name,
            new=old.name,
            final_table=final,
            implied=True,
        )
        for old, new in pairs
    ]


def _same_sequences(current: Catalog, desired: Catalog, table: Table) -> list[Rename]:
    def owned(s: SequenceObject) -> bool:
        return s.owned_by_table == table.ident

    pairs = _one_to_one(
        _unmatched(current.sequences, desired.sequences, owned),
        _unmatched(desired.sequences, current.sequences, owned),
        lambda s: s.owned_by,
    )
    return [
        Rename("sequence", "SEQUENCE", old.schema, old=new.name, new=old.name, implied=True)
        for old, new in pairs
    ]


# -- "did you rename?" -------------------------------------------------------------------


def column_shape(column: Column) -> Hashable:
    return column.type, column.collation, column.identity, column.generated


def table_shape(table: Table) -> Hashable:
    return table.schema, tuple(sorted((c.name, c.type) for c in table.columns))


def rename_suggestions(current: Catalog, desired: Catalog) -> list[str]:
    """Drops and adds of the same kind and shape (in one table, or whole tables), asked
    as questions among the plan's warnings."""
    questions: list[str] = []
    # What only one side has, by table, read once (not once per table).
    gone_constraints = _unmatched_by_table(current.constraints, desired.constraints)
    added_constraints = _unmatched_by_table(desired.constraints, current.constraints)
    gone_indexes = _unmatched_by_table(current.indexes, desired.indexes)
    added_indexes = _unmatched_by_table(desired.indexes, current.indexes)
    for key in sorted(current.tables.keys() & desired.tables.keys()):
        was, will = current.tables[key], desired.tables[key]
        gone, added = _unmatched_columns(was, will)
        for old_column, new_column in _one_to_one(gone, added, column_shape):
            questions.append(_question("column", was, old_column.name, new_column.name))
        for old_c, new_c in _one_to_one(
            gone_constraints.get(key, []), added_constraints.get(key, []), constraint_shape
        ):
            questions.append(_question("constraint", was, old_c.name, new_c.name))
        for old_i, new_i in _one_to_one(
            gone_indexes.get(key, []), added_indexes.get(key, []), index_shape
        ):
            questions.append(_question("index", was, old_i.name, new_i.name))
    dropped = [t for k, t in current.tables.items() if k not in desired.tables]
    created = [t for k, t in desired.tables.items() if k not in current.tables]
    for old_table, new_table in _one_to_one(dropped, created, table_shape):
        questions.append(_question("table", old_table, old_table.name, new_table.name))
    return questions


def _unmatched_columns(was: Table, will: Table) -> tuple[list[Column], list[Column]]:
    """The columns only one side has by name, each in its table's order. Most tables
    have the same names on both sides: two sets tell, without a lookup per column."""
    before, after = {c.name for c in was.columns}, {c.name for c in will.columns}
    if before == after:
        return [], []
    return (
        [c for c in was.columns if c.name not in after],
        [c for c in will.columns if c.name not in before],
    )


def _question(kind: str, table: Table, old: str, new: str) -> str:
    """``did you rename column public.users.fullname to full_name? ...``"""
    parent = f"{table.schema}.{table.name}." if kind in TABLE_PARTS else f"{table.schema}."
    key = f"{parent}{new}"
    lost = " with its data" if kind in ("column", "table") else ""
    return (
        f"did you rename {kind} {parent}{old} to {new}? As planned, {old} is dropped{lost} "
        f"and {new} created; to rename it instead, declare it "
        f"{DECLARE[kind].format(new=new, old=old)} "
        f'(or in schemactl.toml: [renamed_from.{kind}] "{key}" = "{old}")'
    )
