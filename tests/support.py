"""Helpers the specifications share: running the CLI, executing SQL, round trips."""

from __future__ import annotations

import dataclasses
import os
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import conninfo, sql

from schemactl.apply.executor import ApplyOptions, apply_plan
from schemactl.catalog import Catalog, introspect
from schemactl.cli import main
from schemactl.config import Scope
from schemactl.devdb.binaries import find_server_binaries
from schemactl.devdb.loader import dev_roles, ensure_roles
from schemactl.pipeline import DesiredSource, plan_against
from schemactl.plan import Plan
from schemactl.source import read_desired_state
from schemactl.source.jobs import is_job_declaration
from schemactl.source.roles import is_role_statement
from tests.conformance.dump import normalized_schema


@dataclass(frozen=True)
class Server:
    url: str
    embedded: Any
    major: int = 0


@dataclass(frozen=True)
class CliResult:
    code: int
    stdout: str
    stderr: str


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> CliResult:
    """Run ``schemactl ARGS`` in-process, as the console script would."""
    capsys.readouterr()
    argv = sys.argv
    sys.argv = ["schemactl", *args]
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = argv
    captured = capsys.readouterr()
    return CliResult(code, captured.out, captured.err)


def execute(url: str, sql_text: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql_text.encode())


def catalog_of(url: str, scope: Scope | None = None) -> Catalog:
    with psycopg.connect(url, autocommit=True) as conn:
        return introspect(conn, scope)


def comparable(catalog: Catalog) -> Catalog:
    """A catalog without what legitimately differs between two databases."""
    tables = {
        key: dataclasses.replace(table, columns=tuple(sorted(table.columns, key=lambda c: c.name)))
        for key, table in catalog.tables.items()
    }
    return dataclasses.replace(catalog, server_version="", tables=tables)


def write_schema(folder: Path, sql_text: str, name: str = "schema.sql") -> Path:
    path = folder / name
    path.write_text(sql_text)
    return path


def plan_for(server_url: str, target_url: str, schema_dir: Path, online: bool = True) -> Plan:
    with psycopg.connect(target_url, autocommit=True) as conn:
        return plan_against(conn, DesiredSource(schema_dir, dev_url=server_url), Scope(), online)


def apply_up(url: str, plan: Plan) -> None:
    """Apply a plan the way ``schemactl apply`` does (groups, timeouts, history)."""
    with psycopg.connect(url, autocommit=True) as conn:
        apply_plan(conn, plan, ApplyOptions())


def run_steps(url: str, steps_sql: str) -> None:
    with psycopg.connect(url) as conn, conn.transaction():
        conn.execute(steps_sql.encode())


def round_trip(
    server_url: str, target_url: str, schema_dir: Path, old: str, new: str, online: bool = True
) -> Plan:
    """Load ``old`` into the target, plan towards ``new``, and check the plan both ways:
    up leaves no drift, down restores exactly the old catalog. Returns the plan."""
    if old.strip():
        execute(target_url, old)
    before = comparable(catalog_of(target_url))
    dumped = schema_dump(target_url)
    write_schema(schema_dir, new)
    plan = plan_for(server_url, target_url, schema_dir, online)
    apply_up(target_url, plan)
    assert not plan_for(server_url, target_url, schema_dir).has_changes, "drift after apply"
    run_steps(target_url, plan.down_sql())
    assert comparable(catalog_of(target_url)) == before, "rollback did not restore the schema"
    assert schema_dump(target_url) == dumped, "rollback did not restore pg_dump's schema"
    return plan


def schema_dump(url: str) -> list[str]:
    """The target's schema as pg_dump prints it (owners and grants included), statements
    sorted and column lines sorted: what "exactly the previous schema" means."""
    return normalized_schema(url, owners=True)


def load_schema_folder(url: str, folder: Path) -> None:
    """Run a schema folder's statements, in schemactl's load order, straight into a
    database (as a DBA building it by hand would), creating the roles it names or
    declares where the server lacks them (roles are server-wide: the suite's server has
    them from earlier tests). pg_cron job declarations are left out: the suite's servers
    do not preload pg_cron."""
    statements = read_desired_state(folder)
    with psycopg.connect(url, autocommit=True) as conn:
        ensure_roles(conn, dev_roles(statements))
        conn.execute("SET check_function_bodies = off")
        for statement in statements:
            if not (is_job_declaration(statement.node) or is_role_statement(statement.node)):
                conn.execute(statement.sql.encode())


_LOADS: dict[tuple[str, Path], str | None] = {}


def skip_unless_loads(server: Server, folder: Path) -> None:
    """Skip, saying so, where ``folder`` uses what this server's major version lacks
    (checked once per server, in a scratch database)."""
    key = (server.url, folder)
    if key not in _LOADS:
        name = f"loads_{secrets.token_hex(5)}"
        with psycopg.connect(server.url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name))
            )
        try:
            load_schema_folder(conninfo.make_conninfo(server.url, dbname=name), folder)
            _LOADS[key] = None
        except psycopg.Error as exc:
            _LOADS[key] = exc.diag.message_primary or str(exc)
        finally:
            with psycopg.connect(server.url, autocommit=True) as conn:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
    if _LOADS[key] is not None:
        pytest.skip(
            f"{folder.name}/ does not load on PostgreSQL {server.major or '?'}: {_LOADS[key]}"
        )


# Collations of the ICU provider: an option PostgreSQL is built with, not an extension.
ICU = "icu"


def makes_icu_collations(conn: psycopg.Connection) -> bool:
    """Whether the server makes ICU collations (its catalog lists one, "unicode", from
    PostgreSQL 16 on even where it was built without ICU)."""
    try:
        with conn.transaction(force_rollback=True):
            conn.execute("CREATE COLLATION pg_temp.icu_probe (provider = icu, locale = 'und')")
    except psycopg.Error:
        return False
    return True


def require_companions(server: Server, *names: str) -> None:
    """Go on only where ``server`` offers the extensions ``names`` (and ICU, where named).

    Run as root with apt-get, ``make test`` installs them for the suite's own server
    (scripts/debian-packages.txt): there a missing one fails the specification, as the
    broken install it is. Elsewhere, and on a server the suite is pointed at
    (``TEST_DATABASE_URL``), which the suite installs nothing into, it is skipped."""
    with psycopg.connect(server.url) as conn:
        offered = {
            str(row[0])
            for row in conn.execute(
                "SELECT name FROM pg_available_extensions WHERE name = ANY(%s)", (list(names),)
            )
        }
        if ICU in names and makes_icu_collations(conn):
            offered.add(ICU)
    missing = [name for name in names if name not in offered]
    if not missing:
        return
    lacking = f"PostgreSQL {server.major or '?'} here offers no {', '.join(missing)}"
    if server.embedded is None:
        pytest.skip(f"{lacking} (the server at TEST_DATABASE_URL)")
    if os.geteuid() == 0 and shutil.which("apt-get"):
        pytest.fail(f"{lacking}, though make test installs it (scripts/debian-packages.txt)")
    pytest.skip(f"{lacking} (scripts/debian-packages.txt; make test installs it as root)")


def sqls(plan: Plan) -> list[str]:
    return [step.sql for step in plan.steps]


def pg_dump_of(url: str) -> Path:
    """The pg_dump of the major version of the server behind ``url``: an older one
    refuses a newer server."""
    with psycopg.connect(url) as conn:
        major = conn.info.server_version // 10000
    return Path(find_server_binaries(major=major)) / "pg_dump"


def pg_dump(url: str, *options: str) -> str:
    """``pg_dump --schema-only`` as a user runs it (owners, grants and all), by the
    pg_dump of the server's own major version."""
    return subprocess.run(
        [str(pg_dump_of(url)), "--schema-only", *options, url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
