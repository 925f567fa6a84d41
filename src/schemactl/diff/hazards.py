"""The hazards of individual operations, each with the one-line reason a DBA reads."""

from __future__ import annotations

from schemactl.diff.changes import Hazard, HazardKind


def drop_table(name: str) -> tuple[Hazard, ...]:
    return (
        Hazard(HazardKind.DATA_LOSS, f"dropping table {name} deletes all its rows"),
        Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK, "DROP TABLE takes an ACCESS EXCLUSIVE lock (brief)"),
    )


def drop_column(table: str, column: str) -> tuple[Hazard, ...]:
    return (
        Hazard(HazardKind.DATA_LOSS, f"dropping column {column} of {table} deletes its values"),
        Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK, "metadata-only change under an ACCESS EXCLUSIVE lock"),
    )


def add_column(table: str, column: str, volatile_default: bool) -> tuple[Hazard, ...]:
    if volatile_default:
        return (
            Hazard(
                HazardKind.TABLE_REWRITE,
                f"adding {column} with a volatile default rewrites {table}",
            ),
            Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK, "held for the whole rewrite"),
        )
    return (
        Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK, "metadata-only change under an ACCESS EXCLUSIVE lock"),
    )


def drop_sequence(name: str) -> tuple[Hazard, ...]:
    return (Hazard(HazardKind.DATA_LOSS, f"dropping sequence {name} loses its current value"),)


def drop_schema(name: str) -> tuple[Hazard, ...]:
    return (Hazard(HazardKind.DATA_LOSS, f"dropping schema {name}"),)


def change_type(table: str, column: str, old: str, new: str) -> tuple[Hazard, ...]:
    return (
        Hazard(
            HazardKind.TABLE_REWRITE,
            f"{table}.{column} changes type {old} -> {new}: may rewrite the table and its indexes",
        ),
        Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK, "held for the whole rewrite"),
    )


def regenerate_column(table: str, column: str) -> tuple[Hazard, ...]:
    return (
        Hazard(
            HazardKind.TABLE_REWRITE,
            f"generated column {table}.{column} is dropped and re-added to change its expression",
        ),
    )


def set_not_null(table: str, column: str) -> tuple[Hazard, ...]:
    return (
        Hazard(
            HazardKind.VALIDATION_SCAN,
            f"SET NOT NULL on {table}.{column} scans the table to check existing rows",
        ),
        Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK, "held for the whole scan"),
    )


def build_index(name: str, table: str) -> tuple[Hazard, ...]:
    return (
        Hazard(HazardKind.INDEX_BUILD, f"building {name} blocks writes to {table} until it finishes"),
    )


def build_index_concurrently(name: str, table: str) -> tuple[Hazard, ...]:
    return (
        Hazard(
            HazardKind.INDEX_BUILD,
            f"building {name} concurrently: {table} stays writable, the build scans it twice",
        ),
    )


def validate_constraint(name: str, table: str) -> tuple[Hazard, ...]:
    return (
        Hazard(HazardKind.VALIDATION_SCAN, f"adding {name} scans {table} to check existing rows"),
        Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK, "held for the whole scan"),
    )


def validate_constraint_online(name: str, table: str) -> tuple[Hazard, ...]:
    return (
        Hazard(
            HazardKind.VALIDATION_SCAN,
            f"validating {name} scans {table}; reads and writes continue meanwhile",
        ),
    )


def rls_change(table: str) -> tuple[Hazard, ...]:
    return (Hazard(HazardKind.AUTHZ_CHANGE, f"row-level security on {table} changes who sees which rows"),)
