"""schemactl's folder in the user's cache folder.

``$XDG_CACHE_HOME/schemactl``, ``~/.cache/schemactl``, or ``/var/cache/schemactl`` for
root. This module imports nothing of schemactl's: the launcher finds its kept code here
before anything else is imported (see :mod:`schemactl.launcher`).
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_home() -> Path:
    """schemactl's folder in the user's cache folder."""
    if xdg := os.environ.get("XDG_CACHE_HOME"):
        base = Path(xdg)
    elif hasattr(os, "geteuid") and os.geteuid() == 0:
        base = Path("/var/cache")
    else:
        base = Path.home() / ".cache"
    return base / "schemactl"
