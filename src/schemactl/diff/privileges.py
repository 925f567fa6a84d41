"""Privileges, default privileges and owners.

Privileges are compared per object as sets of (grantee, privilege, grant option),
the owner standing as ``OWNER`` on both sides. Only the difference is planned:
``GRANT`` for what is missing, ``REVOKE`` for what is too much, ``GRANT ... WITH GRANT
OPTION`` / ``REVOKE GRANT OPTION FOR`` when only the option differs.

An object the migration creates does not start empty: PostgreSQL gives it
``acldefault()`` (owner privileges; EXECUTE to PUBLIC on routines, USAGE on types)
merged with the default privileges in force for the role that creates it. Those are
the desired default privileges, which ``Phase.DEFAULT_PRIVILEGES`` sets before
anything is created. A created object is compared from that starting point, so the
plan revokes what default privileges hand out and the schema took back. Objects the
migration drops and creates again (routines for a new return type, rebuilt views,
rebuilt tables) start from there too.

Revoking a table privilege also revokes that privilege on every column of the table;
column grants that must stay are granted again.

Owners are changed only where the schema states one (``ALTER ... OWNER TO``): an object
owned by the role that loaded the schema reads as having no stated owner, and then the
target's owner is left alone, whoever it is.
"""

from __future__ import annotations

from collections.abc import Iterable

from schemactl.catalog.model import OWNER, Catalog, DefaultPrivileges, Grant, ObjectPrivileges
from schemactl.diff import hazards
from schemactl.diff.changes import Change, Phase
from schemactl.diff.context import DiffContext
from schemactl.diff.regenerated import regenerated_columns
from schemactl.diff.routines import recreated_functions
from schemactl.diff.views import rebuilt_views

CURRENT_USER = "CURRENT_USER"  # the role running the migration: it creates, so it owns
# pg_default_acl.defaclobjtype -> what ALTER DEFAULT PRIVILEGES calls it
OBJECT_TYPES = {"r": "TABLES", "S": "SEQUENCES", "f": "FUNCTIONS", "T": "TYPES", "n": "SCHEMAS"}
PRIVILEGE_ORDER = (
    "SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "MAINTAIN",
    "USAGE", "CREATE", "EXECUTE",
)  # fmt: skip
# The public schema comes with every database, owned by pg_database_owner: not a stated owner.
UNSTATED_OWNERS = {("SCHEMA", "pg_database_owner")}

# (grantee, privilege, grantor) -> with grant option; the grantor "" for the owner
Acl = dict[tuple[str, str, str], bool]
# One change of an ACL: verb, grantee, grant option, privileges, grantor ("" the owner).
Delta = tuple[str, str, bool, tuple[str, ...], str]


def diff_privileges(ctx: DiffContext) -> list[Change]:
    return _object_privileges(ctx) + _default_privileges(ctx)


def recreated_keys(ctx: DiffContext) -> frozenset[str]:
    """Privilege keys of objects the migration drops and creates again: they lose their
    privileges and owner, and start over as created objects."""
    keys = {f"TABLE {ident}" for ident in rebuilt_views(ctx)}
    for ident, column in regenerated_columns(ctx):
        keys.add(f"COLUMN {ident}.{column}")  # dropped and added again
    for signature in recreated_functions(ctx):
        function = ctx.desired.functions[signature]
        kind = "PROCEDURE" if function.kind == "p" else "FUNCTION"
        keys.add(f"{kind} {function.ident}({function.arguments})")
    return frozenset(keys)


def creation_acl(desired: Catalog, obj: ObjectPrivileges) -> tuple[Grant, ...]:
    """The privileges ``obj`` has right after the migration creates it: the built-in
    default, or the database-wide default privileges that replace it, plus those of its
    schema, for the role that runs the migration (the one that loads the schema)."""
    object_type = OBJECT_TYPES.get(obj.default_kind)
    if object_type is None:
        return obj.defaults
    everywhere = desired.default_privileges.get(_default_key(None, None, object_type))
    grants = list(everywhere.grants if everywhere else obj.defaults)
    if obj.schema is not None:
        in_schema = desired.default_privileges.get(_default_key(None, obj.schema, object_type))
        grants += in_schema.grants if in_schema else ()
    return tuple(sorted(Grant(g, p, o, r) for (g, p, r), o in _acl(grants).items()))


def _default_key(role: str | None, schema: str | None, object_type: str) -> str:
    return DefaultPrivileges(role, schema, object_type, ()).key


def _acl(grants: Iterable[Grant]) -> Acl:
    acl: Acl = {}
    for grant in grants:
        key = (grant.grantee, grant.privilege, grant.grantor)
        acl[key] = acl.get(key, False) or grant.grantable
    return acl


def acl_delta(before: Iterable[Grant], after: Iterable[Grant]) -> list[Delta]:
    """What turns ``before`` into ``after``: (verb, grantee, grant option, privileges,
    grantor), verb ``revoke`` or ``grant``. ``revoke`` with the option set takes only the
    grant option away; ``grant`` with it set grants the option too. Revokes come first,
    those of other grantors before the owner's (whose grant option theirs rest on);
    grants the other way round."""
    if isinstance(before, tuple) and before == after:
        return []  # most objects: nothing to grant or revoke
    old, new = _acl(before), _acl(after)
    buckets: dict[tuple[str, str, bool, str], list[str]] = {}
    for key in old.keys() | new.keys():
        grantee, privilege, grantor = key
        if key not in old:
            bucket = ("grant", grantee, new[key], grantor)
        elif key not in new:
            bucket = ("revoke", grantee, False, grantor)
        elif new[key] and not old[key]:
            bucket = ("grant", grantee, True, grantor)
        elif old[key] and not new[key]:
            bucket = ("revoke", grantee, True, grantor)
        else:
            continue
        buckets.setdefault(bucket, []).append(privilege)

    def order(item: tuple[tuple[str, str, bool, str], list[str]]) -> tuple[object, ...]:
        verb, grantee, option, grantor = item[0]
        revoke = verb == "revoke"
        return (not revoke, bool(grantor) != revoke, grantee, option, grantor)

    return [
        (verb, grantee, option, _ordered(privileges), grantor)
        for (verb, grantee, option, grantor), privileges in sorted(buckets.items(), key=order)
    ]


def _ordered(privileges: Iterable[str]) -> tuple[str, ...]:
    rank = {p: i for i, p in enumerate(PRIVILEGE_ORDER)}
    return tuple(sorted(privileges, key=lambda p: (rank.get(p, len(rank)), p)))


def _grantee(grantee: str, owner: str | None) -> str:
    """A grantee as SQL: the owner by name, or the running role when it owns."""
    if grantee == OWNER:
        return owner or CURRENT_USER
    return grantee


def _object_privileges(ctx: DiffContext) -> list[Change]:
    current, desired = ctx.current.privileges, ctx.desired.privileges
    recreated = recreated_keys(ctx)
    changes: list[Change] = []
    # table target -> the column privileges its table-level revokes take away
    stripped: dict[str, Acl] = {}
    for key in sorted(desired.keys()):
        new = desired[key]
        if new.kind == "COLUMN":
            continue
        old = current.get(key)
        created = old is None or key in recreated or _rebuilt(ctx, new.kind, new.target)
        before = creation_acl(ctx.desired, new) if created else (old.grants if old else ())
        owner = None if created or old is None else old.owner
        delta = acl_delta(before, new.grants)
        if new.kind == "TABLE" and not created:
            stripped[new.target] = {
                (grantee, privilege, grantor): option
                for verb, grantee, option, privileges, grantor in delta
                if verb == "revoke"
                for privilege in privileges
            }
        changes += _acl_changes(new, delta, owner, created)
        changes += _owner_change(
            new, None if created or old is None else old.owner, created, ctx.restore_owner
        )
    changes += _column_privileges(ctx, recreated, stripped)
    return changes


def _column_privileges(
    ctx: DiffContext, recreated: frozenset[str], stripped: dict[str, Acl]
) -> list[Change]:
    current, desired = ctx.current.privileges, ctx.desired.privileges
    changes: list[Change] = []
    keys = {k for k, p in current.items() if p.kind == "COLUMN"}
    keys |= {k for k, p in desired.items() if p.kind == "COLUMN"}
    for key in sorted(keys):
        old, new = current.get(key), desired.get(key)
        column = new or old
        assert column is not None and column.column is not None
        relation = f"TABLE {column.target}"
        if relation not in desired:
            continue  # the relation goes, its columns with it
        if column.target in ctx.desired.tables and not ctx.column_survives(
            column.target, column.column
        ):
            continue  # the column goes
        created = (
            old is None
            or key in recreated
            or relation not in current
            or relation in recreated
            or _rebuilt(ctx, "TABLE", column.target)
        )
        before: list[Grant] = []
        if old is not None and not created:
            taken = stripped.get(column.target, {})
            for grant in old.grants:
                option_taken = taken.get((grant.grantee, grant.privilege, grant.grantor))
                if option_taken is None:
                    before.append(grant)
                elif option_taken and grant.grantable:  # only the grant option went
                    before.append(Grant(grant.grantee, grant.privilege, False, grant.grantor))
        delta = acl_delta(before, new.grants if new else ())
        changes += _acl_changes(column, delta, None, created)
    return changes


def _rebuilt(ctx: DiffContext, kind: str, target: str) -> bool:
    """A table the migration rebuilds: it is set aside from ``current``, so it is created."""
    return kind == "TABLE" and target in ctx.desired.tables and target not in ctx.current.tables


def _acl_changes(
    obj: ObjectPrivileges, delta: list[Delta], owner: str | None, created: bool
) -> list[Change]:
    """One GRANT or REVOKE per grantee and kind of change. Revokes on objects that exist
    run first in the migration; on created objects, right after they are created."""
    if not delta:
        return []  # most objects
    kind = "TABLE" if obj.kind == "COLUMN" else obj.kind
    name = obj.key[len(obj.kind) + 1 :] if obj.kind != "COLUMN" else obj.key[len("COLUMN ") :]
    changes: list[Change] = []
    for verb, grantee, option, privileges, grantor in delta:
        # Other grantors' grants rest on the owner's: revoked before it, granted after.
        order: tuple[int, ...]
        if verb == "revoke":
            phase, order = (Phase.GRANT, (0,)) if created else (Phase.REVOKE, ())
            order = (*order, 0 if grantor else 1)
        else:
            phase, order = Phase.GRANT, (1, 1 if grantor else 0)
        params = {
            "kind": kind,
            "target": obj.target,
            "column": obj.column,
            "privileges": privileges,
            "grantee": _grantee(grantee, owner),
            "option": option,
            "grantor": grantor,
        }
        changes.append(
            Change(
                "privilege", f"{obj.kind} {name} {'to' if verb == 'grant' else 'from'} {grantee}",
                "alter", f"grant.{verb}", params, phase, hazards.privilege_change(f"{obj.kind} {name}"),
                order=order,
            )
        )  # fmt: skip
    return changes


def _owner_change(
    new: ObjectPrivileges, current_owner: str | None, created: bool, restore: str | None
) -> list[Change]:
    """ALTER ... OWNER TO, only towards an owner the schema states; in a rollback, also
    back to the role that owned the object when it was read (``restore``)."""
    if new.kind == "COLUMN" or new.owned_with_table:
        return []
    owner = new.owner
    if owner is None and restore and not created and current_owner is not None:
        owner = restore  # the migration gave it away: the rollback gives it back
    if owner is None or (new.kind, owner) in UNSTATED_OWNERS:
        return []
    if not created and current_owner == owner:
        return []
    target = new.target
    if new.alter_keyword == "AGGREGATE" and target.endswith("()"):
        target = target[:-2] + "(*)"
    return [
        Change(
            "owner", f"{new.kind} {new.target}", "alter", "grant.owner",
            {"keyword": new.alter_keyword, "target": target, "owner": owner},
            Phase.OWNER, hazards.owner_change(f"{new.kind} {new.target}", owner),
        )
    ]  # fmt: skip


def _default_privileges(ctx: DiffContext) -> list[Change]:
    current, desired = ctx.current.default_privileges, ctx.desired.default_privileges
    dropped_schemas = ctx.current.schemas.keys() - ctx.desired.schemas.keys()
    changes: list[Change] = []
    for key in sorted(current.keys() | desired.keys()):
        old, new = current.get(key), desired.get(key)
        entry = new or old
        assert entry is not None
        if new is None and entry.schema in dropped_schemas:
            continue  # goes with its schema
        # Database-wide entries replace the built-in default; a schema's only add to it.
        empty = entry.defaults if entry.schema is None else ()
        delta = acl_delta(old.grants if old else empty, new.grants if new else empty)
        where = "".join(
            (
                f" for {entry.role}" if entry.role else "",
                f" in {entry.schema}" if entry.schema else "",
            )
        )
        for verb, grantee, option, privileges, _ in delta:  # default privileges: no grantor
            params = {
                "role": entry.role,
                "schema": entry.schema,
                "object_type": entry.object_type,
                "privileges": privileges,
                "grantee": _grantee(grantee, entry.role),
                "option": option,
            }
            changes.append(
                Change(
                    "default privileges",
                    f"{entry.object_type}{where} {'to' if verb == 'grant' else 'from'} {grantee}",
                    "alter", f"grant.default_{verb}", params, Phase.DEFAULT_PRIVILEGES,
                    hazards.default_privilege_change(entry.object_type),
                    order=(0 if verb == "revoke" else 1,),
                )
            )  # fmt: skip
    return changes
