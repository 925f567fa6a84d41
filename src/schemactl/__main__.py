"""Allow ``python -m schemactl``."""

from schemactl.cli import run

run()
