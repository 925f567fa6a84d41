"""Extensions the schema creates, on a dev server that may not have them.

The dev server runs the target's major version, often from binaries that carry
only PostgreSQL's own extensions. An extension it lacks (pg_cron, vector, postgis)
is one clear error naming the extension and the remedies: install it for that
major version, or point --dev-url at a server that has it. Some extensions work
only when the server loads them at start (pg_cron, timescaledb); schemactl's own
dev server preloads those where the machine has them, and a --dev-url server that
does not is named as such. Packaging knowledge lives in ``extensions.toml``.
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import psycopg

LIBRARY_SUFFIXES = (".so", ".dylib")


@dataclass(frozen=True)
class Packaging:
    """How to get one extension for a major version, and what its server must do."""

    name: str
    debian: str | None = None
    homebrew: str | None = None
    preload: str | None = None
    database_setting: str | None = None


@cache
def _table() -> dict[str, Packaging]:
    text = resources.files("schemactl.devdb").joinpath("extensions.toml").read_text()
    return {name: Packaging(name, **fields) for name, fields in tomllib.loads(text).items()}


def packaging(name: str) -> Packaging:
    return _table().get(name, Packaging(name))


def needs_preload(extensions: Iterable[str]) -> bool:
    """Whether a server must be started with settings of its own for ``extensions``."""
    return any(packaging(name).preload for name in extensions)


def install_hint(name: str, major: int) -> str:
    """``install it for PostgreSQL 17 (Debian/Ubuntu: apt-get install ...; macOS: ...)``."""
    known = packaging(name)
    ways = []
    if known.debian:
        ways.append(f"Debian/Ubuntu: apt-get install {known.debian.format(major=major)}")
    if known.homebrew:
        ways.append(f"macOS: brew install {known.homebrew}")
    return f"install it for PostgreSQL {major}" + (f" ({'; '.join(ways)})" if ways else "")


def missing_message(name: str, major: int) -> str:
    return (
        f"extension {name!r} is not available on the dev server (PostgreSQL {major}): "
        f"{install_hint(name, major)}, or pass --dev-url to a PostgreSQL {major} server "
        "that has it (e.g. a database branch of your platform)"
    )


# How the server says a module could not be loaded for want of a library it links.
_MISSING_LIBRARY = re.compile(
    r'could not load library "(?P<module>[^"]+)": (?P<library>[^:\s]+): '
    r"cannot open shared object file"
)


@cache
def _system_libraries() -> dict[str, dict[str, str]]:
    text = resources.files("schemactl.devdb").joinpath("system_libraries.toml").read_text()
    return tomllib.loads(text)


def missing_library_message(message: str, major: int) -> str | None:
    """The server's "could not load library" error, said as what the dev server's
    machine lacks and how to get it; None for any other message. The module ships with
    PostgreSQL (uuid-ossp, plpython3u), so it is there; what it links is not."""
    found = _MISSING_LIBRARY.search(message)
    if found is None:
        return None
    library, module = found["library"], Path(found["module"]).name
    known = _system_libraries().get(library, {})
    what = f"extension {known['extension']!r}" if "extension" in known else module
    ways = []
    if "debian" in known:
        ways.append(f"Debian/Ubuntu: apt-get install {known['debian']}")
    if "homebrew" in known:
        ways.append(f"macOS: brew install {known['homebrew']}")
    remedy = "install it" + (f" ({'; '.join(ways)})" if ways else "")
    return (
        f"{what} cannot be loaded on the dev server (PostgreSQL {major}): its module "
        f"{module} needs {library}, which the dev server's machine lacks: {remedy}, or "
        f"pass --dev-url to a PostgreSQL {major} server that has it"
    )


def _preloaded(conn: psycopg.Connection) -> set[str]:
    row = conn.execute("SHOW shared_preload_libraries").fetchone()
    text = str(row[0]) if row else ""
    return {part.strip().strip('"') for part in text.split(",") if part.strip()}


def extension_problem(conn: psycopg.Connection, name: str, available: set[str]) -> str | None:
    """Why ``CREATE EXTENSION name`` cannot work on the dev server behind ``conn``, if so."""
    major = conn.info.server_version // 10000
    if name not in available:
        return missing_message(name, major)
    known = packaging(name)
    if known.preload and known.preload not in _preloaded(conn):
        return (
            f"extension {name!r} must be loaded when the server starts, and the dev server "
            f"(PostgreSQL {major}) does not preload it: leave out --dev-url (schemactl "
            f"preloads it in the server it starts), or add {known.preload} to "
            "shared_preload_libraries of the --dev-url server"
        )
    if known.database_setting:
        row = conn.execute(
            "SELECT current_setting(%s, true), current_database()", (known.database_setting,)
        ).fetchone()
        if row and row[0] != row[1]:
            return (
                f"extension {name!r} can only be created in the database its server names in "
                f"{known.database_setting} ({row[0]!r}), and the dev database is another one "
                "(plan, apply, drift and test without --dev-url start a server that names its "
                "dev database there)"
            )
    return None


def _library_folder(bin_dir: Path) -> Path:
    try:
        result = subprocess.run(
            [str(bin_dir / "pg_config"), "--pkglibdir"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if result.returncode == 0 and result.stdout.strip():
            return Path(result.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    return bin_dir.parent / "lib"


def preload_settings(bin_dir: Path, extensions: Iterable[str], database: str) -> dict[str, str]:
    """Server settings that let ``extensions`` be created in ``database`` on a server
    started from ``bin_dir``: libraries to preload (those the binaries have) and the
    settings that name the one database an extension may live in."""
    wanted = [packaging(name) for name in sorted(set(extensions))]
    wanted = [p for p in wanted if p.preload]
    if not wanted:
        return {}
    folder = _library_folder(bin_dir)
    settings: dict[str, str] = {}
    libraries: list[str] = []
    for known in wanted:
        assert known.preload is not None
        if not any((folder / f"{known.preload}{s}").is_file() for s in LIBRARY_SUFFIXES):
            continue  # not installed: the load names what is missing
        libraries.append(known.preload)
        if known.database_setting:
            settings[known.database_setting] = database
    if libraries:
        settings["shared_preload_libraries"] = ",".join(libraries)
    return settings
