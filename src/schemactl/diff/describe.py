"""What each change means to a reviewer: the object it belongs to and what it changes.

The differs decide what must change and in which order; a reviewer reads the result
grouped like the database itself: one entry per table, view, function, type, ...,
with its columns, constraints, indexes, triggers, policies, grants and comments
nested under it, and for each changed thing its attributes before and after.

This module places every change (:class:`Subject`) and lists its attribute changes
(:class:`AttributeChange`) from the model objects the change carries and from the two
catalogs. A differ that knows better sets them itself; a kind of change this module
does not know is shown as an object of its own, under its kind and name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

from schemactl.catalog.identity import creation_options
from schemactl.catalog.model import (
    Catalog,
    Column,
    Constraint,
    Extension,
    Function,
    Index,
    Job,
    Policy,
    Sequence,
    Table,
    Trigger,
    UserType,
    View,
)
from schemactl.diff.changes import AttributeChange, Change, Subject
from schemactl.diff.context import DiffContext

TRIGGER_FIRES = {"O": "on origin", "D": "disabled", "R": "on replica", "A": "always"}
IDENTITY = {"a": "ALWAYS", "d": "BY DEFAULT"}
# What a new thing is unless it says otherwise: not worth listing when it is created.
CREATION_DEFAULTS = {
    "persistence": "LOGGED",
    "nullability": "NULL",
    "kind": "PERMISSIVE",
    "active": "yes",
}
SEQUENCE_PARAMETERS = (
    "data_type",
    "start",
    "increment",
    "min_value",
    "max_value",
    "cache",
    "cycle",
)


def describe(ctx: DiffContext, changes: Iterable[Change]) -> list[Change]:
    """``changes`` with their subject and attribute changes filled in."""
    return [_described(ctx, change) for change in changes]


def _described(ctx: DiffContext, change: Change) -> Change:
    subject = change.subject or subject_of(ctx, change)
    attributes = change.attributes or _attributes(ctx, change, subject)
    return dataclasses.replace(change, subject=subject, attributes=attributes)


# -- names -------------------------------------------------------------------------------


def split_qualified(name: str) -> list[str]:
    """``public."a.b".c`` -> ``['public', '"a.b"', 'c']``: dots inside quotes stay."""
    if '"' not in name:
        return name.split(".")  # most names: no quotes, so every dot separates
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in name:
        if char == '"':
            quoted = not quoted
        if char == "." and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def unqualified(ident: str) -> str:
    return split_qualified(ident)[-1]


def _relation_kind(ctx: DiffContext, ident: str) -> str:
    """What a relation is, as a reviewer calls it: table, view or materialized view."""
    for catalog in _catalogs(ctx):
        view = catalog.views.get(ident)
        if view is not None:
            return view.keyword.lower()
        if ident in catalog.tables:
            return "table"
    return "table"


def _type_kind(ctx: DiffContext, ident: str) -> str:
    for catalog in _catalogs(ctx):
        user_type = catalog.types.get(ident)
        if user_type is not None:
            return "domain" if user_type.kind == "d" else "type"
    return "type"


def _catalogs(ctx: DiffContext) -> tuple[Catalog, ...]:
    return (ctx.desired, ctx.current, *((ctx.original_current,) if ctx.original_current else ()))


# -- subjects ------------------------------------------------------------------------------


def subject_of(ctx: DiffContext, change: Change) -> Subject:
    """Where ``change`` belongs, from its operation and the objects it carries."""
    template = change.operation.split(".", 1)[0]
    placer = _PLACERS.get(template)
    found = placer(ctx, change) if placer else None
    return found or Subject(change.kind, change.name)


def _table_subject(ctx: DiffContext, change: Change) -> Subject | None:
    table: Table | None = change.params.get("table")
    macro = change.operation.split(".", 1)[1]
    if macro in ("row_security", "force_row_security"):
        ident = str(change.params["ident"])
        parent = _parent_of(ctx, ident)
        if parent:  # a partition's own flag: under its parent, named
            return Subject("table", parent, "row security", unqualified(ident))
        return Subject("table", ident, "row security")
    if table is None:
        return None
    if table.partition_of and macro in ("create", "drop"):
        return Subject("table", table.partition_of, "partition", unqualified(table.ident))
    return Subject("table", table.ident)


def _partition_subject(ctx: DiffContext, change: Change) -> Subject | None:
    table: Table = change.params["table"]
    macro = change.operation.split(".", 1)[1]
    if macro in ("detach", "attach") and table.partition_of:
        return Subject("table", table.partition_of, "partition", unqualified(table.ident))
    column: Column | None = change.params.get("column")
    if column is not None:
        return Subject("table", table.ident, "column", column.ident)
    return Subject("table", table.ident)


def _column_subject(ctx: DiffContext, change: Change) -> Subject | None:
    table: Table = change.params["table"]
    column: Column = change.params.get("old") or change.params["column"]
    return Subject(_relation_kind(ctx, table.ident), table.ident, "column", column.ident)


def _constraint_subject(ctx: DiffContext, change: Change) -> Subject | None:
    constraint: Constraint = change.params["constraint"]
    return Subject(
        _relation_kind(ctx, constraint.table), constraint.table, "constraint", constraint.ident
    )


def _index_subject(ctx: DiffContext, change: Change) -> Subject | None:
    index: Index = change.params["index"]
    return Subject(_relation_kind(ctx, index.table), index.table, "index", unqualified(index.ident))


def _trigger_subject(ctx: DiffContext, change: Change) -> Subject | None:
    trigger = change.params["trigger"]
    if isinstance(trigger, Trigger):
        return Subject(_relation_kind(ctx, trigger.table), trigger.table, "trigger", trigger.ident)
    return Subject("event trigger", str(trigger.ident))


def _policy_subject(ctx: DiffContext, change: Change) -> Subject | None:
    policy: Policy = change.params["policy"]
    return Subject("table", policy.table, "policy", policy.ident)


def _function_subject(ctx: DiffContext, change: Change) -> Subject | None:
    function: Function = change.params["function"]
    return Subject(function.keyword.lower(), function.signature)


def _view_subject(ctx: DiffContext, change: Change) -> Subject | None:
    view: View = change.params["view"]
    return Subject(view.keyword.lower(), view.ident)


def _type_subject(ctx: DiffContext, change: Change) -> Subject | None:
    user_type: UserType | None = change.params.get("type") or change.params.get("domain")
    if user_type is None:
        return None
    kind = "domain" if user_type.kind == "d" else "type"
    if "label" in change.params:
        return Subject(kind, user_type.ident, "value", str(change.params["label"]))
    attribute = change.params.get("attribute")
    if attribute is not None:
        return Subject(kind, user_type.ident, "attribute", attribute.ident)
    constraint = change.params.get("constraint")
    if constraint is not None:
        return Subject(kind, user_type.ident, "constraint", constraint.ident)
    return Subject(kind, user_type.ident)


def _sequence_subject(ctx: DiffContext, change: Change) -> Subject | None:
    sequence: Sequence = change.params["sequence"]
    if sequence.owned_by_table:  # a serial column's sequence belongs to its table
        return Subject("table", sequence.owned_by_table, "sequence", unqualified(sequence.ident))
    return Subject("sequence", sequence.ident)


def _schema_subject(ctx: DiffContext, change: Change) -> Subject | None:
    return Subject("schema", change.params["schema"].ident)


def _extension_subject(ctx: DiffContext, change: Change) -> Subject | None:
    return Subject("extension", change.params["extension"].ident)


# What GRANT and ALTER ... OWNER TO call an object -> what a reviewer calls it.
_GRANT_KINDS = {
    "SEQUENCE": "sequence",
    "FUNCTION": "function",
    "PROCEDURE": "procedure",
    "AGGREGATE": "aggregate",
    "ROUTINE": "function",
    "SCHEMA": "schema",
    "DOMAIN": "domain",
}


def _parent_of(ctx: DiffContext, ident: str) -> str | None:
    """The partitioned table ``ident`` is a partition of, on either side."""
    for catalog in _catalogs(ctx):
        table = catalog.tables.get(ident)
        if table is not None and table.partition_of:
            return table.partition_of
    return None


def _grant_target(ctx: DiffContext, keyword: str, target: str) -> Subject:
    if keyword in ("TABLE", "VIEW", "MATERIALIZED VIEW"):
        parent = _parent_of(ctx, target) if keyword == "TABLE" else None
        if parent:  # a partition's grants: under its parent, like the partition itself
            return Subject("table", parent, "partition", unqualified(target))
        return Subject(_relation_kind(ctx, target), target)
    if keyword == "TYPE":
        return Subject(_type_kind(ctx, target), target)
    if keyword == "SEQUENCE":
        for catalog in _catalogs(ctx):
            sequence = catalog.sequences.get(target)
            if sequence is not None and sequence.owned_by_table:
                return Subject("table", sequence.owned_by_table, "sequence", unqualified(target))
    return Subject(_GRANT_KINDS.get(keyword, keyword.lower()), target)


def _grant_subject(ctx: DiffContext, change: Change) -> Subject | None:
    params = change.params
    macro = change.operation.split(".", 1)[1]
    if macro == "owner":
        owned = _grant_target(ctx, str(params["keyword"]), str(params["target"]))
        return dataclasses.replace(
            owned, part_kind="owner", part=owned.part if owned.part_kind else ""
        )
    if macro.startswith("default_"):
        where = "".join(
            (
                f" for role {params['role']}" if params["role"] else "",
                f" in schema {params['schema']}" if params["schema"] else "",
            )
        )
        return Subject(
            "default privileges", f"{params['object_type']}{where}", "grant", params["grantee"]
        )
    owner = _grant_target(ctx, str(params["kind"]), str(params["target"]))
    if owner.part_kind:  # a serial's sequence: the grant is the sequence's, under the table
        return dataclasses.replace(
            owner, part_kind="grant", part=f"{params['grantee']} on {owner.part}"
        )
    grantee = str(params["grantee"])
    if params.get("column"):
        grantee = f"{grantee} on column {params['column']}"
    return dataclasses.replace(owner, part_kind="grant", part=grantee)


def _comment_subject(ctx: DiffContext, change: Change) -> Subject | None:
    """``comment_change`` names the commented object ``"<kind> <name>"``."""
    kind, _, name = change.name.partition(" ")
    target = str(change.params["target"])
    if kind == "column":
        *relation, column = split_qualified(name)
        parent = ".".join(relation)
        return Subject(_relation_kind(ctx, parent), parent, "comment", f"column {column}")
    if kind == "constraint":
        *owner_parts, constraint = split_qualified(name)
        owner = ".".join(owner_parts)
        if " ON DOMAIN " in target:
            return Subject("domain", owner, "comment", f"constraint {constraint}")
        return Subject(_relation_kind(ctx, owner), owner, "comment", f"constraint {constraint}")
    if kind == "trigger":
        *relation, trigger = split_qualified(name)
        parent = ".".join(relation)
        return Subject(_relation_kind(ctx, parent), parent, "comment", f"trigger {trigger}")
    if kind == "index":
        for catalog in _catalogs(ctx):
            index = catalog.indexes.get(name)
            if index is not None:
                return Subject(
                    _relation_kind(ctx, index.table), index.table, "comment",
                    f"index {unqualified(name)}",
                )  # fmt: skip
        return Subject("index", name, "comment")
    if kind in ("table", "view"):
        return Subject(_relation_kind(ctx, name), name, "comment")
    if kind == "sequence":
        sequence = _grant_target(ctx, "SEQUENCE", name)
        if sequence.part_kind:
            return dataclasses.replace(
                sequence, part_kind="comment", part=f"sequence {sequence.part}"
            )
    if kind == "event_trigger":
        return Subject("event trigger", name, "comment")
    return Subject(kind, name, "comment")


_PLACERS: dict[str, Callable[[DiffContext, Change], Subject | None]] = {
    "table": _table_subject,
    "partition": _partition_subject,
    "column": _column_subject,
    "constraint": _constraint_subject,
    "index": _index_subject,
    "trigger": _trigger_subject,
    "policy": _policy_subject,
    "function": _function_subject,
    "view": _view_subject,
    "type": _type_subject,
    "domain": _type_subject,
    "sequence": _sequence_subject,
    "schema": _schema_subject,
    "extension": _extension_subject,
    "grant": _grant_subject,
    "comment": _comment_subject,
}


# -- attributes ---------------------------------------------------------------------------


def attribute_changes(
    old: dict[str, str | None] | None, new: dict[str, str | None] | None
) -> tuple[AttributeChange, ...]:
    """What differs between two descriptions of one thing. A new thing lists what it is
    made of; a thing that goes lists nothing (its name says it all)."""
    if new is None:
        return ()
    if old is None:
        return tuple(
            AttributeChange(k, None, v)
            for k, v in new.items()
            if v is not None and CREATION_DEFAULTS.get(k) != v
        )
    names = dict.fromkeys([*old, *new])
    return tuple(
        AttributeChange(name, old.get(name), new.get(name))
        for name in names
        if old.get(name) != new.get(name)
    )


def _attributes(ctx: DiffContext, change: Change, subject: Subject) -> tuple[AttributeChange, ...]:
    template, _, macro = change.operation.partition(".")
    params = change.params
    if template == "grant":
        return _grant_attributes(macro, params)
    pair = _before_and_after(ctx, change, subject)
    if pair is None:
        return ()
    old, new = pair
    return attribute_changes(old, new)


Description = dict[str, str | None]


def _before_and_after(
    ctx: DiffContext, change: Change, subject: Subject
) -> tuple[Description | None, Description | None] | None:
    """The part (or object) the change touches, described as it is now and as it will be."""
    params = change.params
    current, desired = ctx.current, ctx.desired
    kind = subject.part_kind
    if kind == "column":
        return (
            _column_description(current, subject.name, subject.part),
            _column_description(desired, subject.name, subject.part),
        )
    if kind == "row security":
        return _row_security(current.tables.get(subject.name)), _row_security(
            desired.tables.get(subject.name)
        )
    if kind == "partition":
        table: Table = params["table"]
        return _partition(current.tables.get(table.ident)), _partition(
            desired.tables.get(table.ident)
        )
    if (
        kind == "constraint"
        and "constraint" in params
        and isinstance(params["constraint"], Constraint)
    ):
        key = params["constraint"].key
        return _constraint(current.constraints.get(key)), _constraint(desired.constraints.get(key))
    if kind == "index":
        ident = params["index"].ident
        return _index(current.indexes.get(ident)), _index(desired.indexes.get(ident))
    if kind == "trigger":
        key = params["trigger"].key
        return _trigger(current.triggers.get(key)), _trigger(desired.triggers.get(key))
    if kind == "policy":
        key = params["policy"].key
        return _policy(current.policies.get(key)), _policy(desired.policies.get(key))
    if kind == "value":
        return None, {"position": _enum_position(params)}
    if kind == "attribute" and subject.kind == "type":
        return (
            _type_attribute(current.types.get(subject.name), subject.part),
            _type_attribute(desired.types.get(subject.name), subject.part),
        )
    if kind == "constraint" and subject.kind == "domain":
        return (
            _domain_constraint(current.types.get(subject.name), subject.part),
            _domain_constraint(desired.types.get(subject.name), subject.part),
        )
    if kind == "sequence" or (not kind and subject.kind == "sequence"):
        ident = params["sequence"].ident
        return _sequence(current.sequences.get(ident)), _sequence(desired.sequences.get(ident))
    if kind:
        return None
    if "function" in params:
        signature = params["function"].signature
        return _function(current.functions.get(signature)), _function(
            desired.functions.get(signature)
        )
    if "view" in params:
        ident = params["view"].ident
        return _view(current.views.get(ident)), _view(desired.views.get(ident))
    if "extension" in params:
        ident = params["extension"].ident
        return _extension(current.extensions.get(ident)), _extension(desired.extensions.get(ident))
    if subject.kind in ("type", "domain"):
        return _type(current.types.get(subject.name)), _type(desired.types.get(subject.name))
    if subject.kind == "job":
        return _job(current.jobs.get(subject.name)), _job(desired.jobs.get(subject.name))
    if subject.kind == "table":
        before, after = (
            _table(current.tables.get(subject.name)),
            _table(desired.tables.get(subject.name)),
        )
        if before is not None and after is not None:  # columns are parts of their own
            del before["columns"], after["columns"]
        return before, after
    return None


def _job(job: Job | None) -> Description | None:
    if job is None:
        return None
    return {
        "schedule": job.schedule,
        "command": job.command,
        "database": job.database,
        "role": job.username,
        "active": "yes" if job.active else "no",
    }


def _enum_position(params: dict[str, Any]) -> str | None:
    if params.get("after") is not None:
        return f"after {params['after']!r}"
    if params.get("before") is not None:
        return f"before {params['before']!r}"
    return None


def _type_attribute(user_type: UserType | None, ident: str) -> Description | None:
    attribute = (
        next((a for a in user_type.attributes if a.ident == ident), None) if user_type else None
    )
    if attribute is None:
        return None
    return {
        "type": attribute.type + (f" COLLATE {attribute.collation}" if attribute.collation else "")
    }


def _domain_constraint(domain: UserType | None, ident: str) -> Description | None:
    constraint = next((c for c in domain.constraints if c.ident == ident), None) if domain else None
    if constraint is None:
        return None
    return {"definition": constraint.definition + ("" if constraint.validated else " NOT VALID")}


def _column_description(
    catalog: Catalog, table_ident: str, column_ident: str
) -> Description | None:
    table = catalog.tables.get(table_ident)
    if table is None:
        return None
    column = next((c for c in table.column_overrides if c.ident == column_ident), None) or next(
        (c for c in table.columns if c.ident == column_ident), None
    )
    if column is None:
        return None
    return {
        "type": column.type + (f" COLLATE {column.collation}" if column.collation else ""),
        "nullability": "NOT NULL" if column.not_null else "NULL",
        "default": column.default,
        "identity": _identity(column),
        "generated": column.generated,
    }


def _identity(column: Column) -> str | None:
    """``ALWAYS (START WITH 5 CACHE 10)``: how, and what its sequence does not leave to
    the defaults."""
    generation = IDENTITY.get(column.identity)
    sequence = column.identity_sequence
    if generation is None or sequence is None:
        return generation
    options = creation_options(sequence, qualified_name=sequence.named)
    return f"{generation} ({' '.join(options)})" if options else generation


def _row_security(table: Table | None) -> Description | None:
    if table is None:
        return None
    return {
        "enabled": "yes" if table.rls_enabled else "no",
        "forced": "yes" if table.rls_forced else "no",
    }


def _partition(table: Table | None) -> Description | None:
    if table is None:
        return None
    return {"of": table.partition_of, "bound": table.partition_bound}


def _constraint(constraint: Constraint | None) -> Description | None:
    if constraint is None:
        return None
    return {"definition": constraint.definition + ("" if constraint.validated else " NOT VALID")}


def _index(index: Index | None) -> Description | None:
    if index is None:
        return None
    return {"definition": index.definition + ("" if index.valid else " (INVALID)")}


def _trigger(trigger: Trigger | None) -> Description | None:
    if trigger is None:
        return None
    return {
        "definition": trigger.definition,
        "fires": None if trigger.enabled == "O" else TRIGGER_FIRES.get(trigger.enabled),
    }


def _policy(policy: Policy | None) -> Description | None:
    if policy is None:
        return None
    return {
        "command": policy.command,
        "kind": "PERMISSIVE" if policy.permissive else "RESTRICTIVE",
        "roles": ", ".join(policy.roles),
        "using": policy.using,
        "with check": policy.with_check,
    }


def _sequence(sequence: Sequence | None) -> Description | None:
    if sequence is None:
        return None
    described: Description = {
        p.replace("_", " "): str(getattr(sequence, p)) for p in SEQUENCE_PARAMETERS
    }
    described["owned by"] = sequence.owned_by
    return described


def _function(function: Function | None) -> Description | None:
    if function is None:
        return None
    return {"definition": function.definition}


def _view(view: View | None) -> Description | None:
    if view is None:
        return None
    return {"definition": view.definition, "options": ", ".join(view.options) or None}


def _extension(extension: Extension | None) -> Description | None:
    if extension is None:
        return None
    return {"version": extension.version, "schema": extension.schema}


def _type(user_type: UserType | None) -> Description | None:
    if user_type is None:
        return None
    if user_type.kind == "e":
        return {"values": ", ".join(repr(label) for label in user_type.labels)}
    if user_type.kind == "c":
        return {"attributes": ", ".join(f"{a.ident} {a.type}" for a in user_type.attributes)}
    if user_type.kind == "d":
        return {
            "type": user_type.base_type,
            "default": user_type.default,
            "nullability": "NOT NULL" if user_type.not_null else "NULL",
            "checks": ", ".join(c.definition for c in user_type.constraints) or None,
        }
    return {"options": ", ".join(user_type.options)}


def _table(table: Table | None) -> Description | None:
    if table is None:
        return None
    return {
        "columns": str(len(table.columns)),
        "partitioned by": table.partition_key,
        "persistence": "UNLOGGED" if table.unlogged else "LOGGED",
        "options": ", ".join(table.options) or None,
        "replica identity": _replica_identity(table),
    }


def _replica_identity(table: Table) -> str | None:
    if table.replica_identity == "i":
        return f"USING INDEX {table.replica_identity_index}"
    return {"f": "FULL", "n": "NOTHING"}.get(table.replica_identity)


def _grant_attributes(macro: str, params: dict[str, Any]) -> tuple[AttributeChange, ...]:
    if macro == "owner":
        return (AttributeChange("owner", None, str(params["owner"])),)
    privileges = ", ".join(params["privileges"])
    if params.get("grantor"):
        privileges += f" (granted by {params['grantor']})"
    if macro.endswith("grant"):
        option = " WITH GRANT OPTION" if params["option"] else ""
        return (AttributeChange("privileges", None, privileges + option),)
    if params["option"]:
        return (AttributeChange("grant option", f"on {privileges}", None),)
    return (AttributeChange("privileges", privileges, None),)
