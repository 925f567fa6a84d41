"""Catalog introspection into a typed model, the same code for dev and target."""

from schemactl.catalog.introspect import introspect
from schemactl.catalog.model import Catalog

__all__ = ["Catalog", "introspect"]
