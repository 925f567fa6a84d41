"""Load order of the desired state: what each statement creates and references.

Schema files may be written in any order (a policy file sorted before its
table's file). pglast gives every statement's syntax tree; from it we collect
the names a statement creates and the names it references, and sort
topologically, keeping path order wherever no dependency decides.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from schemactl.errors import SchemaSourceError
from schemactl.source import object_names
from schemactl.source.dumps import is_session_setting
from schemactl.source.pglast_modules import ast
from schemactl.source.statements import Statement
from schemactl.source.syntax import NodeGroups, group, grouped, of
from schemactl.source.syntax import walk as walk  # also read from here

DEFAULT_SCHEMA = "public"

# A name key: (namespace kind, qualified name). Relations, sequences, views and
# indexes share one namespace in PostgreSQL, so they share "rel" here.
NameKey = tuple[str, str]

# Namespaces where a second definition of a name is a mistake (functions overload).
_UNIQUE_NAMESPACES = frozenset({"rel", "schema", "extension", "collation", "publication"})
# Namespaces many statements add to, and a reference waits for all of them: a
# table's unique keys ("key"), which a foreign key needs, may be added by its
# CREATE TABLE, ALTER TABLE ... ADD PRIMARY KEY / UNIQUE and CREATE UNIQUE INDEX.
_SHARED_NAMESPACES = frozenset({"key", "constraints", "triggers", "policies", "domain constraints"})
# What COMMENT ON a member of a table or domain waits for.
_MEMBER_COMMENTS = {
    "OBJECT_TABCONSTRAINT": "constraints",
    "OBJECT_TRIGGER": "triggers",
    "OBJECT_POLICY": "policies",
}
_UNIQUE_KEY_TYPES = frozenset({"CONSTR_PRIMARY", "CONSTR_UNIQUE", "CONSTR_EXCLUSION"})
# Options of CREATE AGGREGATE / OPERATOR / TYPE that name a routine, which the parser
# reads as a type name (``SFUNC = public.accumulate``).
_ROUTINE_OPTIONS = frozenset(
    {
        "sfunc", "finalfunc", "combinefunc", "serialfunc", "deserialfunc", "msfunc",
        "minvfunc", "mfinalfunc", "function", "procedure", "restrict", "join",
        "subtype_diff", "canonical", "input", "output", "receive", "send",
        "typmod_in", "typmod_out", "analyze", "subscript",
    }
)  # fmt: skip


@dataclass(frozen=True)
class StatementNames:
    """What one statement creates and what it refers to: the edges of the load order."""

    creates: frozenset[NameKey]
    references: frozenset[NameKey]


def _qualify(schema: str | None, name: str | None) -> str:
    return f"{schema or DEFAULT_SCHEMA}.{name}"


def _strings(nodes: Any) -> list[str]:
    return [str(n.sval) for n in nodes or () if isinstance(n, ast.String)]


def _qualified_from_list(names: list[str]) -> str | None:
    if len(names) == 1:
        return _qualify(None, names[0])
    if len(names) == 2:
        return _qualify(names[0], names[1])
    return None


def _references(groups: NodeGroups) -> set[NameKey]:
    refs: set[NameKey] = set()
    for relation in of(groups, ast.RangeVar):
        refs.add(("rel", _qualify(relation.schemaname, relation.relname)))
        if relation.schemaname:
            refs.add(("schema", relation.schemaname))
    for type_name in of(groups, ast.TypeName):
        names = _strings(type_name.names)
        if names and names[0] != "pg_catalog" and (name := _qualified_from_list(names)):
            refs.add(("type", name))
            refs.add(("rel", name))  # a table's row type
            if len(names) == 2:
                refs.add(("schema", names[0]))
    for option in of(groups, ast.DefElem):
        if (
            option.defname in _ROUTINE_OPTIONS
            and isinstance(option.arg, ast.TypeName)
            and (name := _qualified_from_list(_strings(option.arg.names)))
        ):
            refs.add(("func", name))
        elif option.defname == "owned_by":
            # ALTER SEQUENCE ... OWNED BY schema.table.column names the table as strings.
            parts = _strings(option.arg)[:-1]
            if name := _qualified_from_list(parts):
                refs.add(("rel", name))
    for call in of(groups, ast.FuncCall):
        names = _strings(call.funcname)
        if name := _qualified_from_list(names):
            refs.add(("func", name))
        if names and names[-1] in ("nextval", "setval", "currval") and call.args:
            first = call.args[0]
            if isinstance(first, ast.TypeCast):
                first = first.arg
            if isinstance(first, ast.A_Const) and isinstance(first.val, ast.String):
                parts = str(first.val.sval).split(".")
                if name := _qualified_from_list(parts):
                    refs.add(("rel", name))
    for trigger in of(groups, ast.CreateTrigStmt):
        if name := _qualified_from_list(_strings(trigger.funcname)):
            refs.add(("func", name))
    for routine in of(groups, ast.ObjectWithArgs):
        if name := _qualified_from_list(_strings(routine.objname)):
            refs.add(("func", name))
    return refs


def _relation_name(rel: Any) -> str:
    return _qualify(rel.schemaname, rel.relname)


def _created_relation(node: Any) -> Any:
    """The RangeVar a statement creates a relation under, if it creates one."""
    match node:
        case ast.CreateStmt():
            return node.relation
        case ast.CreateSeqStmt():
            return node.sequence
        case ast.ViewStmt():
            return node.view
        case ast.CreateTableAsStmt() if node.into is not None:
            return node.into.rel
        case ast.CompositeTypeStmt():
            return node.typevar
    return None


def _created_name_list(node: Any) -> tuple[str, Any] | None:
    """Namespace and name list of a type or routine a statement creates."""
    match node:
        case ast.CreateEnumStmt() | ast.CreateRangeStmt():
            return "type", node.typeName
        case ast.CreateDomainStmt():
            return "type", node.domainname
        case ast.CreateFunctionStmt():
            return "func", node.funcname
        case ast.DefineStmt() if object_names.defines_routine_or_type(node):
            return "func", node.defnames
    return None


def _table_members(node: Any) -> set[NameKey]:
    """Shared names a statement adds to: a table's unique keys (foreign keys wait for
    them), its constraints, triggers and policies, a domain's constraints (comments on
    them, and enabling or disabling triggers, wait for those)."""
    match node:
        case ast.IndexStmt(unique=True) if node.relation is not None:
            return {("key", _relation_name(node.relation))}
        case ast.CreateStmt() if node.relation is not None:
            return {("constraints", _relation_name(node.relation))}
        case ast.CreateTrigStmt() if node.relation is not None:
            return {("triggers", _relation_name(node.relation))}
        case ast.CreatePolicyStmt() if node.table is not None:
            return {("policies", _relation_name(node.table))}
        case ast.CreateDomainStmt() | ast.AlterDomainStmt(subtype="C"):
            names = node.domainname if isinstance(node, ast.CreateDomainStmt) else node.typeName
            name = _qualified_from_list(_strings(names))
            return {("domain constraints", name)} if name else set()
        case ast.AlterTableStmt() if node.relation is not None:
            table = _relation_name(node.relation)
            members: set[NameKey] = set()
            for command in node.cmds or ():
                constraint = getattr(command, "def_", None)
                if isinstance(constraint, ast.Constraint):
                    members.add(("constraints", table))
                    if getattr(constraint.contype, "name", "") in _UNIQUE_KEY_TYPES:
                        members.add(("key", table))
            return members
    return set()


def _creates(node: Any) -> set[NameKey]:
    return _table_members(node) | _created_objects(node)


def _created_objects(node: Any) -> set[NameKey]:
    if (rel := _created_relation(node)) is not None:
        name = _relation_name(rel)
        return {("rel", name), ("type", name)}
    if (named := _created_name_list(node)) is not None:
        namespace, parts = named
        qualified = _qualified_from_list(_strings(parts))
        if qualified is None:
            return set()
        return (
            {(namespace, qualified), ("type", qualified)}
            if namespace == "func" and isinstance(node, ast.DefineStmt)
            else {(namespace, qualified)}
        )
    match node:
        case ast.CreateSchemaStmt() if node.schemaname:
            return {("schema", node.schemaname)}
        case ast.CreateExtensionStmt() if node.extname:
            return {("extension", node.extname)}
        case ast.IndexStmt() if node.idxname and node.relation is not None:
            return {("rel", _qualify(node.relation.schemaname, node.idxname))}
    return set()


def _comment_target(node: ast.CommentStmt) -> set[NameKey]:
    """COMMENT ON names its object as a list of strings, not as a RangeVar."""
    if not isinstance(node.object, tuple):
        return set()
    names = _strings(node.object)
    kind = getattr(node.objtype, "name", "")
    if kind in (
        "OBJECT_COLUMN",
        "OBJECT_TABCONSTRAINT",
        "OBJECT_TRIGGER",
        "OBJECT_POLICY",
        "OBJECT_RULE",
    ):
        names = names[:-1]
    if kind == "OBJECT_SCHEMA":
        return {("schema", names[0])} if names else set()
    name = _qualified_from_list(names)
    return {("rel", name), ("type", name)} if name else set()


def _commented_member(node: ast.CommentStmt) -> set[NameKey]:
    """COMMENT ON a constraint, trigger or policy waits for its table's (or domain's)."""
    if not isinstance(node.object, tuple) or not node.object:
        return set()
    kind = getattr(node.objtype, "name", "")
    if kind == "OBJECT_DOMCONSTRAINT" and isinstance(node.object[0], ast.TypeName):
        domain = _qualified_from_list(_strings(node.object[0].names))
        return {("domain constraints", domain)} if domain else set()
    if kind in _MEMBER_COMMENTS and (table := _qualified_from_list(_strings(node.object)[:-1])):
        return {(_MEMBER_COMMENTS[kind], table)}
    return set()


def _member_references(node: Any, groups: NodeGroups) -> set[NameKey]:
    """The table members a statement waits for: a foreign key, for the unique keys of the
    table it references; ALTER TABLE ... ENABLE / DISABLE TRIGGER, for the triggers."""
    refs: set[NameKey] = set()
    if isinstance(node, ast.CommentStmt):
        refs |= _commented_member(node)
    for constraint in of(groups, ast.Constraint):
        if constraint.pktable is not None:
            refs.add(("key", _relation_name(constraint.pktable)))
    if isinstance(node, ast.AlterTableStmt) and node.relation is not None:
        for command in node.cmds or ():
            if getattr(getattr(command, "subtype", None), "name", "").endswith("Trig"):
                refs.add(("triggers", _relation_name(node.relation)))
    return refs


def names_of(statement: Statement) -> StatementNames:
    """What a statement creates and references, table members included (the load order
    needs them; external names do not)."""
    names = statement.names
    members = _member_references(statement.node, statement.node_groups) - names.creates
    return StatementNames(names.creates, names.references | members)


def names_in(node: Any, groups: NodeGroups | None = None) -> StatementNames:
    """The names a statement's syntax tree creates and those it references (``groups``:
    every node below it, when already walked)."""
    if groups is None:
        groups = group(node)
    creates = _creates(node) | object_names.creates(node)
    references = _references(groups) | object_names.references(node, groups)
    if isinstance(node, ast.CommentStmt):
        references |= _comment_target(node)
    references -= creates
    return StatementNames(frozenset(creates), frozenset(references))


def references_among(nodes: Iterable[Any]) -> set[NameKey]:
    """The names these syntax nodes use (walked already: a routine body's, say)."""
    return _references(grouped(nodes))


def load_phase(statement: Statement) -> int:
    """Tie-break when no dependency decides: settings, schemas, extensions first. The
    load order is path order where every file's statements keep to these phases and
    need only what comes before them (devdb.early_load relies on it)."""
    if is_session_setting(statement.node):
        return 0
    match statement.node:
        case ast.CreateSchemaStmt():
            return 1
        case ast.CreateExtensionStmt():
            return 2
        case ast.AlterDefaultPrivilegesStmt():
            return 3
    return 4


def _view_completions(statements: list[Statement], names: list[StatementNames]) -> dict[int, int]:
    """Later definitions of a view -> the definition each one follows.

    pg_dump breaks a dependency loop through a view by creating it first as a
    placeholder (``CREATE VIEW v AS SELECT NULL::integer AS id``) and completing it
    further down with ``CREATE OR REPLACE VIEW v AS <its query>``. That is one view
    whose last definition wins: the definitions run in file order, the one without
    OR REPLACE first. Two plain ``CREATE VIEW`` of one name stay an error."""
    views: dict[NameKey, list[int]] = {}
    for i, statement in enumerate(statements):
        if isinstance(statement.node, ast.ViewStmt):
            for key in names[i].creates:
                if key[0] == "rel":
                    views.setdefault(key, []).append(i)
    completes: dict[int, int] = {}
    for definitions in views.values():
        plain = [i for i in definitions if not statements[i].node.replace]
        if len(definitions) < 2 or len(plain) > 1:
            continue
        chain = plain + [i for i in definitions if i not in plain]
        completes.update(zip(chain[1:], chain[:-1], strict=True))
    return completes


def _default_privileges_order(statements: list[Statement], i: int, adps: list[int]) -> set[int]:
    """What statement ``i`` waits for among ALTER DEFAULT PRIVILEGES (``adps``), and they
    for it. Default privileges are in force before anything is created, wherever they are
    stated, except in pg_dump output: it writes them last, meant for objects created
    later, and the grants it wrote on the objects above them are complete already."""
    if not adps:
        return set()
    statement = statements[i]
    if isinstance(statement.node, ast.AlterDefaultPrivilegesStmt):
        if not statement.from_pg_dump:
            return set()
        return {
            j
            for j in range(i)
            if statements[j].path == statement.path and load_phase(statements[j]) > 3
        }
    if load_phase(statement) <= 3:
        return set()
    return {
        j
        for j in adps
        if not (statements[j].from_pg_dump and statements[j].path == statement.path and i < j)
    }


def load_order(statements: list[Statement]) -> list[Statement]:
    """Sort statements so every object is created before what references it.

    Duplicate definitions of one object are an error naming both places, except a
    view completed by ``CREATE OR REPLACE VIEW`` (see :func:`_view_completions`).
    """
    names = [names_of(s) for s in statements]
    completes = _view_completions(statements, names)
    creator: dict[NameKey, int] = {}
    shared: dict[NameKey, list[int]] = {}
    for i, statement_names in enumerate(names):
        if i in completes:
            continue  # it defines again a view defined before: it waits for that one
        for key in sorted(statement_names.creates):
            if key[0] in _SHARED_NAMESPACES:
                shared.setdefault(key, []).append(i)
                continue
            if key in creator and key[0] in _UNIQUE_NAMESPACES:
                first = statements[creator[key]]
                raise SchemaSourceError(
                    statements[i].location(),
                    f"{key[1]} is defined twice: also at {first.location()}",
                )
            creator.setdefault(key, i)

    phases = [load_phase(s) for s in statements]
    extensions = [i for i, phase in enumerate(phases) if phase <= 2]
    default_privileges = [
        i for i, s in enumerate(statements) if isinstance(s.node, ast.AlterDefaultPrivilegesStmt)
    ]
    dependents: list[set[int]] = [set() for _ in statements]
    waiting_on = [0] * len(statements)
    for i, statement_names in enumerate(names):
        needs = {creator[key] for key in statement_names.references if key in creator}
        for key in statement_names.references & shared.keys():
            needs.update(shared[key])
        if i in completes:
            needs.add(completes[i])
        if phases[i] > 2:
            needs.update(extensions)
        needs.update(_default_privileges_order(statements, i, default_privileges))
        needs.discard(i)
        for j in needs:
            if i not in dependents[j]:
                dependents[j].add(i)
                waiting_on[i] += 1

    ready = [(phases[i], i) for i in range(len(statements)) if waiting_on[i] == 0]
    heapq.heapify(ready)
    ordered: list[Statement] = []
    while ready:
        _, i = heapq.heappop(ready)
        ordered.append(statements[i])
        for j in dependents[i]:
            waiting_on[j] -= 1
            if waiting_on[j] == 0:
                heapq.heappush(ready, (phases[j], j))
    if len(ordered) < len(statements):
        # A reference cycle (mutual foreign keys written inline, say): fall back to
        # path order for what remains and let PostgreSQL name the problem.
        placed = {id(s) for s in ordered}
        ordered.extend(s for s in statements if id(s) not in placed)
    return ordered
