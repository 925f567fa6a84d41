"""Finding PostgreSQL server binaries for the embedded dev server."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from pathlib import Path

from schemactl.errors import DevDatabaseError

HOMEBREW_GLOBS = (
    "/opt/homebrew/opt/postgresql@*/bin",
    "/usr/local/opt/postgresql@*/bin",
    "/opt/homebrew/bin",
    "/usr/local/bin",
)

INSTALL_HINT = (
    "no PostgreSQL server binaries found (initdb, postgres). Install them "
    "(Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql), "
    "point --pg-bin / PG_BIN at their folder, or pass --dev-url"
)


def _has_server(directory: Path) -> bool:
    return (directory / "initdb").is_file() and (directory / "postgres").is_file()


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path)) or (0,)


def candidate_dirs() -> list[Path]:
    """Where server binaries may live, in the order we try them."""
    found: list[Path] = []
    if pg_config := shutil.which("pg_config"):
        try:
            bindir = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10
            ).stdout.strip()
            found.append(Path(bindir))
        except (subprocess.SubprocessError, OSError):
            pass
    found.extend(
        Path(p)
        for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    )
    for pattern in HOMEBREW_GLOBS:
        found.extend(Path(p) for p in sorted(glob.glob(pattern), key=_version_key, reverse=True))
    if initdb := shutil.which("initdb"):
        found.append(Path(initdb).parent)
    return found


def find_server_binaries(explicit: str | None = None) -> Path:
    """The folder holding ``initdb`` and ``postgres``: --pg-bin, PG_BIN, then the usual places."""
    chosen = explicit or os.environ.get("PG_BIN")
    if chosen:
        if _has_server(Path(chosen)):
            return Path(chosen)
        raise DevDatabaseError(f"{chosen} holds no PostgreSQL server binaries (initdb, postgres)")
    for directory in candidate_dirs():
        if _has_server(directory):
            return directory
    raise DevDatabaseError(INSTALL_HINT)
