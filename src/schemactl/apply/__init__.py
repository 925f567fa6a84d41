"""Executing plans against the target: locks, timeouts, transactions, history."""

from schemactl.apply.executor import ApplyOptions, ApplyResult, apply_plan
from schemactl.apply.lock import exclusive, target_lock

__all__ = ["ApplyOptions", "ApplyResult", "apply_plan", "exclusive", "target_lock"]
