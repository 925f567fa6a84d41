"""What the diff produces: changes, each naming its object, its operation and its hazards.

A change does not hold SQL. It names a template operation (``table.create``)
and the model objects the template needs; the plan package renders it. This
keeps the decision (what must change) apart from the spelling (how to say it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Phase(float, Enum):
    """Where a change runs in a migration. Drops first (dependents before what
    they depend on), then creates (what is depended on before dependents).
    Inside a phase, ``Change.order`` breaks ties (partition depth, view rank).
    Phases are numbers so that a new one fits between two others (38.2) without
    renumbering."""

    # Concurrent index builds that stand on nothing the migration changes: before any of
    # it is committed, so that nothing it drops and creates again is missing meanwhile
    # (diff/early_builds.py).
    BUILD_INDEX_FIRST = -1
    CREATE_ROLE = 0  # roles first (created, then altered): everything else may name them
    UNSCHEDULE_JOB = 1  # a job stops before anything it uses is dropped
    REVOKE = 2
    DROP_PUBLICATION = 3  # and tables leaving one: before the tables and columns go
    ROLE_MEMBERSHIP = 3.5  # GRANT/REVOKE role TO/FROM role, once every role exists
    DROP_TRIGGER = 4
    DROP_RULE = 4.5
    DROP_POLICY = 5
    DROP_VIEW = 6  # views and materialized views, dependents first
    DETACH_PARTITION = 9  # before what the partition keeps of its parent changes or goes
    DROP_FOREIGN_KEY = 10
    DROP_CONSTRAINT = 12
    DROP_INDEX = 14
    DROP_STATISTICS = 14.5  # extended statistics, before their columns change or go
    ADD_BOUND_CHECK = 15  # a check proving a partition's new bound, added NOT VALID
    VALIDATE_BOUND_CHECK = 15.5  # ... and validated while reads and writes go on
    HOLD_AS_TEXT = 18  # values of a rebuilt table's row type, held as text meanwhile
    DISOWN_SEQUENCE = 19  # OWNED BY NONE: a sequence that outlives the column owning it
    DROP_TABLE = 20
    DROP_COLUMN = 22
    DETACH_DEFAULT = 21  # a default calling a routine that is dropped and created again
    DROP_IDENTITY = 23  # frees the identity sequence's name before sequences are created
    DROP_TEXT_SEARCH = 24  # configurations, then dictionaries
    DROP_CAST = 24.2
    DROP_OPERATOR_CLASS = 24.4  # operator classes, then families
    DROP_OPERATOR = 24.6
    DROP_FUNCTION = 25
    DROP_TYPE = 26
    DROP_COLLATION = 27
    DROP_EXTENSION = 28
    RENAME_NOT_NULL = 29  # NOT NULL constraints renamed while partitions are detached
    CREATE_SCHEMA = 30
    CREATE_COLLATION = 30.5  # types, domains and columns name them
    DEFAULT_PRIVILEGES = 31  # before creates, as in the dev database
    CREATE_EXTENSION = 32
    ALTER_EXTENSION = 33
    CREATE_TYPE = 34
    ALTER_TYPE = 35
    CREATE_SEQUENCE = 36
    CREATE_FUNCTION = 38
    CREATE_OPERATOR = 38.2  # their functions exist; tables, indexes and views use them
    CREATE_OPERATOR_CLASS = 38.4  # families, then classes, then loose family members
    CREATE_CAST = 38.6
    CREATE_TEXT_SEARCH = 38.8  # dictionaries, then configurations
    ADD_DOMAIN_CONSTRAINT = 39  # domain checks that call functions, once those exist
    CREATE_TABLE = 40
    DROP_BOUND_CHECK = 40.5  # once the partition it proved the bound of is attached
    ALTER_TABLE = 41
    ADD_COLUMN = 42
    ALTER_COLUMN = 44
    ADD_GENERATED_COLUMN = 44.5  # generated columns read the others as they will be
    DROP_REPLACED_TYPE = 45  # types that columns were just converted away from
    SEQUENCE_OWNERSHIP = 46
    DROP_SEQUENCE = 47  # after column defaults that used it were changed
    ADD_IDENTITY = 48  # after a serial's sequence is gone, so the identity takes its name
    DROP_STEPPED_ASIDE = 48.5  # a serial's sequence, once the identity went on from it
    COLUMN_SETTINGS = 49  # statistics, storage, compression: after every column change
    ADD_CONSTRAINT = 50
    CREATE_INDEX = 52
    SWAP_INDEX = 52.1  # a changed index's old one dropped once the new is built, and renamed
    PARTITION_KEY_USING_INDEX = 52.3  # partitions' keys made of indexes built concurrently
    ADOPT_PARTITION_KEYS = 52.6  # ... which their partitioned table's new key adopts
    REPLICA_IDENTITY = 53  # once the index it names exists
    CREATE_STATISTICS = 53.5  # extended statistics, once columns and functions exist
    ADD_FOREIGN_KEY = 54
    INDEX_SETTINGS = 55  # statistics targets of index expressions, once the index exists
    VALIDATE_CONSTRAINT = 56
    FINISH_NOT_NULL = 57  # SET NOT NULL once a validated check proves it
    KEY_USING_INDEX = 57.5  # a key made of its index built concurrently, once NOT NULL holds
    ADOPT_FOREIGN_KEY = 58  # a partitioned table's key, once its partitions' are validated
    CLUSTER_ON = 59  # once the index (or the constraint's) exists
    CREATE_VIEW = 60  # views and materialized views, by dependency rank
    CREATE_VIEW_INDEX = 62  # indexes on materialized views
    VIEW_INDEX_SETTINGS = 63
    REPLACE_FUNCTION = 64  # bodies that reference tables and views
    CREATE_RULE = 66  # rules name other tables and views in their actions
    CREATE_TRIGGER = 70
    CREATE_POLICY = 72
    CREATE_PUBLICATION = 74  # and tables joining one
    REFRESH_VIEW = 76  # materialized views over routines redefined: every body in place
    GRANT = 80
    OWNER = 85
    COMMENT = 90
    REGISTER_PARTMAN = 92  # pg_partman copies the parent's indexes to the children it makes
    SCHEDULE_JOB = 95  # jobs start once everything they use exists
    DROP_SCHEMA = 99  # last: sequences and replaced types are dropped late, and must be gone
    DROP_ROLE = 99.5  # last: after its privileges were revoked and what it owned was dropped


class HazardKind:
    DATA_LOSS = "data_loss"
    TABLE_REWRITE = "table_rewrite"
    ACCESS_EXCLUSIVE_LOCK = "access_exclusive_lock"
    INDEX_BUILD = "index_build"
    VALIDATION_SCAN = "validation_scan"
    AUTHZ_CHANGE = "authz_change"
    DEPENDENT_RECREATE = "dependent_recreate"
    NOT_REVERSIBLE = "not_reversible"
    JOB_REMOVED = "job_removed"
    DATA_MOVE = "data_move"
    ROLE_DROP = "role_drop"


ALL_HAZARDS = (
    HazardKind.DATA_LOSS,
    HazardKind.TABLE_REWRITE,
    HazardKind.ACCESS_EXCLUSIVE_LOCK,
    HazardKind.INDEX_BUILD,
    HazardKind.VALIDATION_SCAN,
    HazardKind.AUTHZ_CHANGE,
    HazardKind.DEPENDENT_RECREATE,
    HazardKind.NOT_REVERSIBLE,
    HazardKind.JOB_REMOVED,
    HazardKind.DATA_MOVE,
    HazardKind.ROLE_DROP,
)

# Classes that apply refuses unless explicitly allowed.
# A job that stops silently stops the work it did (refreshes, upkeep, expiry).
# A dropped role is gone from the whole server, for every database that used it.
DESTRUCTIVE = frozenset({HazardKind.DATA_LOSS, HazardKind.JOB_REMOVED, HazardKind.ROLE_DROP})


@dataclass(frozen=True)
class Hazard:
    """Why a change needs a reviewer's attention: a kind (data loss, a lock, a rewrite) and
    the reason, in words."""

    kind: str
    reason: str


@dataclass(frozen=True)
class Subject:
    """Where a change sits in the reviewed plan: the top-level object it belongs to
    (a table, view, function, type, schema, extension, role, job, ...) and the part of
    that object it touches (a column, constraint, index, trigger, policy, grant, comment,
    row security, ...). An empty ``part_kind`` means the object itself.

    Names are as SQL spells them (quoted where needed); a part's name is unqualified.
    The plan is executed in dependency order; reviewers read it grouped by subject."""

    kind: str
    name: str
    part_kind: str = ""
    part: str = ""

    @property
    def top(self) -> tuple[str, str]:
        return (self.kind, self.name)

    def to_json(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "name": self.name,
            "part_kind": self.part_kind,
            "part": self.part,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Subject:
        return cls(
            str(data["kind"]),
            str(data["name"]),
            str(data.get("part_kind", "")),
            str(data.get("part", "")),
        )


@dataclass(frozen=True)
class AttributeChange:
    """One attribute of the subject before and after: ``type``, ``default``, ``using``,
    ``definition``, ... ``old`` is None for what is new, ``new`` None for what goes."""

    name: str
    old: str | None
    new: str | None

    def to_json(self) -> dict[str, str | None]:
        return {"name": self.name, "old": self.old, "new": self.new}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AttributeChange:
        def text(value: Any) -> str | None:
            return None if value is None else str(value)

        return cls(str(data["name"]), text(data.get("old")), text(data.get("new")))


@dataclass(frozen=True)
class Precondition:
    """What the target's rows must satisfy for a step to succeed; preflight asks.

            ``kind`` is one of: ``empty`` (a NOT NULL column without a default is added),
            ``no_nulls`` (``columns`` get NOT NULL), ``unique`` (``expressions`` become unique,
            rows matching ``predicate`` only; ``nulls_distinct`` as the index says), ``check``
            (``predicate`` holds), ``references`` (``columns`` find their match in
            ``referenced_columns`` of ``referenced``), ``castable`` (``expressions[0]`` evaluates
            for every row: the conversion the step runs), ``values_unused`` (``columns[0]``
            holds none of ``values``), ``sequence_within`` (sequence ``table`` stands where
        ``predicate`` holds for it: ``expressions[0]``, its new limit), ``unknowable`` (a
    condition preflight cannot ask the target: ``predicate`` says why). Names and expressions are SQL, as the catalog prints them.

    ``referenced_new``: the plan creates ``referenced``, which is empty when the foreign
    key is added. ``new_columns``: columns the plan adds to ``table`` or ``referenced`` before the step,
    as (table, column, value): the value every existing row gets (its default, or NULL),
    which preflight reads in place of the column the target does not have yet.
    """

    kind: str
    table: str
    columns: tuple[str, ...] = ()
    expressions: tuple[str, ...] = ()
    predicate: str = ""
    nulls_distinct: bool = True
    referenced: str = ""
    referenced_columns: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    target_type: str = ""  # castable: the type converted to
    match_full: bool = False  # references: MATCH FULL
    referenced_new: bool = False
    new_columns: tuple[tuple[str, str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "table": self.table,
            "columns": list(self.columns),
            "expressions": list(self.expressions),
            "predicate": self.predicate,
            "nulls_distinct": self.nulls_distinct,
            "referenced": self.referenced,
            "referenced_columns": list(self.referenced_columns),
            "values": list(self.values),
            "target_type": self.target_type,
            "match_full": self.match_full,
            "referenced_new": self.referenced_new,
            "new_columns": [
                {"table": table, "column": column, "value": value}
                for table, column, value in self.new_columns
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Precondition:
        def strings(key: str) -> tuple[str, ...]:
            return tuple(str(v) for v in data.get(key, ()))

        return cls(
            kind=str(data["kind"]),
            table=str(data["table"]),
            columns=strings("columns"),
            expressions=strings("expressions"),
            predicate=str(data.get("predicate", "")),
            nulls_distinct=bool(data.get("nulls_distinct", True)),
            referenced=str(data.get("referenced", "")),
            referenced_columns=strings("referenced_columns"),
            values=strings("values"),
            target_type=str(data.get("target_type", "")),
            match_full=bool(data.get("match_full", False)),
            referenced_new=bool(data.get("referenced_new", False)),
            new_columns=tuple(
                (str(n["table"]), str(n["column"]), str(n["value"]))
                for n in data.get("new_columns", ())
            ),
        )


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
    # For the reviewer: where the change belongs and what it changes, attribute by
    # attribute. Differs may set them; diff/describe.py fills in the rest.
    subject: Subject | None = None
    attributes: tuple[AttributeChange, ...] = ()
    # What the rows must satisfy for it to succeed (diff/preconditions.py).
    preconditions: tuple[Precondition, ...] = ()
