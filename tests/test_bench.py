"""The side-by-side benchmarks run end to end (smoke runs, never timed: performance is
measured by ``make bench`` and ``make bench-far`` only; the slow link is checked to be
slow). Peers join only when a previous ``make bench``
installed them; this run installs nothing."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pglast
import psycopg
from bench import application, far_server
from bench.delay_link import DelayLink
from bench.peers import ensure_peers
from bench.run import SCHEMACTL, run
from pglast import ast, visitors
from psycopg import conninfo

from tests.support import Server


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


def test_a_delayed_link_holds_each_round_trip_for_its_time(server: Server) -> None:
    direct = conninfo.conninfo_to_dict(server.url)
    host = str(direct.get("host") or "127.0.0.1")
    with DelayLink(host, int(direct.get("port") or 5432), one_way=0.025) as link:
        far = conninfo.make_conninfo(server.url, host="127.0.0.1", port=str(link.port))
        with psycopg.connect(far, autocommit=True) as conn:
            started = time.perf_counter()
            for _ in range(4):
                assert conn.execute("SELECT 1").fetchone() == (1,)
            assert time.perf_counter() - started >= 4 * 0.05


def test_a_smoke_run_across_a_slow_link_writes_its_table(tmp_path: Path) -> None:
    tools = installed_tools()
    out = tmp_path / "far_server.md"
    figures = far_server.run(20, [0.004], repeat=1, tools=tools, out=out, install=False)

    assert set(figures[0.004]) == {"diff", "plan"}
    assert all(set(by_tool) == set(tools) for by_tool in figures[0.004].values())
    table = out.read_text()
    assert "| workflow | round trip | " + " | ".join(tools) in table
    assert "| two live databases, both far | 4 ms | " in table
    assert "| files to a migration for a far target (schemactl: files unchanged) | 4 ms | " in table
