"""Roles declared in schema files: ``CREATE ROLE``, ``ALTER ROLE … WITH``, ``GRANT role TO
role``, ``COMMENT ON ROLE`` and ``DROP ROLE``.

Roles belong to the whole server, not to one database. They are never loaded into
the dev database, which may share a server with other runs or be the target's own
server: their declarations are read here, from the syntax tree, and join the desired
state beside what the dev database normalized (as pg_cron jobs do). The dev database
gets the declared roles as bare ``NOLOGIN`` roles, so that grants and policies load.

What the schema says about a role:

- ``CREATE ROLE name [options]``: it exists, with these attributes and PostgreSQL's
  defaults for the rest (``CREATE USER`` logs in); ``ALTER ROLE name WITH options``
  changes attributes of a role the schema creates.
- ``GRANT role TO member [WITH ADMIN OPTION]`` (or ``IN ROLE``, ``ROLE``, ``ADMIN``):
  a membership. For a role the schema creates, its grants are all its memberships.
- ``DROP ROLE name``: it must not exist. A role the schema merely stops declaring is
  left alone, since other databases of the server may use it.

Passwords never belong to a schema (a file in version control is no place for a
secret): schemactl neither sets nor compares them, and refuses ``PASSWORD`` here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from schemactl.errors import SchemaSourceError, SourceLocation
from schemactl.source.pglast_modules import ast, enums
from schemactl.source.syntax import NodeGroups, group, of

if TYPE_CHECKING:
    from schemactl.source.statements import Statement

BUILTIN_ROLE_PREFIX = "pg_"

# CREATE/ALTER ROLE options (pglast's names) and the model attribute each sets.
ATTRIBUTES = {
    "canlogin": "login",
    "superuser": "superuser",
    "createdb": "createdb",
    "createrole": "createrole",
    "inherit": "inherit",
    "isreplication": "replication",
    "bypassrls": "bypassrls",
    "connectionlimit": "connection_limit",
    "validUntil": "valid_until",
}
MEMBERSHIP_OPTIONS = ("addroleto", "rolemembers", "adminmembers")
PASSWORD_REFUSED = (
    "passwords do not belong in schema files (they would be committed with them): remove "
    "PASSWORD; schemactl never sets, compares or prints passwords, so set them on the "
    "server (ALTER ROLE ... PASSWORD, psql's \\password, or the platform's secret store)"
)
DO_ROLE_HINT = (
    "DO blocks run code; a declarative schema may only define objects (for a role, write a "
    "plain CREATE ROLE: schemactl creates it where the server lacks it)"
)


def is_role_statement(node: Any) -> bool:
    """Whether a statement declares something about a role (read here, never loaded)."""
    if isinstance(node, ast.CommentStmt):
        return node.objtype == enums.ObjectType.OBJECT_ROLE
    return isinstance(
        node, ast.CreateRoleStmt | ast.AlterRoleStmt | ast.GrantRoleStmt | ast.DropRoleStmt
    )


@dataclass
class DeclaredRole:
    """A role as ``CREATE ROLE`` (and later ``ALTER ROLE``) states it."""

    name: str
    location: SourceLocation
    attributes: dict[str, Any] = field(default_factory=dict)  # model attribute -> value
    valid_until_at: SourceLocation | None = None  # where VALID UNTIL was written
    comment: str | None = None


@dataclass(frozen=True)
class DeclaredMembership:
    """A ``GRANT role TO member`` of the schema, kept with where it was written for
    messages."""

    member: str
    role: str
    admin: bool
    location: SourceLocation


@dataclass(frozen=True)
class RoleDeclarations:
    """Everything a schema folder says about roles."""

    declared: dict[str, DeclaredRole] = field(default_factory=dict)
    memberships: dict[tuple[str, str], DeclaredMembership] = field(default_factory=dict)
    dropped: dict[str, SourceLocation] = field(default_factory=dict)

    @property
    def members(self) -> set[str]:
        """Roles the schema grants memberships to."""
        return {member for member, _ in self.memberships}

    @property
    def compared(self) -> set[str]:
        """Roles whose state on the target the plan compares."""
        return set(self.declared) | set(self.dropped) | self.members

    @property
    def required(self) -> set[str]:
        """Roles the declarations name that the schema does not create: the target
        must have them (a membership cannot be granted in or to a missing role)."""
        named = {name for pair in self.memberships for name in pair}
        return {n for n in named - set(self.declared) if not n.startswith(BUILTIN_ROLE_PREFIX)}

    def memberships_of(self, member: str) -> list[DeclaredMembership]:
        return sorted(
            (m for m in self.memberships.values() if m.member == member), key=lambda m: m.role
        )


def _role_name(spec: Any, statement: Statement) -> str:
    if not isinstance(spec, ast.RoleSpec) or spec.roletype != enums.RoleSpecType.ROLESPEC_CSTRING:
        raise SchemaSourceError(
            statement.location(),
            "name the role: CURRENT_USER, SESSION_USER, CURRENT_ROLE and PUBLIC depend on who "
            "applies the schema, or are no role at all",
        )
    return str(spec.rolename)


def _option_value(option: ast.DefElem) -> Any:
    arg = option.arg
    if isinstance(arg, ast.Boolean):
        return bool(arg.boolval)
    if isinstance(arg, ast.Integer):
        return int(arg.ival or 0)
    if isinstance(arg, ast.String):
        return str(arg.sval)
    return arg


def _read_options(
    role: DeclaredRole,
    options: Iterable[ast.DefElem],
    statement: Statement,
    declarations: RoleDeclarations,
) -> None:
    for option in options:
        name = str(option.defname)
        if name == "password":
            raise SchemaSourceError(statement.location(), PASSWORD_REFUSED)
        if name == "sysid":
            continue  # accepted and ignored by PostgreSQL itself
        if name in ATTRIBUTES:
            role.attributes[ATTRIBUTES[name]] = _option_value(option)
            if name == "validUntil":
                role.valid_until_at = statement.location()
        elif name in MEMBERSHIP_OPTIONS:
            for spec in option.arg or ():
                other = _role_name(spec, statement)
                if name == "addroleto":
                    _add_membership(declarations, role.name, other, False, statement)
                else:
                    _add_membership(
                        declarations, other, role.name, name == "adminmembers", statement
                    )
        else:
            raise SchemaSourceError(
                statement.location(), f"role option {name} is not managed by schemactl"
            )


def _add_membership(
    declarations: RoleDeclarations, member: str, role: str, admin: bool, statement: Statement
) -> None:
    key = (member, role)
    earlier = declarations.memberships.get(key)
    declarations.memberships[key] = DeclaredMembership(
        member, role, admin or bool(earlier and earlier.admin), statement.location()
    )


def _create(statement: Statement, node: ast.CreateRoleStmt, found: RoleDeclarations) -> None:
    name = str(node.role)
    if name in found.declared:
        raise SchemaSourceError(
            statement.location(),
            f"role {name} is created twice: also at {found.declared[name].location}",
        )
    if name.startswith(BUILTIN_ROLE_PREFIX):
        raise SchemaSourceError(
            statement.location(), f"role names starting with {BUILTIN_ROLE_PREFIX} are reserved"
        )
    role = DeclaredRole(name, statement.location())
    if node.stmt_type == enums.RoleStmtType.ROLESTMT_USER:
        role.attributes["login"] = True  # CREATE USER is CREATE ROLE ... LOGIN
    found.declared[name] = role
    _read_options(role, node.options or (), statement, found)


def _alter(statement: Statement, node: ast.AlterRoleStmt, found: RoleDeclarations) -> None:
    name = _role_name(node.role, statement)
    role = found.declared.get(name)
    if role is None:
        raise SchemaSourceError(
            statement.location(),
            f"ALTER ROLE {name}: the schema does not create role {name}; declare it with "
            f"CREATE ROLE {name} ... (schemactl manages the roles the schema creates)",
        )
    if node.action == -1:
        raise SchemaSourceError(
            statement.location(),
            "removing members is a change, not a definition: remove the membership instead",
        )
    _read_options(role, node.options or (), statement, found)


def _grant(statement: Statement, node: ast.GrantRoleStmt, found: RoleDeclarations) -> None:
    if not node.is_grant:
        raise SchemaSourceError(
            statement.location(),
            "REVOKE is a change, not a definition: remove the GRANT that gave the membership",
        )
    if node.grantor is not None:
        raise SchemaSourceError(statement.location(), "GRANTED BY is not managed by schemactl")
    admin = False
    for option in node.opt or ():
        if option.defname == "admin":
            admin = bool(_option_value(option))
        else:
            raise SchemaSourceError(
                statement.location(),
                f"the {str(option.defname).upper()} option of role memberships is not managed "
                "by schemactl",
            )
    for granted in node.granted_roles or ():
        for spec in node.grantee_roles or ():
            member = _role_name(spec, statement)
            _add_membership(found, member, str(granted.priv_name), admin, statement)


def _comment(statement: Statement, node: ast.CommentStmt, found: RoleDeclarations) -> None:
    name = str(getattr(node.object, "sval", node.object))
    role = found.declared.get(name)
    if role is None:
        raise SchemaSourceError(
            statement.location(),
            f"COMMENT ON ROLE {name}: the schema does not create role {name}",
        )
    role.comment = node.comment


def _refuse_contradictions(found: RoleDeclarations, statements: Sequence[Statement]) -> None:
    for name, location in found.dropped.items():
        if name in found.declared:
            raise SchemaSourceError(
                location,
                f"role {name} is dropped here but created at {found.declared[name].location}",
            )
        use = next((m for m in found.memberships.values() if name in (m.member, m.role)), None)
        if use is not None:
            raise SchemaSourceError(
                location, f"role {name} is dropped here but a membership names it at {use.location}"
            )
        for statement in statements:
            if not is_role_statement(statement.node) and name in roles_named(
                statement.node, statement.node_groups
            ):
                raise SchemaSourceError(
                    location, f"role {name} is dropped here but used at {statement.location()}"
                )


def roles_named(node: Any, groups: NodeGroups | None = None) -> set[str]:
    """Role names a statement's syntax tree uses (grants, policies, owners); ``groups``:
    every node below it, by class, when already walked."""
    specs = of(group(node) if groups is None else groups, ast.RoleSpec)
    return {str(n.rolename) for n in specs if n.roletype == enums.RoleSpecType.ROLESPEC_CSTRING}


def read_role_declarations(statements: Sequence[Statement]) -> RoleDeclarations:
    """What the statements say about roles; contradictions name file:line:column.

    ``CREATE ROLE`` statements are read first, so an ``ALTER ROLE`` or a membership
    may come from any file."""
    found = RoleDeclarations()
    role_statements = [s for s in statements if is_role_statement(s.node)]
    for statement in role_statements:
        if isinstance(statement.node, ast.CreateRoleStmt):
            _create(statement, statement.node, found)
    for statement in role_statements:
        node = statement.node
        if isinstance(node, ast.AlterRoleStmt):
            _alter(statement, node, found)
        elif isinstance(node, ast.GrantRoleStmt):
            _grant(statement, node, found)
        elif isinstance(node, ast.CommentStmt):
            _comment(statement, node, found)
        elif isinstance(node, ast.DropRoleStmt):
            for spec in node.roles or ():
                found.dropped.setdefault(_role_name(spec, statement), statement.location())
    _refuse_contradictions(found, statements)
    return found
