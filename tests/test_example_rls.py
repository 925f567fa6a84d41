"""Row-level security of the example schema: applied by schemactl, exercised as the app roles.

A user sees and writes only their own rows; the admin role sees everything;
social-proof data is public to the application.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from schemactl.devdb.loader import ensure_roles
from tests.support import Server, run_cli, skip_unless_loads

pytestmark = pytest.mark.version_matrix  # once per PostgreSQL major version (tests/conftest.py)

EXAMPLE = Path(__file__).resolve().parents[1] / "schema"
ALICE, BOB = uuid.uuid4(), uuid.uuid4()


@pytest.fixture
def platform(server: Server, database: str, capsys: pytest.CaptureFixture[str]) -> Iterator[str]:
    """The example schema applied by schemactl, with two users who each have a booking."""
    skip_unless_loads(server, EXAMPLE)
    with psycopg.connect(server.url, autocommit=True) as conn:
        ensure_roles(conn, {"app_user", "app_admin"})
    args = ["--schema", str(EXAMPLE), "--database-url", database, "--dev-url", server.url]
    applied = run_cli(capsys, "apply", *args, "--auto-approve")
    assert applied.code == 0, applied.stderr
    with psycopg.connect(database, autocommit=True) as conn:
        for user_id, email in ((ALICE, "alice@example.com"), (BOB, "bob@example.com")):
            conn.execute(
                "INSERT INTO users (id, email, password_hash) VALUES (%s, %s, 'x')",
                (user_id, email),
            )
            conn.execute(
                "INSERT INTO bookings (user_id, booking_type, booking_details, base_amount)"
                " VALUES (%s, 'hotel', '{}', 100)",
                (user_id,),
            )
    yield database


def as_role(url: str, role: str, user_id: uuid.UUID | None = None) -> psycopg.Connection:
    conn = psycopg.connect(url)
    conn.execute(f"SET ROLE {role}")
    if user_id is not None:
        conn.execute("SELECT set_config('app.user_id', %s, false)", (str(user_id),))
    return conn


def test_a_user_sees_only_their_own_rows(platform: str) -> None:
    with as_role(platform, "app_user", ALICE) as conn:
        users = conn.execute("SELECT id FROM users").fetchall()
        bookings = conn.execute("SELECT user_id FROM bookings").fetchall()
    assert users == [(ALICE,)]
    assert bookings == [(ALICE,)]


def test_a_user_cannot_write_another_users_rows(platform: str) -> None:
    with as_role(platform, "app_user", ALICE) as conn:
        updated = conn.execute(
            "UPDATE bookings SET supplier_name = 'mine now' WHERE user_id = %s", (BOB,)
        )
        assert updated.rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO bookings (user_id, booking_type, booking_details, base_amount)"
                " VALUES (%s, 'hotel', '{}', 1)",
                (BOB,),
            )


def test_without_a_user_id_nothing_is_visible(platform: str) -> None:
    with as_role(platform, "app_user") as conn:
        assert conn.execute("SELECT count(*) FROM bookings").fetchone() == (0,)


def test_the_admin_role_sees_everything(platform: str) -> None:
    with as_role(platform, "app_admin") as conn:
        assert conn.execute("SELECT count(*) FROM bookings").fetchone() == (2,)


def test_social_proof_is_readable_by_the_application(platform: str) -> None:
    with as_role(platform, "app_user", ALICE) as conn:
        conn.execute("SELECT * FROM hotel_social_proof").fetchall()
