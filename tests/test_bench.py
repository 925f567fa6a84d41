"""The side-by-side benchmark runs end to end (a smoke run, never timed: performance is
measured by ``make bench`` only). Peers join only when a previous ``make bench``
installed them; this run installs nothing."""

from __future__ import annotations

import json
from pathlib import Path

from bench.peers import ensure_peers
from bench.run import SCHEMACTL, run


def test_a_smoke_run_at_50_tables_writes_the_report_and_every_migration_converges(
    tmp_path: Path,
) -> None:
    peers = ensure_peers(install=False)
    tools = [SCHEMACTL] + [name for name, path in (("migra", peers.migra),
                                                   ("pg-delta", peers.pgdelta)) if path]  # fmt: skip
    run([50], repeat=1, tools=tools, install=False, out=tmp_path, example=False)

    readme = (tmp_path / "README.md").read_text()
    assert "| two live databases → migration | 50 |" in readme
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["verified"]["50"] == {tool: "equal" for tool in tools}
    phases = results["samples"]["50"]["plan"][SCHEMACTL][0]["metrics"]["phases"]
    assert {"parse", "load", "introspect", "reconcile", "diff", "render"} <= phases.keys()
