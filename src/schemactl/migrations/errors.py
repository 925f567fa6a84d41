"""Errors of the migration lifecycle; each ends a command with exit code 1 and one line."""

from __future__ import annotations

from schemactl.errors import PlanRefused, SchemactlError


class MigrationError(SchemactlError):
    """A migration folder, file or script that cannot be used as it is."""


class ManifestMismatch(MigrationError):
    """The files in migrations/ are not the ones schemactl.sum was written for."""


class ScriptFailed(MigrationError):
    """A statement of a script failed on a database."""


class RollbackRefused(PlanRefused):
    """A rollback that would not restore the schema safely, refused without --force."""
