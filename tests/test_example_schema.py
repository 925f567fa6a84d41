"""The repository's own schema/: it applies to an empty database, and then nothing drifts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import Server, catalog_of, run_cli

EXAMPLE = Path(__file__).resolve().parents[1] / "schema"


def test_the_example_schema_applies_and_then_has_no_drift(
    server: Server, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--schema", str(EXAMPLE), "--database-url", database, "--dev-url", server.url]
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
