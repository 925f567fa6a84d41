"""Roles, compared by name: attributes, comment, memberships.

Both sides hold only the roles the schema names (``catalog/roles.py``): a role the
target has and the desired side lacks was dropped by the schema's ``DROP ROLE``, a
``role_drop`` hazard that apply refuses unless allowed. Memberships are changes of
their own, placed under the member, after every role exists; a dropped role takes its
memberships with it.
"""

from __future__ import annotations

from schemactl.catalog.model import Role, RoleMembership
from schemactl.diff import hazards
from schemactl.diff.changes import AttributeChange, Change, Phase, Subject
from schemactl.diff.context import DiffContext

FLAGS = {
    "login": ("LOGIN", "NOLOGIN"),
    "superuser": ("SUPERUSER", "NOSUPERUSER"),
    "createdb": ("CREATEDB", "NOCREATEDB"),
    "createrole": ("CREATEROLE", "NOCREATEROLE"),
    "inherit": ("INHERIT", "NOINHERIT"),
    "replication": ("REPLICATION", "NOREPLICATION"),
    "bypassrls": ("BYPASSRLS", "NOBYPASSRLS"),
}
NEW_ROLE = Role("", "")  # PostgreSQL's defaults, as CREATE ROLE without options gives them


def _shown(role: Role, attribute: str) -> str | None:
    value = getattr(role, attribute)
    if attribute in FLAGS:
        return FLAGS[attribute][0 if value else 1]
    if attribute == "connection_limit":
        return "unlimited" if value == -1 else str(value)
    if attribute == "valid_until":
        return value if value is not None else "never expires"
    return None if value is None else str(value)


def attribute_changes(old: Role, new: Role) -> tuple[AttributeChange, ...]:
    """What differs, attribute by attribute, as a reviewer reads it."""
    names = [*FLAGS, "connection_limit", "valid_until", "comment"]
    return tuple(
        AttributeChange(name, _shown(old, name), _shown(new, name))
        for name in names
        if getattr(old, name) != getattr(new, name)
    )


def _membership_change(
    member: Role, membership: RoleMembership, action: str, operation: str, verb: str
) -> Change:
    params: dict[str, object] = {"member": member.ident, "role": membership.ident}
    if operation == "role.grant":
        params["admin"] = membership.admin
    return Change(
        "role membership",
        f"{member.name} in {membership.role}",
        action,
        operation,
        params,
        Phase.ROLE_MEMBERSHIP,
        hazards.role_membership(member.name, membership.role, verb),
        order=(0 if action == "drop" else 1,),
        subject=Subject("role", member.name, "membership", membership.role),
    )


def _memberships(member: Role, old: tuple[RoleMembership, ...]) -> list[Change]:
    before = {m.role: m for m in old}
    after = {m.role: m for m in member.member_of}
    changes = [
        _membership_change(member, before[r], "drop", "role.revoke", "loses")
        for r in sorted(before.keys() - after.keys())
    ]
    changes += [
        _membership_change(member, after[r], "create", "role.grant", "gains")
        for r in sorted(after.keys() - before.keys())
    ]
    for r in sorted(before.keys() & after.keys()):
        if before[r].admin == after[r].admin:
            continue
        if after[r].admin:
            changes.append(
                _membership_change(member, after[r], "alter", "role.grant", "may now grant")
            )
        else:
            changes.append(
                _membership_change(
                    member, after[r], "alter", "role.revoke_admin", "may no longer grant"
                )
            )
    return changes


def diff_roles(ctx: DiffContext) -> list[Change]:
    current, desired = ctx.current.roles, ctx.desired.roles
    changes: list[Change] = []
    for name in sorted(desired.keys() - current.keys()):
        role = desired[name]
        changes.append(
            Change(
                "role",
                name,
                "create",
                "role.create",
                {"role": role},
                Phase.CREATE_ROLE,
                order=(0,),
                attributes=attribute_changes(NEW_ROLE, role),
            )
        )
        changes += _memberships(role, ())
    for name in sorted(current.keys() - desired.keys()):
        role = current[name]
        changes.append(
            Change(
                "role",
                name,
                "drop",
                "role.drop",
                {"role": role},
                Phase.DROP_ROLE,
                hazards.drop_role(name, role.login, role.used_in),
            )
        )
    for name in sorted(current.keys() & desired.keys()):
        old, new = current[name], desired[name]
        differences = attribute_changes(old, new)
        if differences:
            what = ", ".join(f"{a.old} -> {a.new}" for a in differences if a.name != "comment")
            changes.append(
                Change(
                    "role",
                    name,
                    "alter",
                    "role.alter",
                    {"old": old, "new": new},
                    Phase.CREATE_ROLE,
                    hazards.alter_role(name, what or "comment", old.used_in or new.used_in),
                    order=(1,),
                    attributes=differences,
                )
            )
        changes += _memberships(new, old.member_of)
    return changes
