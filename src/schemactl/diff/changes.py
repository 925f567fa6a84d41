"""What the diff produces: changes, each naming its object, its operation and its hazards.

A change does not hold SQL. It names a template operation (``table.create``)
and the model objects the template needs; the plan package renders it. This
keeps the decision (what must change) apart from the spelling (how to say it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Phase(IntEnum):
    """Where a change runs in a migration. Drops first (dependents before what
    they depend on), then creates (what is depended on before dependents).
    Inside a phase, ``Change.order`` breaks ties (partition depth, view rank)."""

    REVOKE = 2
    DROP_TRIGGER = 4
    DROP_POLICY = 5
    DROP_VIEW = 6  # views and materialized views, dependents first
    DROP_FOREIGN_KEY = 10
    DROP_CONSTRAINT = 12
    DROP_INDEX = 14
    DROP_TABLE = 20
    DROP_COLUMN = 22
    DETACH_DEFAULT = 21  # a default calling a routine that is dropped and created again
    DROP_IDENTITY = 23  # frees the identity sequence's name before sequences are created
    DROP_FUNCTION = 25
    DROP_TYPE = 26
    DROP_EXTENSION = 28
    DROP_SCHEMA = 29
    CREATE_SCHEMA = 30
    DEFAULT_PRIVILEGES = 31  # before creates, as in the dev database
    CREATE_EXTENSION = 32
    ALTER_EXTENSION = 33
    CREATE_TYPE = 34
    ALTER_TYPE = 35
    CREATE_SEQUENCE = 36
    CREATE_FUNCTION = 38
    ADD_DOMAIN_CONSTRAINT = 39  # domain checks that call functions, once those exist
    CREATE_TABLE = 40
    ALTER_TABLE = 41
    ADD_COLUMN = 42
    ALTER_COLUMN = 44
    DROP_REPLACED_TYPE = 45  # types that columns were just converted away from
    SEQUENCE_OWNERSHIP = 46
    DROP_SEQUENCE = 47  # after column defaults that used it were changed
    ADD_IDENTITY = 48  # after a serial's sequence is gone, so the identity takes its name
    ADD_CONSTRAINT = 50
    CREATE_INDEX = 52
    ADD_FOREIGN_KEY = 54
    VALIDATE_CONSTRAINT = 56
    FINISH_NOT_NULL = 57  # SET NOT NULL once a validated check proves it
    CREATE_VIEW = 60  # views and materialized views, by dependency rank
    CREATE_VIEW_INDEX = 62  # indexes on materialized views
    REPLACE_FUNCTION = 64  # bodies that reference tables and views
    CREATE_TRIGGER = 70
    CREATE_POLICY = 72
    GRANT = 80
    OWNER = 85
    COMMENT = 90


class HazardKind:
    DATA_LOSS = "data_loss"
    TABLE_REWRITE = "table_rewrite"
    ACCESS_EXCLUSIVE_LOCK = "access_exclusive_lock"
    INDEX_BUILD = "index_build"
    VALIDATION_SCAN = "validation_scan"
    AUTHZ_CHANGE = "authz_change"
    DEPENDENT_RECREATE = "dependent_recreate"
    NOT_REVERSIBLE = "not_reversible"


ALL_HAZARDS = (
    HazardKind.DATA_LOSS,
    HazardKind.TABLE_REWRITE,
    HazardKind.ACCESS_EXCLUSIVE_LOCK,
    HazardKind.INDEX_BUILD,
    HazardKind.VALIDATION_SCAN,
    HazardKind.AUTHZ_CHANGE,
    HazardKind.DEPENDENT_RECREATE,
    HazardKind.NOT_REVERSIBLE,
)

# Classes that apply refuses unless explicitly allowed.
DESTRUCTIVE = frozenset({HazardKind.DATA_LOSS})


@dataclass(frozen=True)
class Hazard:
    kind: str
    reason: str


@dataclass(frozen=True)
class Change:
    """One step of a migration, before rendering."""

    kind: str  # object kind: schema, extension, table, column, constraint, index, sequence
    name: str  # the object's qualified name, for people
    action: str  # create | alter | drop
    operation: str  # template and macro: "table.create"
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    phase: Phase = Phase.COMMENT
    hazards: tuple[Hazard, ...] = ()
    transactional: bool = True  # False: must run outside a transaction (CONCURRENTLY)
    separate: bool = False  # True: commit what came before, then run in its own transaction
    order: tuple[int, ...] = ()  # tie-break inside a phase (partition depth, ...)
