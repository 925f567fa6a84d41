"""Schemas and extensions."""

from __future__ import annotations

from schemactl.catalog.model import Extension
from schemactl.diff import hazards
from schemactl.diff.changes import Change, Phase
from schemactl.diff.comments import comment_change
from schemactl.diff.context import DiffContext


def diff_schemas(ctx: DiffContext) -> list[Change]:
    changes: list[Change] = []
    current, desired = ctx.current.schemas, ctx.desired.schemas
    for ident in sorted(desired.keys() - current.keys()):
        schema = desired[ident]
        changes.append(
            Change(
                "schema",
                schema.name,
                "create",
                "schema.create",
                {"schema": schema},
                Phase.CREATE_SCHEMA,
            )
        )
        changes += comment_change("schema", f"SCHEMA {ident}", schema.name, None, schema.comment)
    for ident in sorted(current.keys() - desired.keys()):
        schema = current[ident]
        changes.append(
            Change(
                "schema",
                schema.name,
                "drop",
                "schema.drop",
                {"schema": schema},
                Phase.DROP_SCHEMA,
                hazards.drop_schema(schema.name),
            )
        )
    for ident in sorted(current.keys() & desired.keys()):
        changes += comment_change(
            "schema", f"SCHEMA {ident}", ident, current[ident].comment, desired[ident].comment
        )
    return changes


def _depth(extensions: dict[str, Extension], ident: str, seen: frozenset[str] = frozenset()) -> int:
    """How many extensions stand below this one (postgis_topology needs postgis): what
    it requires is created before it and dropped after it."""
    required = [r for r in extensions[ident].requires if r in extensions and r not in seen]
    return max((1 + _depth(extensions, r, seen | {ident}) for r in required), default=0)


def diff_extensions(ctx: DiffContext) -> list[Change]:
    changes: list[Change] = []
    current, desired = ctx.current.extensions, ctx.desired.extensions
    for ident in sorted(desired.keys() - current.keys()):
        ext = desired[ident]
        changes.append(
            Change(
                "extension",
                ext.name,
                "create",
                "extension.create",
                {"extension": ext},
                Phase.CREATE_EXTENSION,
                order=(_depth(desired, ident),),
            )
        )
    for ident in sorted(current.keys() - desired.keys()):
        ext = current[ident]
        changes.append(
            Change(
                "extension",
                ext.name,
                "drop",
                "extension.drop",
                {"extension": ext},
                Phase.DROP_EXTENSION,
                order=(-_depth(current, ident),),
            )
        )
    for ident in sorted(current.keys() & desired.keys()):
        old, new = current[ident], desired[ident]
        if old.schema != new.schema:
            changes.append(
                Change(
                    "extension",
                    new.name,
                    "alter",
                    "extension.set_schema",
                    {"extension": new},
                    Phase.ALTER_EXTENSION,
                )
            )
        if old.version != new.version:
            changes.append(
                Change(
                    "extension",
                    new.name,
                    "alter",
                    "extension.update",
                    {"extension": new},
                    Phase.ALTER_EXTENSION,
                )
            )
    return changes
