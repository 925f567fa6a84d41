"""schemactl's folder in the user's cache folder, and the switch that turns caching off.

``$XDG_CACHE_HOME/schemactl``, ``~/.cache/schemactl``, or ``/var/cache/schemactl`` for
root. This module imports nothing of schemactl's: the launcher finds its kept code here
before anything else is imported (see :mod:`schemactl.launcher`).
"""

from __future__ import annotations

import os
from pathlib import Path

DISABLE_ENV = "SCHEMACTL_NO_CACHE"  # set (and not "0"): no cache is read or written


def cache_home() -> Path:
    """schemactl's folder in the user's cache folder."""
    if xdg := os.environ.get("XDG_CACHE_HOME"):
        base = Path(xdg)
    elif hasattr(os, "geteuid") and os.geteuid() == 0:
        base = Path("/var/cache")
    else:
        base = Path.home() / ".cache"
    return base / "schemactl"


def disabled_by_environment() -> bool:
    """Whether ``SCHEMACTL_NO_CACHE`` turns every cache off (``0`` or empty: on)."""
    return os.environ.get(DISABLE_ENV, "") not in ("", "0")
