"""The diff engine: every per-kind differ over one comparison, in migration order.

The same engine runs in both directions: ``diff_catalogs(current, desired)``
is the migration, ``diff_catalogs(desired, current)`` its rollback.
"""

from __future__ import annotations

from collections.abc import Callable

from schemactl.catalog.model import Catalog
from schemactl.catalog.version_neutral import version_neutral
from schemactl.diff.changes import Change
from schemactl.diff.collations import diff_casts, diff_collations
from schemactl.diff.constraints import diff_constraints
from schemactl.diff.context import DiffContext
from schemactl.diff.describe import describe
from schemactl.diff.early_builds import builds_first
from schemactl.diff.hazards import settle_new_objects
from schemactl.diff.indexes import diff_indexes
from schemactl.diff.jobs import diff_jobs
from schemactl.diff.namespaces import diff_extensions, diff_schemas
from schemactl.diff.not_null import diff_not_null
from schemactl.diff.operators import diff_operators
from schemactl.diff.partition_rules import diff_retirements
from schemactl.diff.partitions import diff_partitions, set_aside_rebuilt
from schemactl.diff.partman import diff_partman
from schemactl.diff.policies import diff_policies
from schemactl.diff.preconditions import with_preconditions
from schemactl.diff.privileges import diff_privileges
from schemactl.diff.publications import diff_publications
from schemactl.diff.replica_identity import diff_replica_identity
from schemactl.diff.roles import diff_roles
from schemactl.diff.routines import diff_routines
from schemactl.diff.rules import diff_rules, diff_statistics
from schemactl.diff.sequences import diff_sequences
from schemactl.diff.settings import diff_settings
from schemactl.diff.tables import diff_tables
from schemactl.diff.text_search import diff_text_search
from schemactl.diff.triggers import diff_triggers
from schemactl.diff.types import diff_types
from schemactl.diff.views import diff_views

DIFFERS: tuple[Callable[[DiffContext], list[Change]], ...] = (
    diff_schemas,
    diff_extensions,
    diff_collations,
    diff_types,
    diff_sequences,
    diff_tables,
    diff_partitions,
    diff_not_null,
    diff_retirements,
    diff_constraints,
    diff_views,
    diff_indexes,
    diff_replica_identity,
    diff_settings,
    diff_statistics,
    diff_routines,
    diff_casts,
    diff_operators,
    diff_text_search,
    diff_triggers,
    diff_rules,
    diff_policies,
    diff_publications,
    diff_privileges,
    diff_jobs,
    diff_partman,
    diff_roles,
)


def diff_catalogs(
    current: Catalog, desired: Catalog, online: bool = False, restore_owner: str | None = None
) -> list[Change]:
    """Changes that turn ``current`` into ``desired``, sorted into a runnable order.

    ``online`` trades one transaction for lighter locks on existing tables:
    concurrent index builds, constraints added NOT VALID and validated later.
    ``restore_owner`` (for rollbacks) is who owned what ``desired`` shows with no stated
    owner: objects the migration gave to someone else go back to it.
    """
    # Read on two major versions (--allow-version-mismatch): compare what both know.
    current, desired = version_neutral(current, desired)
    # Tables PostgreSQL cannot alter into shape are rebuilt: the diff sees them as new.
    ctx = DiffContext(set_aside_rebuilt(current, desired), desired, online, current, restore_owner)
    changes = [change for differ in DIFFERS for change in differ(ctx)]
    described = with_preconditions(ctx, settle_new_objects(describe(ctx, changes)))
    return sorted(builds_first(ctx, described), key=lambda c: (c.phase, c.order))
