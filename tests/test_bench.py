"""The side-by-side benchmark runs end to end (a smoke run, never timed: performance is
measured by ``make bench`` only). Peers join only when a previous ``make bench``
installed them; this run installs nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pglast
from bench import application
from bench.peers import ensure_peers
from bench.run import SCHEMACTL, run
from pglast import ast, visitors


def installed_tools() -> list[str]:
    """schemactl, and the peers a previous ``make bench`` installed."""
    peers = ensure_peers(install=False)
    return [SCHEMACTL] + [name for name, path in (("migra", peers.migra),
                                                  ("pg-delta", peers.pgdelta)) if path]  # fmt: skip


def test_a_smoke_run_at_50_tables_writes_the_report_and_every_migration_converges(
    tmp_path: Path,
) -> None:
    tools = installed_tools()
    run([50], repeat=1, tools=tools, install=False, out=tmp_path, example=False,
        application_copies=0)  # fmt: skip

    readme = (tmp_path / "README.md").read_text()
    assert "| two live databases → migration | 50 |" in readme
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["verified"]["50"] == {tool: "equal" for tool in tools}
    phases = results["samples"]["50"]["plan"][SCHEMACTL][0]["metrics"]["phases"]
    assert {"parse", "load", "introspect", "reconcile", "diff", "render"} <= phases.keys()
    diff = results["samples"]["50"]["diff"][SCHEMACTL][0]
    assert diff["cpu_seconds"] > 0 and diff["server_cpu_seconds"] > 0
    assert "## CPU time" in readme


def test_the_application_workload_puts_each_copy_of_the_example_in_its_own_schema() -> None:
    written = application.files(copies=2)

    assert {"00_roles.sql", "00_extensions.sql", "00_schemas.sql"} <= written.keys()
    assert not any(path.endswith("40_jobs.sql") for path in written)  # pg_cron: not loadable
    for path, text in written.items():
        schema = path.split("/")[0]
        if not schema.startswith("app_"):
            continue
        for raw in pglast.parse_sql(text):  # every statement prints back as valid SQL
            for node in visitors.referenced_relations(raw.stmt):
                assert node.startswith(f"{schema}."), (path, node)
            if isinstance(raw.stmt, ast.CreateFunctionStmt):
                assert raw.stmt.funcname[0].sval == schema


def test_the_application_workload_grown_twice_is_planned_empty_by_every_tool(
    tmp_path: Path,
) -> None:
    tools = installed_tools()
    run([], repeat=1, tools=tools, install=False, out=tmp_path, example=False,
        application_copies=2)  # fmt: skip

    label = application.label(2)
    readme = (tmp_path / "README.md").read_text()
    assert (
        f"| SQL files → migration, cold (peers: createdb + `psql -1 -f` + diff) | {label} |"
        in readme
    )
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["verified"][label] == {tool: "equal" for tool in tools}
    objects = results["objects"][label]
    for kind in ("tables", "indexes", "policies", "triggers", "views", "materialized views",
                 "partitions"):  # fmt: skip
        assert objects[kind] > 0 and objects[kind] % 2 == 0, kind
