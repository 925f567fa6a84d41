"""schemactl: schema-as-code migrations for PostgreSQL.

The desired state (SQL files) is loaded into a throwaway dev database; the dev
database and the live target are read through the same catalog introspection,
and the difference is rendered as ordered, transactional SQL.
"""

__version__ = "0.1.0"
