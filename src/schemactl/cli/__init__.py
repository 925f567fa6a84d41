"""The command line: options, exit codes, and nothing else.

One module per command group registers its commands on the shared application;
``main`` maps every outcome onto the exit-code contract (0 success / no changes,
2 changes or drift found, 1 any error). Every error is one line on stderr, with
secrets redacted. No layer below this package prints to stderr or exits.
"""

from __future__ import annotations

from schemactl.cli import (  # noqa: F401 - each module registers its commands
    declarative,
    diff,
    dump,
    fleet,
    init,
    lifecycle,
    meta,
    migrate,
    partitions,
    testing,
)
from schemactl.cli.app import app
from schemactl.cli.entry import main, run

__all__ = ["app", "main", "run"]
