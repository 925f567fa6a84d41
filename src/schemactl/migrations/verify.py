"""``verify``: does everything still agree with everything else?

Five checks, each reported by name with every failure it found:

1. manifest: the folder's files against ``schemactl.sum``;
2. history: the target's applied migrations against the files (same checksums,
   no gaps, no versions without a file);
3. migrations: the live schema against the replay of the applied migrations in
   a dev database;
4. schema: once every migration is applied, the live schema against the schema
   folder itself;
5. verify scripts: each applied migration's ``.verify.sql`` assertion queries
   must all return true; they run in a transaction that is always rolled back.

Without a database only the manifest can be checked; the rest are skipped, and
say so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from schemactl.apply.history import RUNNING, HistoryRow, checksum, read_history
from schemactl.catalog import introspect
from schemactl.catalog.equivalence import reconcile_equivalent
from schemactl.config import Scope
from schemactl.db import connect
from schemactl.devdb import dev_database, dev_server
from schemactl.devdb.versions import connection_major
from schemactl.diff import diff_catalogs
from schemactl.diff.changes import Change
from schemactl.diff.partition_rules import without_rule_partitions
from schemactl.errors import SchemactlError
from schemactl.migrations import manifest
from schemactl.migrations.deploy import applied_migrations
from schemactl.migrations.errors import MigrationError
from schemactl.migrations.files import Migration, MigrationFolder, read_folder
from schemactl.migrations.replay import replay, script_statements
from schemactl.migrations.script import parse_script
from schemactl.pipeline import DesiredSource, external_objects, plan_against, without_received
from schemactl.plan import Step
from schemactl.source import read_desired_state
from schemactl.source.partition_rules import PartitionRule, read_partition_rules

OK = "ok"
FAILED = "failed"
SKIPPED = "skipped"

# What a change that would fix the live schema says about it.
STATE_OF_ACTION = {"create": "missing", "drop": "unexpected", "alter": "changed"}


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    failures: tuple[str, ...] = ()
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "failures": list(self.failures),
            "note": self.note,
        }


def _check(name: str, failures: list[str], note: str = "") -> Check:
    return Check(name, FAILED if failures else OK, tuple(failures), note)


@dataclass(frozen=True)
class VerifyReport:
    checks: tuple[Check, ...]

    @property
    def failed(self) -> bool:
        return any(c.status == FAILED for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": 1,
            "ok": not self.failed,
            "checks": [c.to_json() for c in self.checks],
        }


@dataclass(frozen=True)
class VerifyRequest:
    migrations_dir: Path
    schema_dir: Path | None = None
    database_url: str | None = None
    dev_url: str | None = None
    pg_bin: str | None = None
    scope: Scope = field(default_factory=Scope)
    allow_version_mismatch: bool = False


def check_manifest(folder: MigrationFolder) -> Check:
    failures = list(folder.problems) + manifest.check(folder.path)
    return _check("manifest", failures, f"{len(folder.migrations)} migration(s) in {folder.path}")


def check_history(folder: MigrationFolder, rows: list[HistoryRow]) -> Check:
    applied = applied_migrations(rows)
    failures: list[str] = []
    for version, row in sorted(applied.items(), key=lambda item: int(item[0])):
        migration = folder.find(version)
        if migration is None:
            failures.append(f"{version}_{row.name}: applied, but no such migration in the folder")
            continue
        if row.state == RUNNING:
            failures.append(f"{migration.up.name}: only partly applied ({row.progress} statements)")
        elif checksum(migration.up_text()) != row.checksum:
            failures.append(f"{migration.up.name}: changed since it was applied")
        if row.state != RUNNING and checksum(migration.down_text()) != checksum(row.down_sql):
            down = migration.down.name if migration.down else f"{migration.id}.down.sql"
            failures.append(
                f"{down}: differs from the down script recorded when it was applied "
                "(rollback uses the recorded one)"
            )
    newest = max((int(v) for v in applied), default=-1)
    for migration in folder.migrations:
        if migration.version not in applied and int(migration.version) < newest:
            failures.append(
                f"{migration.up.name}: pending, but a later migration is applied (a gap)"
            )
    pending = sum(1 for m in folder.migrations if m.version not in applied)
    return _check("history", failures, f"{len(applied)} applied, {pending} pending")


def _describe(changes: list[Change] | tuple[Step, ...]) -> list[str]:
    return [f"{STATE_OF_ACTION.get(c.action, c.action)} {c.kind} {c.name}" for c in changes]


def check_replay(
    conn: psycopg.Connection,
    server: str,
    applied: list[Migration],
    scope: Scope,
    rules: Sequence[PartitionRule] = (),
) -> Check:
    upto = applied[-1].id if applied else "none"
    note = f"live schema vs the replay of {len(applied)} applied migration(s) (up to {upto})"
    external = external_objects(conn, script_statements(applied), scope)
    with dev_database(server) as dev:
        try:
            replay(dev.url, applied, external)
        except MigrationError as exc:
            return _check("migrations", [f"replaying the applied migrations fails: {exc}"], note)
        dev_conn = connect(dev.url, "dev database")
        try:
            expected = without_received(introspect(dev_conn, scope), external)
            live = without_received(introspect(conn, scope), external)
            # Partitions the upkeep made are not the migrations': compared on neither side.
            expected = without_rule_partitions(expected, rules)
            live = without_rule_partitions(live, rules)
            live = reconcile_equivalent(dev_conn, live, expected)
        finally:
            dev_conn.close()
    failures = [f"live schema: {line}" for line in _describe(diff_catalogs(live, expected))]
    return _check("migrations", failures, note)


def check_schema(
    conn: psycopg.Connection, server: str, schema_dir: Path, scope: Scope, allow_mismatch: bool
) -> Check:
    # Migration files do not carry rolling partitions: those are the upkeep's (a job or
    # schemactl partitions), so they are left out rather than planned here.
    source = DesiredSource(
        schema_dir, dev_url=server, allow_version_mismatch=allow_mismatch, upkeep=False
    )
    plan = plan_against(conn, source, scope)
    failures = [f"live schema: {line}" for line in _describe(plan.steps)]
    return _check("schema", failures, f"live schema vs {schema_dir}")


def _assertion_failure(cursor: psycopg.Cursor[Any]) -> str | None:
    if cursor.description is None:
        return None
    rows = cursor.fetchall()
    if not rows:
        return "returned no rows"
    if not all(row and row[0] is True for row in rows):
        return "returned false"
    return None


def check_verify_scripts(conn: psycopg.Connection, applied: list[Migration]) -> Check:
    failures: list[str] = []
    scripts = [m for m in applied if m.verify is not None]
    for migration in scripts:
        assert migration.verify is not None
        try:
            script = parse_script(migration.verify.read_text(), migration.verify.name)
        except (MigrationError, OSError) as exc:
            failures.append(str(exc))
            continue
        with conn.transaction(force_rollback=True):
            for statement in script.statements:
                where = f"{migration.verify.name}:{statement.line}"
                try:
                    with conn.transaction():
                        problem = _assertion_failure(conn.execute(statement.sql.encode()))
                except psycopg.Error as exc:
                    problem = " ".join((exc.diag.message_primary or str(exc)).split())
                if problem:
                    failures.append(f"{where}: {problem} (`{statement.summary}`)")
    return _check("verify scripts", failures, f"{len(scripts)} verify script(s) run")


def _rules(schema_dir: Path | None) -> list[PartitionRule]:
    """The schema folder's rolling partition rules, if there is a folder to read."""
    if schema_dir is None or not schema_dir.is_dir():
        return []
    return read_partition_rules(read_desired_state(schema_dir, allow_empty=True))


def verify(request: VerifyRequest) -> VerifyReport:
    folder = read_folder(request.migrations_dir)
    if not folder.exists:
        raise SchemactlError(f"migrations folder {request.migrations_dir} does not exist")
    checks = [check_manifest(folder)]
    if not request.database_url:
        reason = "no database to check (pass --database-url or set DATABASE_URL)"
        names = ("history", "migrations", "schema", "verify scripts")
        return VerifyReport((*checks, *(Check(n, SKIPPED, note=reason) for n in names)))
    conn = connect(request.database_url, "target database")
    try:
        rows = read_history(conn)
        checks.append(check_history(folder, rows))
        applied_rows = applied_migrations(rows)
        applied = [
            m
            for m in folder.migrations
            if m.version in applied_rows and applied_rows[m.version].state != RUNNING
        ]
        pending = len(folder.migrations) - len(applied)
        with dev_server(
            request.dev_url,
            request.pg_bin,
            major=connection_major(conn),
            allow_version_mismatch=request.allow_version_mismatch,
        ) as server:
            checks.append(
                check_replay(conn, server, applied, request.scope, _rules(request.schema_dir))
            )
            if request.schema_dir is None:
                checks.append(Check("schema", SKIPPED, note="no schema folder given"))
            elif not request.schema_dir.is_dir():
                checks.append(
                    Check("schema", SKIPPED, note=f"schema folder {request.schema_dir} not found")
                )
            elif pending:
                checks.append(
                    Check(
                        "schema",
                        SKIPPED,
                        note=f"{pending} migration(s) pending: compared once all are applied",
                    )
                )
            else:
                checks.append(
                    check_schema(
                        conn,
                        server,
                        request.schema_dir,
                        request.scope,
                        request.allow_version_mismatch,
                    )
                )
        checks.append(check_verify_scripts(conn, applied))
    finally:
        conn.close()
    return VerifyReport(tuple(checks))
