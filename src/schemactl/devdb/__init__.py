"""Providing a dev database into which the desired state is loaded."""

from schemactl.devdb.loader import load_desired_state
from schemactl.devdb.provider import DevDatabase, dev_database, dev_databases, dev_server

__all__ = ["DevDatabase", "dev_database", "dev_databases", "dev_server", "load_desired_state"]
