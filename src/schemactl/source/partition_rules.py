"""Rolling partition rules, declared in a comment beside ``PARTITION BY RANGE``::

    -- schemactl:partition interval=1 month premake=3 retain=12 months
    CREATE TABLE events (...) PARTITION BY RANGE (occurred_at);

The directive sits in the comment lines directly above the ``CREATE TABLE`` or
inside it, next to the table it governs: it moves with the table's file, shows
in review, and needs no second place to keep in step. It is a comment, not a
``COMMENT ON``, so the database's own comments stay the team's.

Keys: ``interval`` (``N day|week|month|year``), ``premake`` (periods made ahead,
default 3), ``retain`` (how long partitions stay attached; without it none
expire) and ``expire=detach|drop`` (what happens to older partitions: detached
and kept as tables by default; dropped only with data_loss allowed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from schemactl.errors import SchemaSourceError, SourceLocation
from schemactl.source.pglast_modules import ast
from schemactl.source.statements import Statement, location_of

DIRECTIVE = re.compile(r"--\s*schemactl:partition\b(?P<body>.*)$", re.MULTILINE)
UNITS = ("day", "week", "month", "year")
EXPIRE_ACTIONS = ("detach", "drop")
DEFAULT_PREMAKE = 3
DEFAULT_SCHEMA = "public"


@dataclass(frozen=True)
class Span:
    """A length of time in whole calendar units: ``3 months``."""

    count: int
    unit: str

    def __str__(self) -> str:
        return f"{self.count} {self.unit}{'s' if self.count != 1 else ''}"


@dataclass(frozen=True)
class PartitionRule:
    """A rolling partition rule of the schema: partitions of ``interval`` made ``premake``
    ahead, those older than ``retain`` detached or dropped."""

    schema: str
    table: str
    interval: Span
    premake: int
    retain: Span | None
    expire: str
    location: SourceLocation


def _span(text: str, key: str, where: SourceLocation) -> Span:
    match = re.fullmatch(r"\s*(\d+)\s*([a-z]+?)s?\s*", text.lower())
    if not match or match[2] not in UNITS or int(match[1]) < 1:
        raise SchemaSourceError(
            where, f"partition rule: {key}={text.strip()!r} is not 'N day|week|month|year'"
        )
    return Span(int(match[1]), match[2])


def _settings(body: str, where: SourceLocation) -> dict[str, str]:
    """``a=1 month b=3`` -> {'a': '1 month', 'b': '3'}: a value runs to the next key."""
    settings: dict[str, str] = {}
    key: str | None = None
    for token in body.split():
        if "=" in token:
            key, _, value = token.partition("=")
            if key in settings:
                raise SchemaSourceError(where, f"partition rule: {key} is given twice")
            settings[key] = value
        elif key is None:
            raise SchemaSourceError(where, f"partition rule: expected key=value, got {token!r}")
        else:
            settings[key] = f"{settings[key]} {token}".strip()
    return settings


def _rule(statement: Statement, body: str, where: SourceLocation) -> PartitionRule:
    node = statement.node
    spec = node.partspec
    strategy = str(getattr(spec, "strategy", "")).lower() if spec else ""
    if spec is None or "range" not in strategy and strategy != "r":
        raise SchemaSourceError(where, "a partition rule needs a table PARTITION BY RANGE")
    if len(spec.partParams or ()) != 1:
        raise SchemaSourceError(where, "a partition rule needs a range key of one column")
    settings = _settings(body, where)
    unknown = sorted(settings.keys() - {"interval", "premake", "retain", "expire"})
    if unknown:
        raise SchemaSourceError(where, f"partition rule: unknown key {', '.join(unknown)}")
    if "interval" not in settings:
        raise SchemaSourceError(where, "partition rule: interval=... is required")
    premake = settings.get("premake", str(DEFAULT_PREMAKE))
    if not premake.isdigit():
        raise SchemaSourceError(where, f"partition rule: premake={premake!r} is not a number")
    expire = settings.get("expire", EXPIRE_ACTIONS[0])
    if expire not in EXPIRE_ACTIONS:
        raise SchemaSourceError(where, f"partition rule: expire={expire!r} is not detach or drop")
    relation = node.relation
    return PartitionRule(
        schema=str(relation.schemaname or DEFAULT_SCHEMA),
        table=str(relation.relname),
        interval=_span(settings["interval"], "interval", where),
        premake=int(premake),
        retain=_span(settings["retain"], "retain", where) if "retain" in settings else None,
        expire=expire,
        location=where,
    )


def _leading_comment_start(text: str, offset: int) -> int:
    """Where the block of comment lines directly above ``offset`` begins."""
    start = text.rfind("\n", 0, offset) + 1
    while start > 0:
        previous = text.rfind("\n", 0, start - 1) + 1
        if not text[previous : start - 1].lstrip().startswith("--"):
            break
        start = previous
    return start


def read_partition_rules(statements: Iterable[Statement]) -> list[PartitionRule]:
    rules: list[PartitionRule] = []
    for statement in statements:
        text = statement.source
        begin = _leading_comment_start(text, statement.offset)
        region = text[begin : statement.offset + len(statement.sql)]
        for match in DIRECTIVE.finditer(region):
            where = location_of(statement.path, text, begin + match.start())
            if not isinstance(statement.node, ast.CreateStmt):
                raise SchemaSourceError(
                    where, "a partition rule belongs to a CREATE TABLE ... PARTITION BY RANGE"
                )
            rules.append(_rule(statement, match["body"], where))
    return rules
