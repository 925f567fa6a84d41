"""Benchmark: two live databases compared across a slow link, side by side with the peers.

Managed PostgreSQL is reached over a network: a few to tens of milliseconds per round
trip, which a tool pays for every query it waits on. This puts a link that delays each
direction by half a round trip (:mod:`bench.delay_link`) between the tools and one
throwaway server holding the synthetic schema of N tables twice (current and desired,
as in ``make bench``), then times the comparison of the two databases (schemactl
``diff``, migra, pg-delta ``plan``) through it, for each round-trip time, alternating,
median of ``--repeat`` rounds, and writes ``bench/far_server.md`` (the times and
schemactl's speed-up over the faster peer). The databases are loaded directly; only the
comparisons cross the link.

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


class FarBench(Bench):
    """The bench's databases, reached through ``link`` once it is set."""

    link: DelayLink | None = None

    def url(self, dbname: str) -> str:
        direct = super().url(dbname)
        if self.link is None:
            return direct
        return direct.replace(f":{self.server.port}/", f":{self.link.port}/", 1)


def compare(bench: FarBench, workload: Workload, tool: str) -> float:
    """Seconds one tool takes to compare the two databases (its output discarded)."""
    if tool == SCHEMACTL:
        args = ["diff", "--from", bench.url(workload.target), "--to",
                bench.url(workload.live_desired), "--format", "sql"]  # fmt: skip
        return bench.schemactl_run(args).seconds
    return bench.peer_diff(tool, workload.target, workload.live_desired, None).seconds


def measure(bench: FarBench, workload: Workload, round_trip: float, repeat: int,
            tools: Sequence[str]) -> dict[str, float]:  # fmt: skip
    """Median seconds per tool at ``round_trip`` seconds; a first round warms up."""
    seconds: dict[str, list[float]] = {tool: [] for tool in tools}
    host = "127.0.0.1"
    with DelayLink(host, bench.server.port, round_trip / 2) as link:
        bench.link = link
        try:
            for i in range(repeat + 1):
                print(f"{round_trip * 1000:g} ms: round {i} of {repeat}", file=sys.stderr,
                      flush=True)  # fmt: skip
                for tool in tools:
                    taken = compare(bench, workload, tool)
                    if i:
                        seconds[tool].append(taken)
        finally:
            bench.link = None
    return {tool: statistics.median(found) for tool, found in seconds.items()}


def write(out: Path, n: int, figures: dict[float, dict[str, float]], tools: Sequence[str],
          repeat: int, elapsed: float) -> None:  # fmt: skip
    peers = [tool for tool in tools if tool != SCHEMACTL]
    lines = [
        "# Two live databases across a slow link",
        "",
        f"{time.strftime('%Y-%m-%d')}, commit {report.code_version()}, "
        f"{report.machine()}. Synthetic schema of {n:,} tables (`bench/synthetic.py`); each "
        f"tool compares the current and the desired database through a link that delays "
        f"each direction by half the round trip (`bench/delay_link.py`); median of {repeat} "
        f"alternating rounds after one to warm up; {elapsed / 60:.1f} min in all. "
        "`make bench-far` reproduces it.",
        "",
        "| round trip | " + " | ".join(tools) + " | schemactl vs faster peer |",
        "|---" * (len(tools) + 2) + "|",
    ]
    for round_trip, seconds in figures.items():
        cells = [f"{seconds[tool]:.2f} s" for tool in tools]
        faster = min((seconds[p] for p in peers), default=None)
        ratio = f"{faster / seconds[SCHEMACTL]:.2f}x" if faster else "-"
        lines.append(f"| {round_trip * 1000:g} ms | " + " | ".join(cells) + f" | {ratio} |")
    out.write_text("\n".join(lines) + "\n")


def run(n: int, round_trips: Sequence[float], repeat: int, tools: Sequence[str],
        out: Path, install: bool = True) -> dict[float, dict[str, float]]:  # fmt: skip
    """Seconds by round trip and tool; the peers are installed first where ``install``."""
    peers = ensure_peers(install)
    compile_bytecode()
    chosen = [t for t in tools if t == SCHEMACTL or getattr(peers, t.replace("-", ""))]
    started = time.time()
    figures: dict[float, dict[str, float]] = {}
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
