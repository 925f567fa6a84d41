"""PostgreSQL major versions: of server binaries, of a running server, and the rule
that the dev server runs the target's major version.

The desired state is normalized by the dev server and compared with the target's
catalog. Two major versions print definitions differently and grant different
default privileges (PostgreSQL 17 gives every table's owner MAINTAIN), so a plan
made across major versions shows changes that are not there. A dev server of
another major version is refused unless the user says otherwise.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from functools import cache
from pathlib import Path

import psycopg

from schemactl.cache_files import CacheFile
from schemactl.cache_home import cache_home, disabled_by_environment
from schemactl.errors import DevDatabaseError

SUPPORTED_MAJORS = (14, 15, 16, 17, 18)
MISMATCH_FLAG = "--allow-version-mismatch"

_BINARY_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)")


@cache
def server_major(bin_dir: Path) -> int | None:
    """The major version ``bin_dir/postgres --version`` reports; None if it cannot say.

    The answer is kept in the user's cache folder for that very file (its path, size,
    modification time and inode): running the binary costs every warm plan about 10 ms
    of its half second, and what a binary reports cannot change unless the file does."""
    postgres = bin_dir / "postgres"
    kept = _kept_major(postgres)
    found = kept.load() if kept is not None else None
    if isinstance(found, int):
        return found
    major = _reported_major(postgres)
    if kept is not None and major is not None:
        kept.store(major)
    return major


def _kept_major(postgres: Path) -> CacheFile | None:
    """Where the major version of this ``postgres`` file is kept; None: no cache."""
    if disabled_by_environment():
        return None
    try:
        real = postgres.resolve()
        stat = real.stat()
    except OSError:
        return None
    key = f"{real} {stat.st_size} {stat.st_mtime_ns} {stat.st_ino}"
    name = hashlib.sha256(key.encode()).hexdigest()[:32]
    return CacheFile(cache_home() / "server-versions" / name, "server version", key)


def _reported_major(postgres: Path) -> int | None:
    try:
        result = subprocess.run(
            [str(postgres), "--version"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = _BINARY_VERSION.search(result.stdout)
    return int(match.group(1)) if match and result.returncode == 0 else None


def connection_major(conn: psycopg.Connection) -> int:
    """The major version of the server behind ``conn`` (``server_version_num`` / 10000)."""
    return conn.info.server_version // 10000


def parse_major(text: str) -> int:
    """A major version as a user writes it (``17``, ``17.2``, ``PG17``), or an error."""
    match = re.fullmatch(r"\s*(?:pg|postgresql)?\s*(\d+)(?:\.\d+)*\s*", text, re.I)
    if not match:
        raise DevDatabaseError(
            f"not a PostgreSQL major version: {text!r} (write it like 17; "
            f"supported: {', '.join(map(str, SUPPORTED_MAJORS))})"
        )
    return int(match.group(1))


def check_dev_server_version(dev_major: int, target_major: int | None, allow: bool) -> None:
    """Refuse a dev server of another major version than the target's, with the reason."""
    if target_major is None or dev_major == target_major or allow:
        return
    raise DevDatabaseError(
        f"the dev server runs PostgreSQL {dev_major} and the target PostgreSQL {target_major}: "
        "catalogs differ between major versions (default privileges such as MAINTAIN, "
        "printed definitions), so the plan would show changes that are not there. Point "
        f"--dev-url at a PostgreSQL {target_major} server, leave --dev-url out to have "
        f"schemactl start PostgreSQL {target_major} itself, or pass {MISMATCH_FLAG} to "
        "plan anyway"
    )
