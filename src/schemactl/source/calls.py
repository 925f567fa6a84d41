"""Statements that call a function to declare something: read, never loaded.

``SELECT cron.schedule(...)`` declares a pg_cron job and ``SELECT
partman.create_parent(...)`` a pg_partman registration. Every other ``SELECT`` in
a schema file is a query, and refused.
"""

from __future__ import annotations

from typing import Any

from schemactl.source.jobs import is_job_declaration
from schemactl.source.partman import is_partman_registration


def is_declared_call(node: Any) -> bool:
    return is_job_declaration(node) or is_partman_registration(node)
