"""Comparing two catalogs: the changes that turn the current one into the desired one."""

from schemactl.diff.engine import diff_catalogs

__all__ = ["diff_catalogs"]
