"""Turning a live database into a schema folder: the plan from an empty database,
rendered through the plan's own templates and grouped into files."""

from __future__ import annotations

import psycopg

from schemactl.catalog import introspect
from schemactl.config import Scope
from schemactl.dump.baseline import as_stated, fresh_database
from schemactl.dump.build import Dump, DumpFile, build_dump
from schemactl.dump.layout import Layout
from schemactl.dump.writer import write_dump

__all__ = ["Dump", "DumpFile", "Layout", "build_dump", "dump_database", "write_dump"]


def dump_database(conn: psycopg.Connection, scope: Scope, layout: Layout) -> Dump:
    """The schema folder of the database behind ``conn``, as far as ``scope`` reaches."""
    live = introspect(conn, scope)
    return build_dump(fresh_database(conn, live), as_stated(conn, live), layout)
