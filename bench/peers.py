"""The peers schemactl is measured against, installed by the benchmark itself.

migra (PyPI ``migra`` with ``psycopg2-binary``) goes into a virtualenv of its own and
pg-delta (npm ``@supabase/pg-delta``) into a node prefix, both under ``bench/.tools``
(ignored by git), so neither ever reaches the project's environment. matplotlib, for the
plot, shares migra's virtualenv. A peer that cannot be installed is left out of the run,
with the reason in the report.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

TOOLS = Path(__file__).resolve().parent / ".tools"
PG_DELTA_PACKAGE = "@supabase/pg-delta@1.0.0-alpha.34"
PYTHON_PACKAGES = ("migra", "psycopg2-binary", "matplotlib")


@dataclass
class Peers:
    migra: Path | None = None
    pgdelta: Path | None = None
    python: Path | None = None  # the tools' virtualenv (migra, matplotlib)
    versions: dict[str, str] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)  # tool -> why it is not run


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload,no-any-return]


def _python_tools(peers: Peers, install: bool) -> None:
    venv = TOOLS / "venv"
    python = venv / "bin" / "python"
    if install and not (venv / ".installed").exists():
        if not python.exists():
            _run([sys.executable, "-m", "venv", str(venv)])
        done = _run([str(python), "-m", "pip", "install", "--quiet", *PYTHON_PACKAGES])
        if done.returncode == 0:
            (venv / ".installed").touch()
        else:
            peers.missing["migra"] = "pip install failed: " + done.stderr.strip()[-300:]
    if (venv / ".installed").exists():
        peers.python = python
        peers.migra = venv / "bin" / "migra"
        shown = _run([str(python), "-m", "pip", "show", "migra"]).stdout
        version = next((line.split()[-1] for line in shown.splitlines() if "Version" in line), "")
        peers.versions["migra"] = version
    else:
        peers.missing.setdefault("migra", "not installed (run without --no-install)")


def _node_tools(peers: Peers, install: bool) -> None:
    prefix = TOOLS / "node"
    binary = prefix / "node_modules" / ".bin" / "pgdelta"
    npm = shutil.which("npm")
    if install and not binary.exists():
        if npm is None:
            peers.missing["pg-delta"] = "npm is not installed"
            return
        prefix.mkdir(parents=True, exist_ok=True)
        done = _run([npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund",
                     PG_DELTA_PACKAGE])  # fmt: skip
        if done.returncode != 0:
            peers.missing["pg-delta"] = "npm install failed: " + done.stderr.strip()[-300:]
            return
    if binary.exists():
        peers.pgdelta = binary
        peers.versions["pg-delta"] = PG_DELTA_PACKAGE.rsplit("@", 1)[1]
        node = _run(["node", "--version"]).stdout.strip()
        peers.versions["node"] = node
    else:
        peers.missing.setdefault("pg-delta", "not installed (run without --no-install)")


def ensure_peers(install: bool = True) -> Peers:
    """The peers, installed first when ``install`` (the first run downloads them)."""
    TOOLS.mkdir(parents=True, exist_ok=True)
    peers = Peers()
    _python_tools(peers, install)
    _node_tools(peers, install)
    return peers
