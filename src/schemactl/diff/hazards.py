"""The hazards of individual operations, each with the one-line reason a DBA reads."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING

from schemactl.diff.changes import Change, Hazard, HazardKind
from schemactl.diff.type_changes import Cost, classify

if TYPE_CHECKING:
    from schemactl.diff.attach import BoundProof


def drop_table(name: str) -> tuple[Hazard, ...]:
    return (
        Hazard(HazardKind.DATA_LOSS, f"dropping table {name} deletes all its rows"),
        Hazard(
            HazardKind.ACCESS_EXCLUSIVE_LOCK, "DROP TABLE takes an ACCESS EXCLUSIVE lock (brief)"
        ),
    )


def drop_column(table: str, column: str) -> tuple[Hazard, ...]:
    return (
        Hazard(HazardKind.DATA_LOSS, f"dropping column {column} of {table} deletes its values"),
        Hazard(
            HazardKind.ACCESS_EXCLUSIVE_LOCK, "metadata-only change under an ACCESS EXCLUSIVE lock"
        ),
    )


def add_column(
    table: str, column: str, volatile_default: bool, computed: str = ""
) -> tuple[Hazard, ...]:
    """ADD COLUMN is metadata-only unless every row needs a value of its own: a volatile
    default (``random()``, ``nextval()``), or what ``computed`` names (an identity, a
    stored generated expression, a domain whose checks must see each row's value)."""
    if volatile_default or computed:
        why = computed or "a volatile default"
        return (
            Hazard(HazardKind.TABLE_REWRITE, f"adding {column} with {why} rewrites {table}"),
            Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK, "held for the whole rewrite"),
        )
    return (
        Hazard(
            HazardKind.ACCESS_EXCLUSIVE_LOCK, "metadata-only change under an ACCESS EXCLUSIVE lock"
        ),
    )


def drop_sequence(name: str) -> tuple[Hazard, ...]:
    return (Hazard(HazardKind.DATA_LOSS, f"dropping sequence {name} loses its current value"),)


def drop_schema(name: str) -> tuple[Hazard, ...]:
    return (Hazard(HazardKind.DATA_LOSS, f"dropping schema {name}"),)


def swap_type(name: str, columns: list[str]) -> tuple[Hazard, ...]:
    """A type PostgreSQL cannot alter in place, replaced while columns hold its values."""
    held = ", ".join(columns)
    return (
        Hazard(
            HazardKind.TABLE_REWRITE,
            f"{name} is replaced by a new type: {held} rewritten USING col::text::new "
            "(a row holding a removed value makes the conversion fail)",
        ),
        Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK, "held on each table for its rewrite"),
        Hazard(
            HazardKind.DEPENDENT_RECREATE,
            f"indexes on {held} are rebuilt; routines and views that use {name} are "
            "dropped and created again around the swap, domains and composite types over "
            "it are swapped along",
        ),
    )


def swap_along(name: str) -> tuple[Hazard, ...]:
    """A type built on a swapped type: it could not outlive the old one."""
    return (
        Hazard(
            HazardKind.DEPENDENT_RECREATE,
            f"{name} is built on a type that is replaced: it is replaced along, under a "
            "temporary name until the old types are dropped",
        ),
    )


def domain_check(name: str, check: str) -> tuple[Hazard, ...]:
    return (
        Hazard(
            HazardKind.VALIDATION_SCAN, f"{check} on domain {name} scans every column of that type"
        ),
    )


def drop_attribute(name: str, attribute: str) -> tuple[Hazard, ...]:
    return (
        Hazard(
            HazardKind.DATA_LOSS,
            f"dropping attribute {attribute} of {name} deletes it from every value of the type",
        ),
    )


def reattach_partition(partition: str, parent: str, proof: BoundProof) -> tuple[Hazard, ...]:
    """ATTACH scans the partition for rows outside its bound, and the parent's DEFAULT
    partition for rows that now belong to it, unless validated checks prove either
    (``proof``: added online first)."""
    scans = []
    if not proof.proven:
        scans.append(f"scans {partition} to check its rows fit the new bound")
    if proof.default and not proof.default_proven:
        scans.append(f"scans {proof.default}, {parent}'s DEFAULT partition, for rows that now "
                     f"belong to {partition}")  # fmt: skip
    scanning = (
        (Hazard(HazardKind.VALIDATION_SCAN, f"attaching {partition} to {parent} {' and '.join(scans)}"),)
        if scans else ()
    )  # fmt: skip
    return (
        *scanning,
        Hazard(
            HazardKind.ACCESS_EXCLUSIVE_LOCK,
            f"DETACH locks {parent}; rows outside the new bound make ATTACH fail",
        ),
    )


def rebuild_table(name: str, reason: str) -> tuple[Hazard, ...]:
    return (
        Hazard(
            HazardKind.DATA_MOVE,
            f"{name} cannot be altered in place ({reason}): its rows are copied aside, the table "
            "is dropped and created anew with what uses it (keys, views, policies, routines), "
            "and the rows copied back, all in one transaction; a row no partition accepts "
            "makes it fail and changes nothing",
        ),
        Hazard(HazardKind.TABLE_REWRITE, f"every row of {name} is written twice"),
        Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK, f"{name} is unavailable for the whole rebuild"),
    )


def change_type(
    table: str, column: str, old: str, new: str, collation_changes: bool = False
) -> tuple[Hazard, ...]:
    """What ``ALTER COLUMN ... TYPE`` does, as PostgreSQL decides it (type_changes.toml):
    a relabel keeps the table and its indexes; anything else rewrites both."""
    change = classify(old, new)
    if change.cost is Cost.RELABEL:
        if old == new and collation_changes:
            reason = (
                f"{table}.{column} changes collation only: no rewrite, no scan; indexes "
                "that use it are rebuilt under an ACCESS EXCLUSIVE lock"
            )
        elif change.rebuilds_indexes or collation_changes:
            reason = (
                f"{table}.{column} {old} -> {new} is binary coercible: no rewrite, no scan; "
                "indexes that use it are rebuilt under an ACCESS EXCLUSIVE lock"
            )
        else:
            reason = (
                f"{table}.{column} {old} -> {new} is binary coercible: no rewrite, no scan, "
                "indexes kept; metadata-only change under an ACCESS EXCLUSIVE lock"
            )
        return (Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK, reason),)
    unless = f" unless {change.condition}" if change.cost is Cost.DEPENDS else ""
    return (
        Hazard(
            HazardKind.TABLE_REWRITE,
            f"{table}.{column} changes type {old} -> {new}: rewrites the table and rebuilds "
            f"its indexes{unless}",
        ),
        Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK, "held for the whole rewrite"),
    )


def set_persistence(table: str, unlogged: bool) -> tuple[Hazard, ...]:
    target = "UNLOGGED" if unlogged else "LOGGED"
    return (
        Hazard(
            HazardKind.TABLE_REWRITE,
            f"SET {target} rewrites {table} and its indexes"
            + ("" if unlogged else ", all of it written to the WAL"),
        ),
        Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK, "held for the whole rewrite"),
    )


def regenerate_column(
    table: str, column: str, why: str = "to change its expression"
) -> tuple[Hazard, ...]:
    return (
        Hazard(
            HazardKind.TABLE_REWRITE,
            f"generated column {table}.{column} is dropped and re-added {why}: "
            "its values are computed again",
        ),
    )


def set_expression(table: str, column: str, stored: bool) -> tuple[Hazard, ...]:
    if not stored:  # a VIRTUAL column (PostgreSQL 18) is computed when read
        return (
            Hazard(
                HazardKind.ACCESS_EXCLUSIVE_LOCK,
                f"generated column {table}.{column} gets its expression under a brief lock",
            ),
        )
    return (
        Hazard(
            HazardKind.TABLE_REWRITE,
            f"generated column {table}.{column} gets its expression in place: {table} is "
            "rewritten and the column's values computed again",
        ),
        Hazard(
            HazardKind.ACCESS_EXCLUSIVE_LOCK,
            f"reads and writes of {table} wait for the rewrite",
        ),
    )


def reattach_to_rename(partition: str, parent: str) -> tuple[Hazard, ...]:
    """An inherited NOT NULL constraint is renamed only while its partition is detached."""
    return (
        Hazard(
            HazardKind.VALIDATION_SCAN,
            f"{partition} is detached from {parent} to rename its NOT NULL constraints, and "
            "attaching it again scans it to check its rows fit its bound",
        ),
        Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK, f"DETACH locks {parent}"),
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
    """CREATE INDEX takes a SHARE lock: reads go on, writes wait for the build."""
    return (
        Hazard(
            HazardKind.INDEX_BUILD, f"building {name} blocks writes to {table} until it finishes"
        ),
    )


def build_key_index(name: str, table: str) -> tuple[Hazard, ...]:
    """ADD PRIMARY KEY / UNIQUE / EXCLUDE builds its index under ACCESS EXCLUSIVE."""
    return (
        Hazard(HazardKind.INDEX_BUILD, f"adding {name} builds its index over every row of {table}"),
        Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK, "held for the whole build: reads and writes wait"),
    )


def build_index_concurrently(name: str, table: str) -> tuple[Hazard, ...]:
    return (
        Hazard(
            HazardKind.INDEX_BUILD,
            f"building {name} concurrently: {table} stays writable, the build scans it twice",
        ),
    )


def validate_constraint(name: str, table: str, references: str | None = None) -> tuple[Hazard, ...]:
    """Adding a CHECK scans under ACCESS EXCLUSIVE; a foreign key scans under SHARE ROW
    EXCLUSIVE on both tables (writes wait, reads go on)."""
    if references is not None:
        both = table if references == table else f"{table} and {references}"
        return (
            Hazard(
                HazardKind.VALIDATION_SCAN,
                f"adding {name} scans {table} for rows without a match in {references}; "
                f"writes to {both} wait for the scan (SHARE ROW EXCLUSIVE), reads go on",
            ),
        )
    return (
        Hazard(HazardKind.VALIDATION_SCAN, f"adding {name} scans {table} to check existing rows"),
        Hazard(HazardKind.ACCESS_EXCLUSIVE_LOCK, "held for the whole scan"),
    )


def validate_constraint_online(name: str, table: str) -> tuple[Hazard, ...]:
    """VALIDATE CONSTRAINT takes SHARE UPDATE EXCLUSIVE: reads and writes go on."""
    return (
        Hazard(
            HazardKind.VALIDATION_SCAN,
            f"validating {name} scans {table}; reads and writes continue meanwhile",
        ),
    )


def rls_change(table: str) -> tuple[Hazard, ...]:
    return (
        Hazard(
            HazardKind.AUTHZ_CHANGE, f"row-level security on {table} changes who sees which rows"
        ),
    )


def policy_change(policy: str, table: str, verb: str) -> tuple[Hazard, ...]:
    return (
        Hazard(
            HazardKind.AUTHZ_CHANGE,
            f"{verb} policy {policy} on {table} changes who sees which rows",
        ),
    )


def privilege_change(target: str) -> tuple[Hazard, ...]:
    return (Hazard(HazardKind.AUTHZ_CHANGE, f"changes who may use {target}"),)


def default_privilege_change(object_type: str) -> tuple[Hazard, ...]:
    return (
        Hazard(HazardKind.AUTHZ_CHANGE, f"changes the privileges future {object_type.lower()} get"),
    )


def owner_change(target: str, owner: str) -> tuple[Hazard, ...]:
    return (
        Hazard(HazardKind.AUTHZ_CHANGE, f"{target} is given to {owner}, with all an owner may do"),
    )


def settle_new_objects(changes: Iterable[Change]) -> list[Change]:
    """Grants, policies and row security given to an object the same migration creates
    are part of its definition: nobody could use it before, so nothing changes for
    anyone. ``authz_change`` is for objects that exist (a replaced object keeps it)."""
    changes = list(changes)
    created: set[tuple[str, str]] = set()
    dropped: set[tuple[str, str]] = set()
    for change in changes:
        subject = change.subject
        if subject is None:
            continue
        if subject.part_kind == "partition":
            whole = ("table", _qualified_like(subject.name, subject.part))
            (created if change.action == "create" else dropped).add(whole)
        elif not subject.part_kind and change.action in ("create", "drop"):
            (created if change.action == "create" else dropped).add(subject.top)
    new = created - dropped
    return [
        dataclasses.replace(
            change, hazards=tuple(h for h in change.hazards if h.kind != HazardKind.AUTHZ_CHANGE)
        )
        if change.subject is not None and change.subject.top in new and change.hazards
        else change
        for change in changes
    ]


def _qualified_like(parent: str, name: str) -> str:
    """A partition's name, qualified by its parent's schema (partitions may live in
    another schema; then this finds no match and the hazard stays, which is safe)."""
    schema = parent.rsplit(".", 1)[0] if "." in parent else ""
    return f"{schema}.{name}" if schema else name


def unschedule_job(name: str) -> tuple[Hazard, ...]:
    return (
        Hazard(
            HazardKind.JOB_REMOVED,
            f"unscheduling pg_cron job {name} stops the work it does",
        ),
    )


def move_default_rows(default: str, partition: str) -> tuple[Hazard, ...]:
    return (
        Hazard(
            HazardKind.DATA_MOVE,
            f"rows of {default} that fall in the range of {partition} move into it "
            "(in the same transaction)",
        ),
        Hazard(
            HazardKind.ACCESS_EXCLUSIVE_LOCK,
            f"{default} is detached and attached again: locks its parent while its rows move",
        ),
    )


def column_storage_change(table: str, column: str, what: str) -> tuple[Hazard, ...]:
    """SET STORAGE and SET COMPRESSION apply to values written from now on: no rewrite."""
    return (
        Hazard(
            HazardKind.ACCESS_EXCLUSIVE_LOCK,
            f"{what} of {table}.{column}: metadata-only change under an ACCESS EXCLUSIVE lock",
        ),
    )


def _also_used(used_in: tuple[str, ...]) -> str:
    return f"; databases {', '.join(used_in)} use it too" if used_in else ""


def alter_role(name: str, what: str, used_in: tuple[str, ...]) -> tuple[Hazard, ...]:
    return (
        Hazard(
            HazardKind.AUTHZ_CHANGE,
            f"changes role {name} ({what}) for the whole server{_also_used(used_in)}",
        ),
    )


def role_membership(member: str, role: str, verb: str) -> tuple[Hazard, ...]:
    return (Hazard(HazardKind.AUTHZ_CHANGE, f"{member} {verb} the privileges of {role}"),)


def drop_role(name: str, login: bool, used_in: tuple[str, ...]) -> tuple[Hazard, ...]:
    reason = f"drops role {name} from the whole server, as the schema's DROP ROLE says"
    if login:
        reason += "; it can log in, and no one will log in as it again"
    if used_in:
        reason += (
            f"; databases {', '.join(used_in)} use it (it owns objects or holds privileges "
            "there): DROP ROLE fails until they no longer do"
        )
    return (Hazard(HazardKind.ROLE_DROP, reason),)
