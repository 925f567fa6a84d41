"""The conformance corpus: every case must round-trip (see ../shared/conformance/README.md).

For each case: T is loaded with setup + old, W with setup + new; schemactl
applies the case's schema folder to T; then T and W must have the same schema
(pg_dump, normalized), and a drift check of T must find nothing. Then a rollback
must bring T back to the schema of setup + old, or refuse as NOT REVERSIBLE exactly
when the apply dropped data (tests/conformance/rollback.py). A case whose
SQL does not load on this server is skipped as such. Cases that do not pass yet
are listed with their reason in expected_failures.toml and run as strict xfail,
so a fix is noticed.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from schemactl.devdb.loader import ensure_roles
from tests.conformance.corpus import CORPUS, Case, cases, expected_failures
from tests.conformance.dump import canonical_schema, normalized_schema
from tests.conformance.rollback import check_rollback, write_rollback_report
from tests.support import run_cli

ALL_CASES = cases()
EXPECTED = expected_failures()

pytestmark = [pytest.mark.conformance, pytest.mark.version_matrix("corpus")]

if not ALL_CASES:
    pytest.skip(
        f"conformance corpus not found at {CORPUS} (../shared is absent)", allow_module_level=True
    )


def _param(case: Case) -> object:
    marks = []
    if case.id in EXPECTED:
        marks.append(pytest.mark.xfail(reason=EXPECTED[case.id], strict=True))
    return pytest.param(case, id=case.id, marks=marks)


def _load(url: str, *parts: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for part in parts:
            if part.strip():
                conn.execute(part.encode())


def _second_database(server_url: str, database: str, suffix: str) -> str:
    name = psycopg.conninfo.conninfo_to_dict(database)["dbname"] + suffix
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    return psycopg.conninfo.make_conninfo(database, dbname=name)


@pytest.mark.parametrize("case", [_param(c) for c in ALL_CASES])
def test_case_round_trips(
    case: Case,
    server,
    database: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    record_property,
) -> None:
    with psycopg.connect(server.url, autocommit=True) as conn:
        ensure_roles(conn, case.roles)
    wanted = _second_database(server.url, database, "_w")
    try:
        try:
            _load(database, case.setup_sql(), case.old_sql())
            _load(wanted, case.setup_sql(), case.new_sql())
        except psycopg.Error as exc:
            pytest.skip(f"does not load on this server: {exc.diag.message_primary}")
        schema = tmp_path / "schema"
        schema.mkdir()
        for name, text in case.schema_files().items():
            (schema / name).write_text(text)
        common = ["--schema", str(schema), "--database-url", database, "--dev-url", server.url]

        applied = run_cli(capsys, "apply", *common, "--auto-approve", "--allow-destructive")
        assert applied.code == 0, applied.stderr or applied.stdout

        if normalized_schema(database) != normalized_schema(wanted):
            assert canonical_schema(server.url, database) == canonical_schema(server.url, wanted)

        drift = run_cli(capsys, "drift", *common, "--format", "json")
        assert drift.code == 0, drift.stdout + drift.stderr

        outcome = check_rollback(case, server.url, database, capsys)
        record_property("rollback", outcome)
        write_rollback_report(case, outcome, server.major)
    finally:
        with psycopg.connect(server.url, autocommit=True) as conn:
            name = psycopg.conninfo.conninfo_to_dict(wanted)["dbname"]
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
