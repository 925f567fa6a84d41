"""Errors that end a command with exit code 1 and a one-line message.

Every failure a user can cause (bad SQL, unreachable server, refused plan) is
raised as a :class:`SchemactlError` so the CLI can print it without a traceback
and without leaking credentials.
"""

from __future__ import annotations

from dataclasses import dataclass


class SchemactlError(Exception):
    """A failure explained to the user; the CLI prints it and exits with 1."""


@dataclass(frozen=True)
class SourceLocation:
    """A place in a schema file, 1-based like editors show it."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class SchemaSourceError(SchemactlError):
    """The schema folder holds something that cannot become the desired state."""

    def __init__(self, location: SourceLocation, message: str) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.detail = message


class ConnectionFailed(SchemactlError):
    """A server could not be reached or refused us; the message is redacted."""


class PlanRefused(SchemactlError):
    """Apply refused to run a plan (hazards not allowed, no confirmation)."""


class DevDatabaseError(SchemactlError):
    """No dev database could be provided."""


class RehearsalFailed(SchemactlError):
    """A rehearsed step failed on the target (everything was rolled back)."""
