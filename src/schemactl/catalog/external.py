"""The target's objects that the schema uses but schemactl does not manage.

A schema may reference objects in schemas out of scope: Supabase's ``auth.users``
in a foreign key, ``auth.uid()`` in a policy. The dev database must have them
before the schema loads. They are read here from the target through the same
introspection as everything else, and only as far as needed: the objects named,
and what those need to exist (a table's column types, keys and the tables its
foreign keys point to, the sequences its defaults draw from; a routine's argument
and result types and the routines it calls; a view's relations). Objects an
extension owns are not copied: the extension is. The result is a catalog that the
dev database creates from nothing with the plan's own templates, and that is never
compared with anything.

Privileges, owners, policies and triggers of external objects are left out: the
schema cannot depend on them to load, and they are not schemactl's to reproduce.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection
from dataclasses import dataclass, field

import psycopg

from schemactl.catalog.introspect import introspect
from schemactl.catalog.model import (
    OWNER,
    PUBLIC,
    Catalog,
    Constraint,
    DefaultPrivileges,
    Extension,
    Grant,
    Index,
    ObjectPrivileges,
    Table,
)
from schemactl.catalog.sqlfiles import rows
from schemactl.config import Scope
from schemactl.identifiers import unquote
from schemactl.profiles import Profile
from schemactl.source.references import ExternalName

# A schema-qualified name as PostgreSQL prints it (quoted where needed).
_IDENT = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'
_QUALIFIED = re.compile(rf"({_IDENT})\.({_IDENT})")
_NEXTVAL = re.compile(r"nextval\('((?:[^']|'')+)'::regclass\)")
KEY_CONSTRAINTS = frozenset({"p", "u", "f"})


def split_qualified(ident: str) -> tuple[str, str] | None:
    """``"my schema".t`` -> ``("my schema", "t")``; a signature's arguments are ignored."""
    match = _QUALIFIED.match(ident)
    if match is None:
        return None
    return unquote(match[1]), unquote(match[2])


@dataclass
class _Selection:
    """The objects of schemas schemactl does not manage that the schema refers to, by kind,
    gathered before they are read."""

    schemas: set[str] = field(default_factory=set)  # raw names
    tables: set[str] = field(default_factory=set)
    constraints: set[str] = field(default_factory=set)
    indexes: set[str] = field(default_factory=set)
    sequences: set[str] = field(default_factory=set)
    views: set[str] = field(default_factory=set)
    types: set[str] = field(default_factory=set)
    functions: set[str] = field(default_factory=set)
    members: set[tuple[str, str]] = field(default_factory=set)  # perhaps an extension's


class _Closure:
    """Walks from the named objects to everything they need, reading each external
    schema from the target the first time something in it is needed."""

    def __init__(self, conn: psycopg.Connection, scope: Scope) -> None:
        self.conn = conn
        self.scope = scope
        self.full = Catalog(server_version="")
        self.loaded: set[str] = set()
        self.picked = _Selection()
        self.constraints_of: dict[str, list[Constraint]] = {}

    # Reading the target, one batch of schemas at a time.

    def load(self, schemas: Collection[str]) -> None:
        wanted = sorted(s for s in set(schemas) - self.loaded if self.scope.is_external(s))
        if not wanted:
            return
        self.loaded.update(wanted)
        part = introspect(self.conn, Scope(include=tuple(wanted)))
        for kind in (f.name for f in dataclasses.fields(Catalog)):
            if isinstance(getattr(part, kind), dict):
                getattr(self.full, kind).update(getattr(part, kind))
        self.full = dataclasses.replace(self.full, server_version=part.server_version)
        self.constraints_of = {}
        for constraint in self.full.constraints.values():
            self.constraints_of.setdefault(constraint.table, []).append(constraint)

    def external(self, ident: str) -> tuple[str, str] | None:
        """Schema and name of an ident in an external schema (read by now), else None."""
        parts = split_qualified(ident)
        if parts is None or not self.scope.is_external(parts[0]):
            return None
        self.load([parts[0]])
        return parts

    # Following references.

    def name(self, name: ExternalName) -> None:
        self.load([name.schema])
        self.picked.schemas.add(name.schema)
        if name.kind == "schema":
            return
        found = False
        if name.kind in ("rel", "type"):
            for catalog_dict, add in (
                (self.full.tables, self.table),
                (self.full.views, self.view),
                (self.full.sequences, self.sequence),
                (self.full.types, self.type),
            ):
                for ident, obj in catalog_dict.items():
                    if (obj.schema, obj.name) == (name.schema, name.name):
                        add(ident)
                        found = True
        elif name.kind == "func":
            for signature, function in self.full.functions.items():
                if (function.schema, function.name) == (name.schema, name.name):
                    self.function(signature)
                    found = True
        if not found:
            self.picked.members.add((name.schema, name.name))

    def relation(self, ident: str) -> None:
        parts = self.external(ident)
        if parts is None:
            return
        for catalog_dict, add in (
            (self.full.tables, self.table),
            (self.full.views, self.view),
            (self.full.sequences, self.sequence),
            (self.full.types, self.type),
        ):
            if ident in catalog_dict:
                add(ident)
                return
        self.picked.members.add(parts)

    def types_in(self, text: str | None) -> None:
        """Types named in printed text: a column's type, a routine's arguments."""
        for match in _QUALIFIED.finditer(text or ""):
            self.relation(match[0])

    def table(self, ident: str) -> None:
        if ident in self.picked.tables:
            return
        table = self.full.tables[ident]
        self.picked.tables.add(ident)
        self.picked.schemas.add(table.schema)
        for column in (*table.columns, *table.column_overrides):
            self.types_in(column.type)
            for signature in column.default_calls:
                self.routine(signature)
            for sequence in _NEXTVAL.findall(column.default or ""):
                self.relation(sequence.replace("''", "'"))
        for parent in (table.partition_of, *table.inherits):
            if parent:
                self.relation(parent)
        for constraint in self.constraints_of.get(ident, ()):
            if constraint.type not in KEY_CONSTRAINTS:
                continue
            if constraint.references is not None:
                if self.external(constraint.references) is None:
                    continue  # points into the managed schema: the schema's to make
                self.relation(constraint.references)
            self.picked.constraints.add(constraint.key)
        for key, index in self.full.indexes.items():
            if index.table == ident and _may_back_a_key(index):
                self.picked.indexes.add(key)
        for key, sequence in self.full.sequences.items():
            if sequence.owned_by_table == ident:
                self.sequence(key)

    def view(self, ident: str) -> None:
        if ident in self.picked.views:
            return
        view = self.full.views[ident]
        self.picked.views.add(ident)
        self.picked.schemas.add(view.schema)
        for relation in (*view.relations, *view.types):
            self.relation(relation)
        for signature in view.functions:
            self.routine(signature)

    def sequence(self, ident: str) -> None:
        self.picked.sequences.add(ident)
        self.picked.schemas.add(self.full.sequences[ident].schema)

    def type(self, ident: str) -> None:
        if ident in self.picked.types:
            return
        user_type = self.full.types[ident]
        self.picked.types.add(ident)
        self.picked.schemas.add(user_type.schema)
        for used in user_type.depends_on:
            self.relation(used)
        self.types_in(user_type.base_type)
        for attribute in user_type.attributes:
            self.types_in(attribute.type)

    def routine(self, signature: str) -> None:
        parts = self.external(signature)
        if parts is None:
            return
        if signature not in self.full.functions:
            self.picked.members.add(parts)
            return
        self.function(signature)

    def function(self, signature: str) -> None:
        if signature in self.picked.functions:
            return
        function = self.full.functions[signature]
        self.picked.functions.add(signature)
        self.picked.schemas.add(function.schema)
        for other in (*function.requires, *function.calls):
            self.routine(other)
        for relation in function.relations:
            self.relation(relation)
        self.types_in(function.arguments)
        self.types_in(function.result)

    # The result.

    def extensions(self, skip: Collection[str]) -> dict[str, Extension]:
        """Extensions owning what was named but is no object of its own here."""
        members = sorted(self.picked.members)
        if not members:
            return {}
        params = {"schemas": [m[0] for m in members], "names": [m[1] for m in members]}
        found = {}
        for row in rows(self.conn, "extension_members", params):
            extension = Extension(**row)
            if extension.name not in skip:
                found[extension.ident] = extension
        for extension in found.values():
            schema = unquote(extension.schema)
            if self.scope.is_external(schema):
                self.load([schema])
                self.picked.schemas.add(schema)
        return found

    def catalog(self, extensions: dict[str, Extension]) -> Catalog:
        full, picked = self.full, self.picked
        return Catalog(
            server_version=full.server_version,
            schemas={k: s for k, s in full.schemas.items() if s.name in picked.schemas},
            extensions=extensions,
            tables={k: _bare(full.tables[k]) for k in sorted(picked.tables)},
            constraints={k: full.constraints[k] for k in sorted(picked.constraints)},
            indexes={k: full.indexes[k] for k in sorted(picked.indexes)},
            sequences={k: full.sequences[k] for k in sorted(picked.sequences)},
            views={k: full.views[k] for k in sorted(picked.views)},
            types={k: full.types[k] for k in sorted(picked.types)},
            functions={k: full.functions[k] for k in sorted(picked.functions)},
        )


def _may_back_a_key(index: Index) -> bool:
    """A unique index without a predicate: a foreign key may point at its columns."""
    return index.unique and " WHERE " not in index.definition


def _bare(table: Table) -> Table:
    """The table's shape only: row security is the platform's business, not the schema's."""
    return dataclasses.replace(table, rls_enabled=False, rls_forced=False)


def read_external_objects(
    conn: psycopg.Connection,
    names: Collection[ExternalName],
    scope: Scope,
    created_extensions: Collection[str] = (),
) -> Catalog:
    """What the dev database needs of the target so that a schema naming ``names`` loads.

    ``created_extensions`` are extensions the schema creates itself: their members are
    left for the schema to bring."""
    closure = _Closure(conn, scope)
    closure.load({name.schema for name in names})
    for name in sorted(names):
        closure.name(name)
    return closure.catalog(closure.extensions(created_extensions))


def platform_default_privileges(profile: Profile | None) -> dict[str, DefaultPrivileges]:
    """The default privileges a platform grants on what the project's role creates, as
    catalog entries of the role that loads the schema (which stands for that role)."""
    entries: dict[str, DefaultPrivileges] = {}
    for entry in profile.default_privileges if profile else ():
        schema = _quote(entry.schema) if entry.schema else None
        for object_type in entry.on:
            grants = tuple(
                Grant(OWNER if grantee == entry.for_role else _quote(grantee), privilege)
                for grantee in entry.to
                for privilege in entry.grant
            )
            default = DefaultPrivileges(None, schema, object_type, tuple(sorted(grants)))
            entries[default.key] = default
    return entries


def platform_privileges(profile: Profile | None) -> dict[str, ObjectPrivileges]:
    """The privileges a platform grants on schemas that are the project's (USAGE on public
    to its API roles), to be granted alike in the dev database."""
    entries: dict[str, ObjectPrivileges] = {}
    for entry in profile.schema_privileges if profile else ():
        grants = tuple(
            sorted(
                Grant(_quote(grantee), privilege)
                for grantee in entry.to
                for privilege in entry.grant
            )
        )
        privileges = ObjectPrivileges("SCHEMA", _quote(entry.schema), None, grants)
        entries[privileges.key] = privileges
    return entries


def grantees(catalog: Catalog) -> set[str]:
    """Roles the catalog's privileges and default privileges name (raw names)."""
    named = {g.grantee for p in catalog.privileges.values() for g in p.grants}
    named |= {g.grantee for d in catalog.default_privileges.values() for g in d.grants}
    return {unquote(role) for role in named - {OWNER, PUBLIC}}


def _quote(name: str) -> str:
    if re.fullmatch(r"[a-z_][a-z0-9_$]*", name):
        return name
    return '"' + name.replace('"', '""') + '"'
