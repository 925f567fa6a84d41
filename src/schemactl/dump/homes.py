"""Which object each statement of a dump belongs to: its home.

A table's file holds its columns, constraints, indexes, triggers, policies,
comments, grants and owner, and the sequences its columns own; a view's file its
triggers, grants and comments; a materialized view's file its indexes. Every
change of the plan from an empty database names the model objects its template
renders; the home is read from them, and for comments, grants and owners (which
name their object as SQL text) from the catalog's own identifiers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from schemactl.catalog.model import (
    Catalog,
    Constraint,
    EventTrigger,
    Extension,
    Function,
    Index,
    Job,
    Policy,
    Schema,
    Sequence,
    Table,
    Trigger,
    UserType,
    View,
)
from schemactl.diff.changes import Change
from schemactl.identifiers import unquote


class Kind:
    """What a home is: names the folders and files of the layouts use."""

    SCHEMA = "schema"
    EXTENSION = "extension"
    TABLE = "table"
    VIEW = "view"
    MATERIALIZED_VIEW = "materialized view"
    FUNCTION = "function"
    TYPE = "type"
    SEQUENCE = "sequence"
    EVENT_TRIGGER = "event trigger"
    DEFAULT_PRIVILEGES = "default privileges"
    JOB = "job"  # pg_cron: scheduled for the database, in no schema
    ROLE = "role"
    OTHER = "other"


@dataclass(frozen=True, order=True)
class Home:
    """The object a statement belongs to; ``schema`` and ``name`` are raw names."""

    kind: str
    schema: str | None
    name: str


# A quoted or plain identifier at the start of SQL text.
_IDENT = re.compile(r'"(?:[^"]|"")*"|[^\s."(]+')
_COMMENT_KINDS = (
    "MATERIALIZED VIEW",
    "EVENT TRIGGER",
    "FOREIGN TABLE",
    "CONSTRAINT",
    "PROCEDURE",
    "AGGREGATE",
    "FUNCTION",
    "SEQUENCE",
    "TRIGGER",
    "EXTENSION",
    "COLUMN",
    "DOMAIN",
    "POLICY",
    "SCHEMA",
    "INDEX",
    "TABLE",
    "TYPE",
    "VIEW",
    "ROLE",
)


def split_qualified(text: str) -> list[str]:
    """The dotted identifiers at the start of ``text``, quoted as written."""
    parts: list[str] = []
    position = 0
    while match := _IDENT.match(text, position):
        parts.append(match.group(0))
        position = match.end()
        if not text.startswith(".", position):
            break
        position += 1
    return parts


class Homes:
    """Resolves the home of every change of one catalog's dump."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    @cached_property
    def _relations(self) -> dict[str, Home]:
        """Relation ident (tables, views, sequences, indexes) -> home."""
        catalog = self.catalog
        homes: dict[str, Home] = {}
        for table in catalog.tables.values():
            homes[table.ident] = Home(Kind.TABLE, table.schema, table.name)
        for view in catalog.views.values():
            kind = Kind.MATERIALIZED_VIEW if view.kind == "m" else Kind.VIEW
            homes[view.ident] = Home(kind, view.schema, view.name)
        for sequence in catalog.sequences.values():
            homes[sequence.ident] = self._sequence(sequence)
        for index in catalog.indexes.values():
            if index.table in homes:
                homes[index.ident] = homes[index.table]
        return homes

    @cached_property
    def _types(self) -> dict[str, Home]:
        return {t.ident: Home(Kind.TYPE, t.schema, t.name) for t in self.catalog.types.values()}

    @cached_property
    def _schemas(self) -> dict[str, Home]:
        return {s.ident: Home(Kind.SCHEMA, s.name, s.name) for s in self.catalog.schemas.values()}

    @cached_property
    def _functions(self) -> dict[str, Home]:
        homes: dict[str, Home] = {}
        for function in self.catalog.functions.values():
            home = Home(Kind.FUNCTION, function.schema, function.name)
            homes[function.signature] = home
            homes[f"{function.ident}({function.arguments})"] = home
        return homes

    def _sequence(self, sequence: Sequence) -> Home:
        owner = self.catalog.tables.get(sequence.owned_by_table or "")
        if owner is not None:
            return Home(Kind.TABLE, owner.schema, owner.name)
        return Home(Kind.SEQUENCE, sequence.schema, sequence.name)

    def of(self, change: Change) -> Home:
        """The home of one change of the plan from an empty database."""
        params = change.params
        for value in params.values():
            home = self._of_object(value)
            if home is not None:
                return home
        if change.operation.startswith("table.") and "ident" in params:
            return self._named("TABLE", str(params["ident"]))  # row level security
        if change.operation in ("grant.grant", "grant.revoke"):
            return self._named(str(params["kind"]), str(params["target"]))
        if change.operation == "grant.owner":
            return self._named(str(params["keyword"]), str(params["target"]))
        if change.operation in ("grant.default_grant", "grant.default_revoke"):
            schema = params["schema"]
            return Home(Kind.DEFAULT_PRIVILEGES, unquote(schema) if schema else None, "")
        if change.operation == "comment.set":
            return self._commented(str(params["target"]))
        return self._other(change)

    def _of_object(self, value: object) -> Home | None:
        """The home of a model object a template renders, if ``value`` is one."""
        match value:
            case Table():
                return Home(Kind.TABLE, value.schema, value.name)
            case View():
                return self._relations.get(value.ident)
            case Constraint() | Index() | Trigger() | Policy():
                return self._relations.get(value.table)
            case Sequence():
                return self._sequence(value)
            case Function():
                return Home(Kind.FUNCTION, value.schema, value.name)
            case UserType():
                return Home(Kind.TYPE, value.schema, value.name)
            case Schema():
                return Home(Kind.SCHEMA, value.name, value.name)
            case Extension():
                return Home(Kind.EXTENSION, None, value.name)
            case EventTrigger():
                return Home(Kind.EVENT_TRIGGER, None, value.name)
            case Job():
                return Home(Kind.JOB, None, value.name)
        return None

    def _named(self, keyword: str, target: str) -> Home:
        """The home of an object named as GRANT, COMMENT ON and ALTER ... OWNER name it."""
        if keyword in ("FUNCTION", "PROCEDURE", "AGGREGATE"):
            home = self._functions.get(target) or self._functions.get(target.replace("()", "(*)"))
            if home is not None:
                return home
            parts = split_qualified(target)
            if len(parts) == 2:
                return Home(Kind.FUNCTION, unquote(parts[0]), unquote(parts[1]))
        elif keyword in ("TYPE", "DOMAIN"):
            if target in self._types:
                return self._types[target]
        elif keyword == "SCHEMA":
            if target in self._schemas:
                return self._schemas[target]
        elif keyword == "EXTENSION":
            return Home(Kind.EXTENSION, None, unquote(target))
        elif keyword == "EVENT TRIGGER":
            return Home(Kind.EVENT_TRIGGER, None, unquote(target))
        elif keyword == "ROLE":
            return Home(Kind.ROLE, None, unquote(target))
        elif keyword == "COLUMN":
            parts = split_qualified(target)
            home = self._relations.get(".".join(parts[:-1]))
            if home is not None:
                return home
        elif target in self._relations:
            return self._relations[target]
        return Home(Kind.OTHER, None, "")

    def _commented(self, target: str) -> Home:
        """COMMENT ON's target: ``KIND name``, or ``KIND name ON [DOMAIN] object``."""
        keyword = next((k for k in _COMMENT_KINDS if target.startswith(k + " ")), "")
        rest = target[len(keyword) + 1 :]
        if keyword in ("CONSTRAINT", "TRIGGER", "POLICY"):
            name = _IDENT.match(rest)
            if name is None:
                return Home(Kind.OTHER, None, "")
            on = rest[name.end() :].removeprefix(" ON ")
            if on.startswith("DOMAIN "):
                return self._named("DOMAIN", on.removeprefix("DOMAIN "))
            return self._named("TABLE", on)
        return self._named(keyword, rest)

    def _other(self, change: Change) -> Home:
        if change.kind == "role":
            return Home(Kind.ROLE, None, change.name)
        return Home(Kind.OTHER, None, "")
