"""Benchmark: a far target, side by side with the peers.

Managed PostgreSQL is reached over a network: a few to tens of milliseconds per round
trip, which a tool pays for every query it waits on. This puts a link that delays each
direction by half a round trip (:mod:`bench.delay_link`) between the tools and the
databases they compare, on one throwaway server holding the synthetic schema of N
tables twice (current and desired, as in ``make bench``). For each round-trip time it
times, alternating, median of ``--repeat`` rounds after one to warm up:

- ``diff``: the two live databases compared, both across the link (schemactl ``diff``,
  migra, pg-delta ``plan``);
- ``plan``: the desired state's files to a migration for the far target, the desired
  state loaded near the tool (schemactl ``plan`` with unchanged files, its dev database
  on the near server; each peer: createdb + ``psql -1 -f`` on the near server, then its
  diff against the far target).

It writes ``bench/far_server.md`` (the times and schemactl's speed-up over the faster
peer). The databases are loaded directly; only what the tools read of the compared
databases crosses the link.

    python -m bench.far_server [--size 1000] [--round-trips 5,20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench import report
from bench.delay_link import DelayLink
from bench.peers import ensure_peers
from bench.run import SCHEMACTL, TOOLS, Bench, Workload, benched, compile_bytecode

OUT = Path(__file__).resolve().parent / "far_server.md"


WORKFLOWS = ("diff", "plan")


class FarBench(Bench):
    """The bench's databases named in ``far`` reached through ``link`` once it is set;
    the others (a peer's scratch database, schemactl's dev database) directly."""

    link: DelayLink | None = None
    far: frozenset[str] = frozenset()

    def url(self, dbname: str) -> str:
        direct = super().url(dbname)
        if self.link is None or dbname not in self.far:
            return direct
        return direct.replace(f":{self.server.port}/", f":{self.link.port}/", 1)


def compare(bench: FarBench, workload: Workload, tool: str, workflow: str) -> float:
    """Seconds one tool takes for ``workflow`` (its output discarded)."""
    if workflow == "plan":
        if tool == SCHEMACTL:
            args = ["plan", "--schema", str(workload.desired / "schema"), "--database-url",
                    bench.url(workload.target), "--dev-url", bench.server.url,
                    "--format", "sql"]  # fmt: skip
            return bench.schemactl_run(args).seconds
        return bench.from_files(tool, workload.desired / "all.sql", workload.target).seconds
    if tool == SCHEMACTL:
        args = ["diff", "--from", bench.url(workload.target), "--to",
                bench.url(workload.live_desired), "--format", "sql"]  # fmt: skip
        return bench.schemactl_run(args).seconds
    return bench.peer_diff(tool, workload.target, workload.live_desired, None).seconds


Figures = dict[str, dict[str, float]]  # seconds by workflow and tool


def measure(bench: FarBench, workload: Workload, round_trip: float, repeat: int,
            tools: Sequence[str]) -> Figures:  # fmt: skip
    """Median seconds per workflow and tool at ``round_trip`` seconds; a first round
    warms up (and fills schemactl's cache of the unchanged files)."""
    seconds = {flow: {tool: list[float]() for tool in tools} for flow in WORKFLOWS}
    host = "127.0.0.1"
    with DelayLink(host, bench.server.port, round_trip / 2) as link:
        bench.link, bench.far = link, frozenset({workload.target, workload.live_desired})
        try:
            for i in range(repeat + 1):
                print(f"{round_trip * 1000:g} ms: round {i} of {repeat}", file=sys.stderr,
                      flush=True)  # fmt: skip
                for workflow in WORKFLOWS:
                    for tool in tools:
                        taken = compare(bench, workload, tool, workflow)
                        if i:
                            seconds[workflow][tool].append(taken)
        finally:
            bench.link, bench.far = None, frozenset()
    return {
        flow: {tool: statistics.median(found) for tool, found in by_tool.items()}
        for flow, by_tool in seconds.items()
    }


WORKFLOW_NAMES = {
    "diff": "two live databases, both far",
    "plan": "files to a migration for a far target (schemactl: files unchanged)",
}


def write(out: Path, n: int, figures: dict[float, Figures], tools: Sequence[str],
          repeat: int, elapsed: float) -> None:  # fmt: skip
    peers = [tool for tool in tools if tool != SCHEMACTL]
    lines = [
        "# A far target: across a slow link",
        "",
        f"{time.strftime('%Y-%m-%d')}, commit {report.code_version()}, "
        f"{report.machine()}. Synthetic schema of {n:,} tables (`bench/synthetic.py`); what "
        f"the tools read of the compared databases goes through a link that delays each "
        f"direction by half the round trip (`bench/delay_link.py`); a peer's scratch "
        f"database and schemactl's dev database are near. Median of {repeat} alternating "
        f"rounds after one to warm up; {elapsed / 60:.1f} min in all. `make bench-far` "
        "reproduces it.",
        "",
        "| workflow | round trip | " + " | ".join(tools) + " | schemactl vs faster peer |",
        "|---" * (len(tools) + 3) + "|",
    ]
    for workflow in WORKFLOWS:
        for round_trip, by_workflow in figures.items():
            seconds = by_workflow[workflow]
            cells = [f"{seconds[tool]:.2f} s" for tool in tools]
            faster = min((seconds[p] for p in peers), default=None)
            ratio = f"{faster / seconds[SCHEMACTL]:.2f}x" if faster else "-"
            lines.append(f"| {WORKFLOW_NAMES[workflow]} | {round_trip * 1000:g} ms | "
                         + " | ".join(cells) + f" | {ratio} |")  # fmt: skip
    out.write_text("\n".join(lines) + "\n")


def run(n: int, round_trips: Sequence[float], repeat: int, tools: Sequence[str],
        out: Path, install: bool = True) -> dict[float, Figures]:  # fmt: skip
    """Seconds by round trip, workflow and tool; the peers are installed first where
    ``install``."""
    peers = ensure_peers(install)
    compile_bytecode()
    chosen = [t for t in tools if t == SCHEMACTL or getattr(peers, t.replace("-", ""))]
    started = time.time()
    figures: dict[float, Figures] = {}
    with benched(FarBench, peers, chosen) as bench:
        workload = bench.prepare(n)
        for round_trip in round_trips:
            figures[round_trip] = measure(bench, workload, round_trip, repeat, chosen)
    write(out, n, figures, chosen, repeat, time.time() - started)
    return figures


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1000, help="tables")
    parser.add_argument("--round-trips", default="5,20", help="milliseconds, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    round_trips = [float(ms) / 1000 for ms in args.round_trips.split(",")]
    run(args.size, round_trips, args.repeat, args.tools.split(","), args.out)
    print(args.out.read_text())


if __name__ == "__main__":
    main()
