"""Commands about schemactl itself."""

from __future__ import annotations

from schemactl import __version__
from schemactl.cli.app import app


@app.command()
def version() -> None:
    """Print schemactl's version."""
    print(f"schemactl {__version__}")
