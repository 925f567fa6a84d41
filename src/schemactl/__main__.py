"""Allow ``python -m schemactl``."""

from schemactl.launcher import run

run()
