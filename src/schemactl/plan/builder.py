"""Building a plan from two catalogs: the diff both ways, rendered."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from schemactl.catalog.equivalence import as_read_on_retyped_tables
from schemactl.catalog.fingerprint import fingerprint
from schemactl.catalog.model import Catalog
from schemactl.catalog.version_neutral import major_of
from schemactl.diff import diff_catalogs
from schemactl.diff.changes import Change
from schemactl.diff.privileges import CURRENT_USER
from schemactl.diff.renames import Rename, rename_suggestions
from schemactl.plan.deferred import Deferred
from schemactl.plan.model import Plan, Step
from schemactl.plan.render import render


def _steps(changes: list[Change]) -> tuple[Step, ...]:
    return tuple(
        Step(
            c.kind,
            c.name,
            c.action,
            render(c),
            c.hazards,
            c.transactional,
            c.separate,
            c.subject,
            c.attributes,
            c.preconditions,
        )
        for c in changes
    )


def build_plan(
    current: Catalog,
    desired: Catalog,
    online: bool = True,
    as_read: Catalog | None = None,
    owner: str | None = None,
) -> Plan:
    """The migration from ``current`` to ``desired`` and its rollback, from one engine.

    The rollback is always planned without online operations, so that it can run
    as one transaction. It gives what the migration gave away back to ``owner`` where
    the target's owner was the role that read it (default: that role, by name). The
    plan's fingerprint is of ``as_read`` (the target as read, before the comparison
    adjusted it; default ``current``). Both are worked out when first asked for."""
    warnings: list[str] = []
    versions = (desired.server_version, current.server_version)
    if all(versions) and major_of(versions[0]) != major_of(versions[1]):
        warnings.append(
            f"the dev server runs PostgreSQL {desired.server_version} and the target "
            f"{current.server_version} (--allow-version-mismatch): printed definitions and "
            "defaults differ between major versions, so review every step of this plan"
        )
    warnings += rename_suggestions(current, desired)
    restore_owner = owner or current.role or CURRENT_USER
    read = current if as_read is None else as_read
    return Plan(
        steps=_steps(diff_catalogs(current, desired, online)),
        deferred_rollback=Deferred(
            lambda: _steps(
                diff_catalogs(
                    desired,
                    as_read_on_retyped_tables(current, read, desired),
                    restore_owner=restore_owner,
                )
            )
        ),
        dev_server_version=desired.server_version,
        target_server_version=current.server_version,
        deferred_fingerprint=Deferred(lambda: fingerprint(read)),
        warnings=tuple(warnings),
    )


def with_renames(plan: Plan, renames: Sequence[Rename]) -> Plan:
    """``plan`` (computed with the renamed objects under their old names) followed by the
    renames, as they ran in the dev database from new names to old: the migration
    renames forwards last, in the reverse order; its rollback renames back first."""
    forwards = [rename.inverse().change() for rename in reversed(renames)]
    backwards = [rename.change() for rename in renames]
    return dataclasses.replace(
        plan,
        steps=(*plan.steps, *_steps(forwards)),
        deferred_rollback=Deferred(lambda: (*_steps(backwards), *plan.rollback)),
    )


def creation_steps(catalog: Catalog) -> tuple[Step, ...]:
    """The steps that create everything in ``catalog`` in an empty database: how the dev
    database is given the target's external objects, by the same engine as any plan."""
    return _steps(diff_catalogs(Catalog(server_version=catalog.server_version), catalog))
