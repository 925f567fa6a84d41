"""Ordering and rendering changes into a plan with its rollback."""

from schemactl.plan.builder import build_plan, creation_steps
from schemactl.plan.model import Plan, Step

__all__ = ["Plan", "Step", "build_plan", "creation_steps"]
