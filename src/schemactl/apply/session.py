"""Session settings every migration runs under, declarative apply and migration files alike."""

from __future__ import annotations

import contextlib

import psycopg

SETTINGS_RESET_AFTER_STATEMENTS = ("lock_timeout", "statement_timeout", "check_function_bodies")


def migration_settings(
    conn: psycopg.Connection,
    lock_timeout: str | None,
    statement_timeout: str | None,
    local: bool,
) -> None:
    """Timeouts for the migration, and function bodies left unchecked at creation: the
    desired state's bodies were validated in the dev database, and a body may name
    objects that the same migration creates later."""
    if lock_timeout:
        conn.execute("SELECT set_config('lock_timeout', %s, %s)", (lock_timeout, local))
    if statement_timeout:
        conn.execute("SELECT set_config('statement_timeout', %s, %s)", (statement_timeout, local))
    conn.execute("SELECT set_config('check_function_bodies', 'off', %s)", (local,))


def reset_migration_settings(conn: psycopg.Connection) -> None:
    """Undo session-level settings after a statement that ran outside a transaction."""
    with contextlib.suppress(psycopg.Error):
        for name in SETTINGS_RESET_AFTER_STATEMENTS:
            conn.execute(f"RESET {name}".encode())
