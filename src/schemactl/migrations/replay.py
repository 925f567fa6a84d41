"""Replaying migrations in a dev database: the schema a folder of migrations builds.

``migrate diff`` replays the folder to learn where the last migration left the
schema; ``verify`` replays it up to the target's applied version to learn what
the target should look like. Scripts run exactly as ``migrate apply`` runs them
(same batches, same transactions), so a migration that replays also applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from schemactl.catalog.external import grantees
from schemactl.catalog.model import Catalog
from schemactl.db import connect
from schemactl.devdb.external import create_external_objects
from schemactl.devdb.loader import ensure_roles, roles_in
from schemactl.migrations.files import Migration
from schemactl.migrations.runner import run_script
from schemactl.migrations.script import Script, ScriptStatement


def roles_named(scripts: Iterable[Script]) -> set[str]:
    """Roles the scripts grant to, own objects as, or name in policies: server-wide
    objects a dev server must have before the scripts can run there."""
    return roles_in(statement.node for script in scripts for statement in script.statements)


def script_statements(migrations: Sequence[Migration]) -> list[ScriptStatement]:
    """Every statement of the up scripts, to learn what they name."""
    return [statement for m in migrations for statement in m.up_script().statements]


def replay(url: str, migrations: Sequence[Migration], external: Catalog | None = None) -> None:
    """Run the up scripts of ``migrations``, in order, in the (dev) database at ``url``,
    after the target's objects they use but schemactl does not manage (``external``)."""
    scripts = [m.up_script() for m in migrations]
    conn = connect(url, "dev database")
    try:
        ensure_roles(conn, roles_named(scripts) | grantees(external or Catalog("")))
        if external is not None:
            create_external_objects(conn, external)
        for script in scripts:
            run_script(conn, script)
    finally:
        conn.close()
