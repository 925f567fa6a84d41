"""Every conformance case's desired state, dumped, plans empty against its source.

For each case: a database D is loaded with setup + new (the case's desired schema,
as a real database would hold it); ``schemactl dump`` writes D out as a schema
folder; ``schemactl plan --exit-code`` of that folder against D must find nothing.
A case whose SQL does not load on this server is skipped as such. Cases that do
not pass yet are listed with their reason in expected_dump_failures.toml and run
as strict xfail, so a fix is noticed.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import psycopg
import pytest

from schemactl.devdb.loader import ensure_roles
from tests.conformance.corpus import CORPUS, Case, cases
from tests.support import run_cli

ALL_CASES = cases()
EXPECTED_DUMP_FAILURES = Path(__file__).with_name("expected_dump_failures.toml")

pytestmark = [pytest.mark.conformance, pytest.mark.version_matrix("corpus")]

if not ALL_CASES:
    pytest.skip(
        f"conformance corpus not found at {CORPUS} (../shared is absent)", allow_module_level=True
    )


def expected_failures() -> dict[str, str]:
    data = tomllib.loads(EXPECTED_DUMP_FAILURES.read_text())
    return {key: str(value) for key, value in data.get("cases", {}).items()}


EXPECTED = expected_failures()


def _param(case: Case) -> object:
    marks = []
    if case.id in EXPECTED:
        marks.append(pytest.mark.xfail(reason=EXPECTED[case.id], strict=True))
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in ALL_CASES])
def test_dump_of_the_desired_state_plans_empty(
    case: Case, server, database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with psycopg.connect(server.url, autocommit=True) as conn:
        ensure_roles(conn, case.roles)
    try:
        with psycopg.connect(database, autocommit=True) as conn:
            for part in (case.setup_sql(), case.new_sql()):
                if part.strip():
                    conn.execute(part.encode())
    except psycopg.Error as exc:
        pytest.skip(f"does not load on this server: {exc.diag.message_primary}")
    folder = tmp_path / "schema"
    dumped = run_cli(capsys, "dump", "--database-url", database, "--out", str(folder))
    assert dumped.code == 0, dumped.stderr
    assert not (folder / "other.sql").exists(), "a statement whose object has no home"
    folder.mkdir(exist_ok=True)  # a case whose state is all built in: nothing to write
    planned = run_cli(
        capsys, "plan", "--schema", str(folder), "--database-url", database,
        "--dev-url", server.url, "--allow-empty", "--exit-code",
    )  # fmt: skip
    assert planned.code == 0, planned.stdout + planned.stderr
