"""Comparing catalogs read on two major versions: only what both versions know.

The dev server normally runs the target's major version. When the user accepts a
dev server of another one (``--allow-version-mismatch``), what only the newer
version has must not show up as a change: PostgreSQL 17 gives every table's owner
the MAINTAIN privilege, which a PostgreSQL 15 dev server cannot express, so a plan
would revoke it from every table. Such privileges are left out on both sides.
Likewise PostgreSQL 18 names every NOT NULL constraint (and lets it be NO INHERIT or
NOT VALID), where older versions keep only the column's flag: against an older
server, only the flag is compared.
"""

from __future__ import annotations

import dataclasses
import re

from schemactl.catalog.model import Catalog, Grant

# privilege -> the first major version that has it
PRIVILEGES_SINCE = {"MAINTAIN": 17}
# The first major version that records NOT NULL constraints by name (pg_constraint 'n').
NAMED_NOT_NULL_SINCE = 18


def major_of(server_version: str) -> int | None:
    """``17.2 (Debian 17.2-1)`` -> 17; None for an empty or unreadable version."""
    match = re.match(r"\s*(\d+)", server_version)
    return int(match.group(1)) if match else None


def _known(grants: tuple[Grant, ...], unknown: frozenset[str]) -> tuple[Grant, ...]:
    return tuple(g for g in grants if g.privilege not in unknown)


def _without_privileges(catalog: Catalog, unknown: frozenset[str]) -> Catalog:
    privileges = {
        key: dataclasses.replace(
            entry, grants=_known(entry.grants, unknown), defaults=_known(entry.defaults, unknown)
        )
        for key, entry in catalog.privileges.items()
    }
    default_privileges = {
        key: dataclasses.replace(
            entry, grants=_known(entry.grants, unknown), defaults=_known(entry.defaults, unknown)
        )
        for key, entry in catalog.default_privileges.items()
    }
    return dataclasses.replace(
        catalog, privileges=privileges, default_privileges=default_privileges
    )


def _without_not_null_names(catalog: Catalog) -> Catalog:
    tables = {
        key: dataclasses.replace(table, not_null_constraints=())
        for key, table in catalog.tables.items()
    }
    return dataclasses.replace(catalog, tables=tables)


def version_neutral(current: Catalog, desired: Catalog) -> tuple[Catalog, Catalog]:
    """Both catalogs as the older of their two major versions can state them; the same
    objects when both were read on one major version."""
    first, second = major_of(current.server_version), major_of(desired.server_version)
    if first is None or second is None or first == second:
        return current, desired
    older = min(first, second)
    if older < NAMED_NOT_NULL_SINCE:
        current, desired = _without_not_null_names(current), _without_not_null_names(desired)
    unknown = frozenset(p for p, since in PRIVILEGES_SINCE.items() if since > older)
    if not unknown:
        return current, desired
    return _without_privileges(current, unknown), _without_privileges(desired, unknown)
