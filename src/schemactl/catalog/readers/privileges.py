"""Reading privileges (ACLs), owners and default privileges.

ACLs are compared as sets of (grantee, privilege, grant option) per object, as
``aclexplode`` lists them, never as ``aclitem`` text: the text names the grantor
and the owner, and both legitimately differ between the dev database and the
target. A NULL ACL means ``acldefault()``; it is read as that default so that
"never granted" and "granted back to the default" compare equal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

import psycopg
from psycopg.pq import Format

from schemactl.catalog.assembly import assembler
from schemactl.catalog.model import Catalog, DefaultPrivileges, Grant, ObjectPrivileges
from schemactl.catalog.sqlfiles import rows, tuples


def grant_set(items: Iterable[list[str]]) -> tuple[Grant, ...]:
    """``[grantee, privilege, 'true'|'false', grantor]`` rows as sorted grants (the
    grantor ``''`` for the owner). One privilege granted twice by one grantor reads as one
    grant, with the grant option if either has it."""
    return _grant_set(tuple(map(tuple, items)))


@cache
def _grant_set(items: tuple[tuple[str, ...], ...]) -> tuple[Grant, ...]:
    """Thousands of objects share a handful of ACLs (the defaults): sort each once."""
    grantable: dict[tuple[str, str, str], bool] = {}
    for grantee, privilege, option, *grantor in items:
        key = (grantee, privilege, grantor[0] if grantor else "")
        grantable[key] = grantable.get(key, False) or option == "true"
    return tuple(sorted(Grant(g, p, o, r) for (g, p, r), o in grantable.items()))


_object_privileges = assembler(ObjectPrivileges)

# Grant sets by the text of the text[][] the server prints for them.
_GRANTS_BY_TEXT: dict[str, tuple[Grant, ...]] = {}


def _grants_by_text(conn: psycopg.Connection) -> Callable[[str], tuple[Grant, ...]]:
    """The grant set a text[][] printed by the server stands for, parsed on its first
    sighting only: most objects' ACLs are one of a few (the defaults, the same GRANTs)."""
    oid = conn.adapters.types["text"].array_oid
    loader_type = conn.adapters.get_loader(oid, Format.TEXT)
    if loader_type is None:
        raise LookupError("psycopg has no loader for text[]")
    loader, encoding = loader_type(oid, conn), conn.info.encoding

    def grants(text: str) -> tuple[Grant, ...]:
        found = _GRANTS_BY_TEXT.get(text)
        if found is None:
            found = _GRANTS_BY_TEXT[text] = grant_set(loader.load(text.encode(encoding)))
        return found

    return grants


def read_privileges(conn: psycopg.Connection, params: dict[str, Any], catalog: Catalog) -> None:
    grants_of = _grants_by_text(conn)
    for (
        kind, target, schema, column, alter_keyword, owned_with_table, default_kind, owner,
        grants, defaults,
    ) in tuples(conn, "privileges", params):  # fmt: skip
        granted = grants_of(grants)
        if kind == "COLUMN":
            if not granted:
                continue  # an emptied column ACL is the same as none
            owner = None  # compared on the table
        privileges = _object_privileges(
            kind, target, schema, granted, owner, column, alter_keyword, owned_with_table,
            grants_of(defaults), default_kind,
        )  # fmt: skip
        catalog.privileges[privileges.key] = privileges
    for row in rows(conn, "default_privileges", params):
        entry = DefaultPrivileges(
            **{**row, "grants": grant_set(row["grants"]), "defaults": grant_set(row["defaults"])}
        )
        catalog.default_privileges[entry.key] = entry
