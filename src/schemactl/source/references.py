"""What the schema names but does not define, in schemas schemactl does not manage.

A schema may use objects that belong to someone else: Supabase's ``auth.users``
in a foreign key, ``auth.uid()`` in a policy, a table in a schema left out with
``--exclude-schema``. The dev database needs them before the schema loads; these
are the names to ask the target for. They come from the statements' syntax trees
(qualified names, function calls in defaults, checks and policies) and from
routine bodies, parsed the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from schemactl.source.bodies import body_nodes
from schemactl.source.calls import is_declared_call
from schemactl.source.order import NameKey, names_in, references_among
from schemactl.source.pglast_modules import ast
from schemactl.source.syntax import groups_of


class ParsedStatement(Protocol):
    """A schema file's statement or a migration script's: its text and syntax tree."""

    @property
    def sql(self) -> str: ...

    @property
    def node(self) -> Any: ...


@dataclass(frozen=True, order=True)
class ExternalName:
    """An object the schema names in a schema it does not manage.

    ``kind`` is ``rel`` (table, view, sequence), ``type``, ``func`` (any overload)
    or ``schema`` (then ``name`` is empty). Names are as written, unquoted."""

    kind: str
    schema: str
    name: str = ""

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}" if self.name else self.schema


def _extension_schema(node: Any) -> set[NameKey]:
    """``CREATE EXTENSION ... WITH SCHEMA s`` needs ``s``: it is not a qualified name."""
    if not isinstance(node, ast.CreateExtensionStmt):
        return set()
    return {
        ("schema", str(option.arg.sval))
        for option in node.options or ()
        if isinstance(option, ast.DefElem)
        and option.defname == "schema"
        and isinstance(option.arg, ast.String)
    }


def _statement_references(statement: ParsedStatement) -> tuple[set[NameKey], set[NameKey]]:
    """(created, referenced) name keys of one statement, routine bodies included."""
    names = getattr(statement, "names", None) or names_in(statement.node, groups_of(statement))
    created, referenced = set(names.creates), set(names.references)
    # Every node of a routine's body: each one's references are its own, whatever it sits in.
    referenced |= references_among(body_nodes(statement.node, statement.sql))
    referenced |= _extension_schema(statement.node)
    return created, referenced


def _split(key: NameKey) -> ExternalName:
    kind, qualified = key
    if kind == "schema":
        return ExternalName("schema", qualified)
    schema, _, name = qualified.partition(".")
    return ExternalName(kind, schema, name)


def unresolved_names(statements: Iterable[ParsedStatement]) -> frozenset[ExternalName]:
    """Names the statements use and do not create, in whichever schema."""
    created: set[NameKey] = set()
    referenced: set[NameKey] = set()
    for statement in statements:
        if is_declared_call(statement.node):
            continue  # read as a declaration, never loaded: the dev database needs nothing
        made, used = _statement_references(statement)
        created |= made
        referenced |= used
    return frozenset(_split(key) for key in referenced - created)


def external_names(
    statements: Iterable[ParsedStatement], is_external: Callable[[str], bool]
) -> frozenset[ExternalName]:
    """Names the statements use, do not create, and that live in schemas for which
    ``is_external`` holds."""
    return frozenset(n for n in unresolved_names(statements) if is_external(n.schema))


def _target_relation(node: Any) -> tuple[str, Any] | None:
    """What a statement defines on a relation it does not create, and that relation."""
    match node:
        case ast.CreateTrigStmt():
            return f"trigger {node.trigname}", node.relation
        case ast.CreatePolicyStmt():
            return f"policy {node.policy_name}", node.table
        case ast.IndexStmt() if node.relation is not None:
            return f"index {node.idxname or '(unnamed)'}", node.relation
        case ast.RuleStmt():
            return f"rule {node.rulename}", node.relation
        case ast.AlterTableStmt():
            return "ALTER TABLE", node.relation
    return None


@dataclass(frozen=True)
class DefinedOn:
    """Something a statement defines on a relation it does not create."""

    what: str  # "trigger audit_users", "ALTER TABLE"
    schema: str
    relation: str
    where: str  # " (file:line)", or ""

    def __str__(self) -> str:
        return f"{self.what} on {self.schema}.{self.relation}{self.where}"


def definitions_on_relations(statements: Iterable[Any]) -> tuple[DefinedOn, ...]:
    """What the statements define on schema-qualified relations they do not create."""
    found = []
    for statement in statements:
        target = _target_relation(statement.node)
        if target is None:
            continue
        what, relation = target
        if relation is not None and relation.schemaname:
            where = f" ({statement.location()})" if hasattr(statement, "location") else ""
            found.append(DefinedOn(what, relation.schemaname, relation.relname, where))
    return tuple(found)


def defined_on_external(statements: Iterable[Any], is_external: Callable[[str], bool]) -> list[str]:
    """Statements that define something on a table in a schema schemactl does not
    manage (a trigger on ``auth.users``): the dev database has them, no plan does."""
    return [str(d) for d in definitions_on_relations(statements) if is_external(d.schema)]
