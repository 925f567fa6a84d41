"""What the benchmark writes: results.json, README.md (date, commit, machine, tables) and a
plot of time against N per tool (drawn by bench/plot.py with the peers' matplotlib)."""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import statistics
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.peers import Peers
    from bench.run import Key, Results, Sample

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW_TITLES = {
    "plan": "SQL files → migration, cold (peers: createdb + `psql -1 -f` + diff)",
    "plan_warm": "SQL files → migration, warm (unchanged files; peers: as cold)",
    "diff": "two live databases → migration",
    "drift": "drift, unchanged files, cold (peers: createdb + `psql -1 -f` + diff)",
    "drift_warm": "drift, unchanged files, warm (peers: as cold)",
}
PHASES = ("startup", "parse", "external", "declarations", "early_dev_database", "early_load",
          "dev_database", "load", "introspect", "reconcile", "diff", "warnings",
          "render")  # fmt: skip
OBJECT_COUNT_NAMES = ("relations", "tables", "indexes", "constraints", "policies", "triggers",
                      "views", "materialized views", "partitions")  # fmt: skip
# In every schema the workloads write to (the synthetic one's public, the application's
# app_NN), without what extensions own.
OBJECT_COUNTS = """
WITH ns AS (SELECT oid FROM pg_namespace
            WHERE nspname NOT IN ('pg_catalog', 'information_schema')
              AND nspname !~ '^pg_(toast|temp)'),
     rel AS (SELECT c.* FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
             WHERE NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                               AND d.objid = c.oid AND d.deptype = 'e'))
SELECT (SELECT count(*) FROM rel),
       (SELECT count(*) FROM rel WHERE relkind IN ('r', 'p')),
       (SELECT count(*) FROM rel WHERE relkind IN ('i', 'I')),
       (SELECT count(*) FROM pg_constraint c JOIN ns ON ns.oid = c.connamespace),
       (SELECT count(*) FROM pg_policy p JOIN rel ON rel.oid = p.polrelid),
       (SELECT count(*) FROM pg_trigger t JOIN rel ON rel.oid = t.tgrelid
         WHERE NOT t.tgisinternal),
       (SELECT count(*) FROM rel WHERE relkind = 'v'),
       (SELECT count(*) FROM rel WHERE relkind = 'm'),
       (SELECT count(*) FROM rel WHERE relispartition AND relkind IN ('r', 'p'))
"""


def median(samples: list[Sample], attribute: str = "seconds") -> float:
    return statistics.median(getattr(s, attribute) for s in samples)


def phase_medians(samples: list[Sample]) -> dict[str, float]:
    """Each schemactl phase's median over the rounds; ``startup`` is the process's time
    outside the command (interpreter start and imports) plus the imports the command
    defers to its body (phase ``imports``)."""
    phases: dict[str, list[float]] = {}
    for sample in samples:
        metrics: dict[str, Any] = sample.metrics or {}
        for name, seconds in metrics.get("phases", {}).items():
            phases.setdefault(name, []).append(seconds)
        if "wall_seconds" in metrics:
            deferred = metrics.get("phases", {}).get("imports", 0.0)
            outside = sample.seconds - metrics["wall_seconds"]
            phases.setdefault("startup", []).append(outside + deferred)
            phases.setdefault("command", []).append(metrics["wall_seconds"] - deferred)
        for name, value in metrics.get("counts", {}).items():
            phases.setdefault(f"#{name}", []).append(value)
    return {name: statistics.median(values) for name, values in phases.items()}


def _git(*args: str) -> str:
    done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
    return done.stdout.strip()


def code_version() -> str:
    """The commit measured, and whether schemactl's code differed from it."""
    dirty = " (with uncommitted changes)" if _git("status", "--porcelain", "--", "src") else ""
    return _git("rev-parse", "--short", "HEAD") + dirty


def machine() -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor() or "?",
    )  # fmt: skip
    memory_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )  # fmt: skip
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({cpu}), "
            f"{memory_kb / 1024 / 1024:.1f} GiB RAM, load average at the end {load}")  # fmt: skip


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"


def table(results: Results, tools: list[str], cpu: bool = False) -> list[str]:
    """Each workflow's medians by tool and the ratio to the faster peer: wall-clock
    seconds, or with ``cpu`` CPU seconds (the tool's own + its server backends')."""
    peers = [t for t in tools if t != "schemactl"]
    header = ["workflow", "N", *tools, "schemactl vs faster peer"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for workflow, title in WORKFLOW_TITLES.items():
        for n, workflows in results.samples.items():
            by_tool = workflows.get(workflow, {})
            if not by_tool:
                continue
            samples = {t: by_tool.get(t) for t in tools}
            if workflow.endswith("_warm"):  # the peers have no cache: their cold figure
                cold = results.samples[n].get(workflow.removesuffix("_warm"), {})
                samples.update({t: cold[t] for t in peers if t in cold})
            figures = {t: _figure(ss, cpu) if ss else None for t, ss in samples.items()}
            ours = figures.get("schemactl")
            peer_figures = [v for t, v in figures.items() if t in peers and v is not None]
            ratio = f"{min(peer_figures) / ours:.2f}x" if ours and peer_figures else "–"
            cells = [
                title, str(n),
                *(_cpu_cell(samples[t]) if cpu else _seconds(figures[t]) for t in tools),
                ratio,
            ]  # fmt: skip
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def _figure(samples: list[Sample], cpu: bool) -> float | None:
    """The median wall-clock time, or total CPU time where every sample has one."""
    if not cpu:
        return median(samples)
    totals = [s.total_cpu_seconds for s in samples]
    return None if None in totals else statistics.median(t for t in totals if t is not None)


def _cpu_cell(samples: list[Sample] | None) -> str:
    """Total CPU seconds, and what the tool's processes and the server's backends used."""
    total = _figure(samples, cpu=True) if samples else None
    if samples is None or total is None:
        return "–"
    own = median(samples, "cpu_seconds")
    server = median(samples, "server_cpu_seconds")
    return f"{total:.2f} s ({own:.2f} + {server:.2f})"


def memory_table(results: Results, tools: list[str]) -> list[str]:
    lines = ["| workflow | N | " + " | ".join(tools) + " |", "|---|---|" + "---|" * len(tools)]
    for workflow in ("plan", "diff"):
        for n, workflows in results.samples.items():
            by_tool = workflows.get(workflow, {})
            cells = [f"{max(s.peak_mb for s in by_tool[t]):.0f} MB" if t in by_tool else "–"
                     for t in tools]  # fmt: skip
            lines.append(f"| {workflow} | {n} | " + " | ".join(cells) + " |")
    return lines


def phase_table(results: Results) -> list[str]:
    columns = [*PHASES, "command", "#round_trips", "#connections", "#cache_hits"]
    lines = ["| workflow | N | " + " | ".join(columns) + " |", "|---|---|" + "---|" * len(columns)]
    for workflow in ("plan", "plan_warm", "diff", "drift", "drift_warm"):
        for n, workflows in results.samples.items():
            samples = workflows.get(workflow, {}).get("schemactl")
            if not samples:
                continue
            medians = phase_medians(samples)
            cells = [
                ("–" if c not in medians else
                 f"{medians[c]:.0f}" if c.startswith("#") else f"{medians[c]:.2f}")
                for c in columns
            ]  # fmt: skip
            lines.append(f"| {workflow} | {n} | " + " | ".join(cells) + " |")
    return lines


def example_lines(results: Results) -> list[str]:
    """The example schema's plan with the embedded dev server (targets: 1.5 s cold,
    0.5 s warm)."""
    if not results.example:
        return []
    lines = ["## The example schema (`schema/`), plan with the embedded dev server", "",
             "| run | time | startup | parse | dev_database | load | introspect | diff |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for run, samples in results.example.items():
        medians = phase_medians(samples)
        cells = [f"{medians.get(p, 0):.2f}" for p in
                 ("startup", "parse", "dev_database", "load", "introspect", "diff")]  # fmt: skip
        lines.append(f"| {run} | {median(samples):.2f} s | " + " | ".join(cells) + " |")
    return [*lines, ""]


def _rounds(results: Results, repeat: int) -> str:
    counts = sorted(set(results.rounds.values())) or [repeat]
    if len(counts) == 1:
        return f"{counts[0]} rounds"
    return "; ".join(f"{r} rounds at {_workload(n)}" for n, r in results.rounds.items())


def write(out: Path, results: Results, peers: Peers, tools: list[str], repeat: int,
          server_version: str, elapsed: float) -> None:  # fmt: skip
    """Save the run as results.json, then draw the plot and write README.md from it."""
    out.mkdir(parents=True, exist_ok=True)
    document = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "minutes": round(elapsed / 60, 1),
        "commit": code_version(),
        "machine": machine(),
        "postgresql": server_version,
        "tools": list(tools),
        "versions": peers.versions,
        "missing": peers.missing,
        "repeat": repeat,
        "rounds": results.rounds,
        "objects": results.objects,
        "verified": results.verified,
        "example": {k: [dataclasses.asdict(s) for s in v] for k, v in results.example.items()},
        "samples": {
            str(n): {w: {t: [dataclasses.asdict(s) for s in ss] for t, ss in by_tool.items()}
                     for w, by_tool in workflows.items()}
            for n, workflows in results.samples.items()
        },
    }  # fmt: skip
    (out / "results.json").write_text(json.dumps(document, indent=1) + "\n")
    plotted = _plot(out, peers.python)
    render(out, document, plotted)


def _key(key: Key) -> Key:
    """A workload's key as results.json spells it (a size, or the application's label),
    or as the run has it."""
    return int(key) if isinstance(key, str) and key.isdigit() else key


def _workload(n: Key) -> str:
    return f"N = {n}" if isinstance(n, int) else str(n)


def _results(document: dict[str, Any]) -> Results:
    from bench.run import Results, Sample

    results = Results()
    for n, workflows in document["samples"].items():
        for workflow, by_tool in workflows.items():
            for tool, samples in by_tool.items():
                for sample in samples:
                    results.add(_key(n), workflow, tool, Sample(**sample))
    results.verified = {_key(n): v for n, v in document["verified"].items()}
    results.objects = {_key(n): v for n, v in document["objects"].items()}
    results.rounds = {_key(n): v for n, v in document.get("rounds", {}).items()}
    results.example = {k: [Sample(**s) for s in v] for k, v in document.get("example", {}).items()}
    return results


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def render(out: Path, document: dict[str, Any], plotted: bool) -> None:
    """README.md from a run's results.json document."""
    results = _results(document)
    tools = document.get("tools") or ["schemactl", *document["versions"].keys() - {"node"}]
    versions = ", ".join(f"{k} {v}" for k, v in document["versions"].items())
    lines = [
        "# Benchmark: schemactl side by side with migra and pg-delta",
        "",
        "Written by `make bench` (`python -m bench.run`); do not edit by hand. Every figure is",
        f"the median of {_rounds(results, document['repeat'])} in one run, the tools",
        "alternating within each round; each command is a fresh process timed from outside",
        "(wall clock). The ratio is the faster peer's time over schemactl's (above 1:",
        "schemactl is faster).",
        "",
        f"- date: {document['date']}"
        + (f", run took {document['minutes']} min" if "minutes" in document else ""),
        f"- commit: {document['commit']}",
        f"- machine: {document['machine']}",
        f"- PostgreSQL {document['postgresql']} (one throwaway server for every tool); {versions}",
        "- schema: `bench/synthetic.py` (per table an identity key, a foreign key to its",
        "  neighbour, a check, 2–3 indexes with GIN and partial ones, comments; every 5th table",
        "  RLS with policies, every 10th a trigger, every 20th a view, every 100th a",
        "  materialized view with an index, every 50th a partitioned table of 12 months);",
        "  the desired state differs in about 1% of objects",
        "- databases: the target and the live desired database are loaded with `psql -1 -f`",
        "  and analyzed, as autovacuum leaves them in service; the databases a workflow",
        "  makes itself (a peer's scratch database, schemactl's dev database) are read",
        "  as loaded",
    ]
    applications = [n for n in results.samples if not isinstance(n, int)]
    if applications:
        lines += [
            f"- {', '.join(map(str, applications))}: a real application's schema, the example",
            "  schema (`schema/`) grown that many times over by `bench/application.py`: each",
            "  copy in a schema of its own (`app_01`, ...) with its RLS policies, triggers,",
            "  SECURITY DEFINER functions, views, materialized views and a partitioned table",
            "  of 13 partitions; the desired state equals the database (every tool should",
            "  find nothing: the check below also asks each one's files → migration to be",
            "  empty)",
        ]
    for tool, why in document["missing"].items():
        lines.append(f"- {tool} not run: {why}")
    lines += ["", "## Time", "", *table(results, tools), ""]
    if any(s.total_cpu_seconds is not None for w in results.samples.values()
           for by_tool in w.values() for ss in by_tool.values() for s in ss):  # fmt: skip
        lines += ["## CPU time", "",
                  "CPU seconds of each command, medians: the tool's own processes plus the",
                  "server backends that served it (in brackets, each). They add up the work",
                  "whichever cores did it: a tool that keeps several cores busy at once is",
                  "faster by the clock than by this measure (bench/cpu.py).", "",
                  *table(results, tools, cpu=True), ""]  # fmt: skip
    lines += ["## Peak memory", "",
              *memory_table(results, tools), "", "## schemactl's phases (seconds, medians)", "",
              "`startup` is the interpreter and imports (those a command defers to its body",
              "included); `command` everything after;",
              "`early_dev_database` and `early_load` run beside `parse` (the dev database",
              "loaded while the files are read, schemactl.devdb.early_load); `load` is then",
              "what is left of them, waited for;",
              "`#round_trips` counts statements sent to either server.", "",
              *phase_table(results), "", *example_lines(results), "## Objects in the target",
              ""]  # fmt: skip
    for n, counts in results.objects.items():
        lines.append(f"- {_workload(n)}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    lines += ["", "## Each migration applied to a copy of the target, then compared", ""]
    for n, verdicts in results.verified.items():
        for tool, verdict in verdicts.items():
            lines.append(f"- {_workload(n)}, {tool}: {_one_line(verdict)}")
    if plotted:
        lines += ["", "![time against N](time_vs_n.png)"]
    (out / "README.md").write_text("\n".join(lines) + "\n")


def _plot(out: Path, python: Path | None) -> bool:
    if python is None:
        return False
    script = Path(__file__).resolve().parent / "plot.py"
    done = subprocess.run([str(python), str(script), str(out)], capture_output=True)
    return done.returncode == 0


def main() -> None:
    """Write README.md again from a run's results.json: ``python -m bench.report [DIR]``."""
    import sys

    from bench.peers import TOOLS

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    document = json.loads((out / "results.json").read_text())
    python = TOOLS / "venv" / "bin" / "python"
    render(out, document, _plot(out, python if python.exists() else None))


if __name__ == "__main__":
    main()
