"""Versioned migrations: files on disk, their manifest, replay, apply, verify, rollback, status.

Modules here import the diff and plan packages but never decide what to change
themselves: a migration's SQL comes from the same engine ``plan`` uses. This
package file imports nothing, so that ``apply.history`` may use the fingerprint
module without an import cycle.
"""
