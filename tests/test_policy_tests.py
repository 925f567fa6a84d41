"""`schemactl test`: policy tests as code, run as stated roles against the desired state.

A test file is SQL whose comments say who runs each statement and what must
happen; each test runs in a transaction that is rolled back, so tests never see
each other's changes, only the fixtures.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.support import Server, run_cli, write_schema

EXAMPLE = Path(__file__).resolve().parents[1] / "schema"
EXAMPLE_TESTS = Path(__file__).resolve().parent / "schema"

ACCOUNTS = """
CREATE TABLE accounts (
    id int PRIMARY KEY,
    owner text NOT NULL,
    balance int NOT NULL CHECK (balance >= 0)
);
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY accounts_owner ON accounts TO tester_role
    USING (owner = current_setting('app.owner', true));
GRANT SELECT, UPDATE, DELETE ON accounts TO tester_role;
"""

FIXTURE = "INSERT INTO accounts VALUES (1, 'ann', 10), (2, 'ben', 20), (3, 'ann', 30);\n"


def _project(tmp_path: Path, tests: dict[str, str], schema: str = ACCOUNTS) -> list[str]:
    schema_dir = tmp_path / "schema"
    schema_dir.mkdir()
    write_schema(schema_dir, schema)
    tests_dir = tmp_path / "policy_tests"
    (tests_dir / "fixtures").mkdir(parents=True)
    (tests_dir / "fixtures" / "accounts.sql").write_text(FIXTURE)
    for name, text in tests.items():
        (tests_dir / name).write_text(text)
    return ["--schema", str(schema_dir), "--tests", str(tests_dir)]


def test_the_example_platforms_policy_claims_hold(
    server: Server, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    junit = tmp_path / "report.xml"
    args = ["--schema", str(EXAMPLE), "--tests", str(EXAMPLE_TESTS), "--dev-url", server.url]
    result = run_cli(capsys, "test", *args, "--junit", str(junit))
    assert result.code == 0, result.stdout + result.stderr
    assert " 0 failed" in result.stdout
    suites = ET.parse(junit).getroot()
    assert suites.get("failures") == "0"
    names = {case.get("name") for case in suites.iter("testcase")}
    for claim in (
        "bookings: a user sees and changes only their own rows",
        "bookings: the admin role sees every row",
        "social proof is readable by every customer",
        "the audit log cannot be updated, even by its owner",
        "the hash chain verifies after the application changes rows",
    ):
        assert claim in names


def test_a_broken_policy_fails_the_test_that_names_it(
    server: Server, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    schema_dir = tmp_path / "schema"
    shutil.copytree(EXAMPLE, schema_dir)
    security = schema_dir / "20_trips" / "99_security.sql"
    text = security.read_text()
    assert "USING (user_id = app_current_user_id())" in text
    security.write_text(text.replace("USING (user_id = app_current_user_id())", "USING (true)", 1))
    args = ["--schema", str(schema_dir), "--tests", str(EXAMPLE_TESTS), "--dev-url", server.url]
    result = run_cli(capsys, "test", *args)
    assert result.code == 1
    assert "FAIL  " in result.stdout
    assert "trips: a user sees and changes only their own rows" in result.stdout
    assert "expected rows = 1, got 3" in result.stdout
    assert "bookings: a user sees and changes only their own rows" not in [
        line.split(": ", 1)[-1] for line in result.stdout.splitlines() if line.startswith("FAIL")
    ]


def test_expectations_rows_errors_values_and_roles(
    server: Server, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    tests = """
-- test: ann sees her two accounts
-- as: tester_role
-- set: app.owner = 'ann'
-- expect: 2 rows
SELECT * FROM accounts;

-- expect: rows >= 1
SELECT * FROM accounts WHERE balance > 10;

-- expect: value = 40
SELECT sum(balance) FROM accounts;

-- test: ann cannot touch ben's account
-- as: tester_role
-- set: app.owner = 'ann'
-- expect: 0 rows
DELETE FROM accounts WHERE owner = 'ben';

-- expect: error 42501
INSERT INTO accounts VALUES (4, 'ann', 1);

-- expect: error check_violation
UPDATE accounts SET balance = -1 WHERE id = 1;

-- test: the fixtures are intact for every test
-- expect: 3 rows
SELECT * FROM accounts;
"""
    result = run_cli(
        capsys, "test", *_project(tmp_path, {"accounts.sql": tests}), "--dev-url", server.url
    )
    assert result.code == 0, result.stdout + result.stderr
    assert "3 passed, 0 failed" in result.stdout


def test_a_failed_expectation_names_its_file_and_line(
    server: Server, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    tests = "-- test: wrong count\n-- expect: 5 rows\nSELECT * FROM accounts;\n"
    args = _project(tmp_path, {"counts.sql": tests})
    result = run_cli(capsys, "test", *args, "--dev-url", server.url, "--format", "json")
    assert result.code == 1
    assert '"failed": 1' in result.stdout
    assert "counts.sql:3:1: expected rows = 5, got 3" in result.stdout


def test_an_unknown_expectation_is_a_clear_error_before_any_server_starts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    tests = "-- expect: plenty\nSELECT 1;\n"
    result = run_cli(
        capsys,
        "test",
        *_project(tmp_path, {"bad.sql": tests}),
        "--dev-url",
        "postgresql:///nowhere",
    )
    assert result.code == 1
    assert "bad.sql:1:1: unknown expectation 'plenty'" in result.stderr


@pytest.mark.needs("pgtap")
def test_pgtap_files_report_each_assertion(
    server: Server, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    tap = """
BEGIN;
SELECT plan(3);
SELECT has_table('accounts');
SELECT results_eq('SELECT count(*)::int FROM accounts', ARRAY[3], 'three accounts');
SELECT is(1, 2, 'one is two');
SELECT * FROM finish();
ROLLBACK;
"""
    args = _project(tmp_path, {"accounts_tap.sql": tap})
    result = run_cli(capsys, "test", *args, "--dev-url", server.url)
    assert result.code == 1, result.stderr
    assert "PASS" in result.stdout and "three accounts" in result.stdout
    assert "FAIL" in result.stdout and "one is two" in result.stdout
    assert "2 passed, 1 failed" in result.stdout
