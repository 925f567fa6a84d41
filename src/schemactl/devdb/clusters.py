"""Initialized data folders, made once per server build and copied for each dev server.

``initdb`` is most of what starting a throwaway server costs (around a second; copying
its result takes about a tenth of that), and its output depends only on the binaries and
its arguments. So the first embedded server of a build keeps a copy of its fresh data
folder in the user's cache folder, and later servers start from a copy of that. A
template is written under a temporary name and renamed into place, so a half-written
one is never used; one a server cannot start from is removed (see
:mod:`schemactl.devdb.embedded`) and made again.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from schemactl.cache_home import cache_home


def template_for(bin_dir: Path, initdb_args: Sequence[str]) -> Path:
    """Where the template made by ``bin_dir``'s initdb with ``initdb_args`` lives."""
    digest = hashlib.sha256(str(bin_dir.resolve()).encode())
    for tool in ("initdb", "postgres"):
        stat = (bin_dir / tool).stat()
        digest.update(f"\0{tool} {stat.st_size} {stat.st_mtime_ns}".encode())
    digest.update("\0".join(initdb_args).encode())
    return cache_home() / "clusters" / digest.hexdigest()[:32]


def copy_folder(source: Path, destination: Path) -> bool:
    """``cp -a``: modes and owners kept (a data folder must be its server user's, 0700)."""
    result = subprocess.run(
        ["cp", "-a", str(source), str(destination)], capture_output=True, check=False
    )
    return result.returncode == 0


def keep_template(data: Path, template: Path) -> None:
    """Keep a copy of the fresh data folder ``data`` as ``template`` (best effort: a
    cache that cannot be written is no error)."""
    if template.exists():
        return
    try:
        template.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=template.parent, prefix=".making-"))
    except OSError:
        return
    try:
        if copy_folder(data, staging / "data"):
            (staging / "data").rename(template)
    except OSError:
        pass  # another server kept it first
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def forget_template(template: Path) -> None:
    shutil.rmtree(template, ignore_errors=True)
