"""Time against N per tool and workflow, from results.json (run with the peers' python,
which has matplotlib: bench/.tools/venv)."""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

WORKFLOWS = ("plan", "plan_warm", "diff", "drift")


def main() -> None:
    out = Path(sys.argv[1])
    results = json.loads((out / "results.json").read_text())
    samples = results["samples"]
    sizes = sorted((n for n in samples if n.isdigit()), key=int)  # not the application's
    figure, axes = plt.subplots(1, len(WORKFLOWS), figsize=(17, 4))
    for axis, workflow in zip(axes, WORKFLOWS, strict=True):
        tools = sorted({t for n in sizes for t in samples[n].get(workflow, {})})
        for tool in tools:
            points = [
                (int(n), statistics.median(s["seconds"] for s in samples[n][workflow][tool]))
                for n in sizes
                if tool in samples[n].get(workflow, {})
            ]
            axis.plot(*zip(*points, strict=True), marker="o", label=tool)
        axis.set_title(workflow)
        axis.set_xlabel("tables (N)")
        axis.set_ylabel("seconds (median)")
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend()
    figure.suptitle(f"commit {results['commit']}, {results['date']}")
    figure.tight_layout()
    figure.savefig(out / "time_vs_n.png", dpi=100)


if __name__ == "__main__":
    main()
