"""Roles on both sides of a comparison: the target's as it has them, the schema's as declared.

Roles are server-wide, so only the roles the schema names are read (those it creates,
drops, or grants memberships to), and a role the schema does not create is compared
only in the memberships the schema gives it. The declared side is normalized by the
target's own server: identifiers quoted by ``quote_ident``, ``VALID UNTIL`` read as a
timestamp in the session that will apply it, so both sides print alike.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import psycopg

from schemactl.catalog.model import Role, RoleMembership
from schemactl.catalog.sqlfiles import together
from schemactl.errors import SchemaSourceError
from schemactl.source.roles import DeclaredRole, RoleDeclarations

NORMALIZE_VALID_UNTIL = """
SELECT CASE WHEN %(v)s::timestamptz = 'infinity' THEN NULL
            ELSE to_char(%(v)s::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '+00'
       END
"""


def read_roles(
    conn: psycopg.Connection, names: set[str], quoting: set[str]
) -> tuple[dict[str, Role], dict[str, str]]:
    """The named roles the server behind ``conn`` has, with all their memberships; and
    ``quoting``'s names as that server quotes them. One round trip for all three."""
    params = {"names": sorted(names)}
    membership_rows, role_rows, quoted_rows = together(
        conn,
        [("role_memberships", params), ("roles", params),
         ("quoted_names", {"names": sorted(quoting)})],
    )  # fmt: skip
    member_of: dict[str, list[RoleMembership]] = {}
    for row in membership_rows:
        member_of.setdefault(row["member"], []).append(
            RoleMembership(row["role"], row["ident"], bool(row["admin"]))
        )
    roles = {
        row["name"]: Role(
            **{**row, "used_in": tuple(row["used_in"] or ())},
            member_of=tuple(member_of.get(row["name"], ())),
        )
        for row in role_rows
    }
    return roles, {str(row["name"]): str(row["ident"]) for row in quoted_rows}


def _valid_until(conn: psycopg.Connection, declared: DeclaredRole) -> str | None:
    """``VALID UNTIL`` as the target's session reads the literal, in UTC."""
    text = declared.attributes.get("valid_until")
    if text is None:
        return None
    try:
        with conn.transaction():  # a savepoint: a bad literal must not spoil the caller's
            row = conn.execute(NORMALIZE_VALID_UNTIL, {"v": str(text)}).fetchone()
    except psycopg.Error as exc:
        location = declared.valid_until_at or declared.location
        message = exc.diag.message_primary or str(exc)
        raise SchemaSourceError(location, f"VALID UNTIL: {message}") from None
    return str(row[0]) if row and row[0] is not None else None


def role_states(
    conn: psycopg.Connection, declarations: RoleDeclarations
) -> tuple[dict[str, Role], dict[str, Role]]:
    """(current, desired) roles for the plan, read and normalized on the target."""
    names = declarations.compared
    if not names:
        return {}, {}
    current, idents = read_roles(
        conn, names, names | {role for _, role in declarations.memberships}
    )

    def memberships(member: str) -> tuple[RoleMembership, ...]:
        return tuple(
            RoleMembership(m.role, idents[m.role], m.admin)
            for m in declarations.memberships_of(member)
        )

    desired: dict[str, Role] = {}
    for name, declared in declarations.declared.items():
        attributes: dict[str, Any] = {
            **declared.attributes,
            "valid_until": _valid_until(conn, declared),
        }
        existing = current.get(name)
        desired[name] = Role(
            name,
            idents[name],
            **attributes,
            comment=declared.comment,
            member_of=memberships(name),
            used_in=existing.used_in if existing else (),
        )
    for member in declarations.members - set(declarations.declared):
        existing = current.get(member)
        if existing is None:
            continue  # a role the target lacks: refused as missing before anything runs
        # Only the memberships the schema names are compared for a role it does not create.
        named = {m.role for m in declarations.memberships_of(member)}
        current[member] = dataclasses.replace(
            existing, member_of=tuple(m for m in existing.member_of if m.role in named)
        )
        desired[member] = dataclasses.replace(existing, member_of=memberships(member))
    return current, desired
