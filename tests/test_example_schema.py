"""The repository's own schema/, on every PostgreSQL major version of the matrix: it
applies to an empty database, and then nothing drifts, also for the dev server
schemactl starts itself, of the target's major version.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support import Server, catalog_of, run_cli, skip_unless_loads

pytestmark = pytest.mark.version_matrix  # once per PostgreSQL major version (tests/conftest.py)

EXAMPLE = Path(__file__).resolve().parents[1] / "schema"


# What schema/ uses that PostgreSQL 14 lacks, and the nearest 14 has.
NEWER_THAN_14 = {
    " WITH (security_invoker = true) AS": " AS",
    "UNIQUE NULLS NOT DISTINCT (prev_hash)": "UNIQUE (prev_hash)",
}


def example_for(server: Server, tmp_path: Path) -> Path:
    """schema/, or on PostgreSQL 14 a copy without the two 15-only clauses it uses."""
    if server.major >= 15:
        return EXAMPLE
    copy = tmp_path / "schema"
    shutil.copytree(EXAMPLE, copy)
    for path in copy.rglob("*.sql"):
        text = path.read_text()
        for newer, older in NEWER_THAN_14.items():
            text = text.replace(newer, older)
        path.write_text(text)
    return copy


def test_the_example_schema_applies_and_then_has_no_drift(
    server: Server, database: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    example = example_for(server, tmp_path)
    skip_unless_loads(server, example)
    args = ["--schema", str(example), "--database-url", database, "--dev-url", server.url]
    applied = run_cli(capsys, "apply", *args, "--auto-approve")
    assert applied.code == 0, applied.stderr
    assert run_cli(capsys, "drift", *args).code == 0
    again = run_cli(capsys, "plan", *args, "--exit-code")
    assert again.code == 0, again.stdout
    tables = catalog_of(database).tables
    for name in (
        "users",
        "user_profiles",
        "user_sessions",
        "trips",
        "bookings",
        "conversations",
        "notifications",
        "user_events",
        "agent_feedback",
        "plans",
        "plan_activities",
        "price_watches",
        "flight_cache",
        "search_analytics",
        "rate_limits",
        "saved_searches",
        "user_favorites",
        "passenger_details",
    ):
        assert f"public.{name}" in tables


def test_a_database_the_targets_version_built_plans_empty_without_a_dev_url(
    server: Server,
    database: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Built from schema/ by a server of its own major version, then checked by the dev
    server schemactl starts itself: of that version too, so nothing shows as a change.
    (On 14, the example without the two clauses 14 lacks.)"""
    example = example_for(server, tmp_path)
    skip_unless_loads(server, example)
    built = run_cli(
        capsys, "apply", "--schema", str(example), "--database-url", database,
        "--dev-url", server.url, "--auto-approve",
    )  # fmt: skip
    assert built.code == 0, built.stderr
    monkeypatch.delenv("SCHEMACTL_DEV_URL", raising=False)

    result = run_cli(
        capsys, "plan", "--schema", str(example), "--database-url", database, "--format", "json"
    )

    assert result.code == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["dev_server_version"].split(".")[0] == str(server.major)
    assert plan["steps"] == [], [step["sql"] for step in plan["steps"]]
    assert not [w for w in plan["warnings"] if "--allow-version-mismatch" in w]
