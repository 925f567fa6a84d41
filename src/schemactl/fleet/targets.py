"""Which databases (or tenant schemas) a fleet command runs against.

A targets file lists one database URL per line (``#`` comments and blank lines
ignored). ``schemactl.toml`` can name fleets (``[fleet.NAME]``) whose URLs come
from environment variables, a file, a query on a catalog database (one URL or
database name per row), or a schema-name pattern inside one database
(schema-per-tenant). Passwords never sit in these files: use ``~/.pgpass``,
``PGPASSWORD`` or the environment variables the fleet names.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psycopg import conninfo

from schemactl.config import CONFIG_FILE, ProjectConfig, password_of
from schemactl.db import connect, describe
from schemactl.errors import SchemactlError

FLEET_KEYS = frozenset(
    {
        "urls_env",
        "targets_file",
        "query",
        "catalog_url_env",
        "url_env",
        "schemas",
        "template_schema",
    }
)


@dataclass(frozen=True)
class Target:
    """A database, or one tenant's schema in a database (schema-per-tenant)."""

    url: str
    schema: str | None = None

    @property
    def label(self) -> str:
        where = describe(self.url)
        return f"{where} schema {self.schema}" if self.schema else where


@dataclass(frozen=True)
class Fleet:
    targets: tuple[Target, ...]
    template_schema: str | None = None  # schema-per-tenant: the schema schema/ is written for

    @property
    def per_tenant(self) -> bool:
        return self.template_schema is not None


def read_targets_file(path: Path) -> list[Target]:
    """One URL per line; a line with a password is refused (file:line)."""
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise SchemactlError(f"cannot read targets file {path}: {exc.strerror}") from None
    targets = []
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        if password_of(text):
            raise SchemactlError(
                f"{path}:{number}: a target URL holds a password; keep passwords out of the "
                "targets file (~/.pgpass, PGPASSWORD or a service file)"
            )
        targets.append(Target(text))
    if not targets:
        raise SchemactlError(f"targets file {path} names no database")
    return targets


def _env_value(name: str, fleet: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SchemactlError(f"fleet {fleet}: ${name} is not set ({CONFIG_FILE} [fleet.{fleet}])")
    return value


def _with_dbname(catalog_url: str, value: str) -> str:
    if "://" in value or "=" in value:
        return value
    return conninfo.make_conninfo(catalog_url, dbname=value)


def _from_query(settings: dict[str, Any], name: str) -> list[Target]:
    catalog_url = _env_value(str(settings.get("catalog_url_env", "")), name)
    conn = connect(catalog_url, f"fleet {name} catalog database")
    try:
        rows = conn.execute(str(settings["query"]).encode()).fetchall()
    finally:
        conn.close()
    return [Target(_with_dbname(catalog_url, str(row[0]))) for row in rows if row and row[0]]


TENANT_SCHEMAS = """
SELECT nspname FROM pg_namespace
WHERE nspname LIKE %s AND nspname <> %s
ORDER BY nspname
"""


def _tenants(settings: dict[str, Any], name: str, template: str) -> list[Target]:
    url = _env_value(str(settings.get("url_env", "")), name)
    conn = connect(url, f"fleet {name} database")
    try:
        rows = conn.execute(TENANT_SCHEMAS, (str(settings["schemas"]), template)).fetchall()
    finally:
        conn.close()
    return [Target(url, str(row[0])) for row in rows]


def fleet_from_config(project: ProjectConfig, name: str) -> Fleet:
    """The targets of ``[fleet.NAME]``, resolved now (a query or pattern runs)."""
    fleets = project.extra.get("fleet", {})
    settings = fleets.get(name) if isinstance(fleets, dict) else None
    where = project.path or CONFIG_FILE
    if not isinstance(settings, dict):
        known = ", ".join(sorted(fleets)) if isinstance(fleets, dict) and fleets else "none"
        raise SchemactlError(f"{where}: no fleet {name} (defined: {known})")
    unknown = sorted(set(settings) - FLEET_KEYS)
    if unknown:
        raise SchemactlError(
            f"{where}: [fleet.{name}] has unknown setting {', '.join(unknown)} "
            f"(known: {', '.join(sorted(FLEET_KEYS))})"
        )
    if "schemas" in settings:
        template = str(settings.get("template_schema", "public"))
        return Fleet(tuple(_tenants(settings, name, template)), template)
    if "query" in settings:
        return Fleet(tuple(_from_query(settings, name)))
    if "targets_file" in settings:
        base = project.path.parent if project.path else Path.cwd()
        return Fleet(tuple(read_targets_file(base / str(settings["targets_file"]))))
    if "urls_env" in settings:
        names = settings["urls_env"]
        if not isinstance(names, list) or not names:
            raise SchemactlError(f"{where}: [fleet.{name}] urls_env must list variable names")
        return Fleet(tuple(Target(_env_value(str(var), name)) for var in names))
    raise SchemactlError(
        f"{where}: [fleet.{name}] names no targets: set urls_env, targets_file, "
        "query (with catalog_url_env) or schemas (with url_env)"
    )
