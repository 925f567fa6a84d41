"""The side-by-side benchmark: schemactl against migra and pg-delta on synthetic schemas
and on a real application's schema.

For each size N it writes a synthetic schema (:mod:`bench.synthetic`: ``current``, what
the target holds, and ``desired``, 1% of objects changed), loads the target and a live
copy of the desired state into one throwaway server, and times, alternating the tools
within each round, the median of ``--repeat`` rounds of:

- **plan**: the desired state as SQL files -> migration. schemactl ``plan`` from the
  schema folder (its dev database on the same server, ``--dev-url``); the peers the way
  their users must: ``createdb`` + ``psql -1 -f`` of the files, then their diff.
- **diff**: two live databases -> migration (``schemactl diff``, ``migra``, ``pgdelta plan``).
- **drift**: the target against unchanged files (no changes expected).

schemactl's ``plan`` and ``drift`` run cold (its cache folder emptied first, so the run
loads the dev database and writes the cache) and then warm (run again at once: the
files are unchanged, the cache has them); the peers have no cache, and their warm
figure is their cold one.

Every command is a fresh process, timed from outside (wall clock, peak resident memory
from ``wait4``), with the CPU seconds it used and those of the server backends that
served it (:mod:`bench.cpu`). schemactl also reports its phases and round trips
(``SCHEMACTL_METRICS``).
Each tool's migration is then applied to a copy of the target and the copy compared with
the desired database (by schemactl and by migra, where installed): both must find nothing.
Results go to ``bench/results.json``, ``bench/README.md`` and ``bench/time_vs_n.png``.

After the synthetic sizes, the same workflows run on the application workload
(:mod:`bench.application`: the example schema grown tenfold, ``--application-copies``)
in place of a size: its target holds exactly what its files declare (the desired state
equals the database, so every tool should find nothing), and the check also asks each
tool's files -> migration to come out empty.

    python -m bench.run [--sizes 100,1000,5000] [--repeat 5] [--tools schemactl,migra,pg-delta]
                        [--application-copies 10]

A size may carry its own number of rounds: ``--sizes 100,1000,5000:3``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import psycopg

import schemactl
from bench import application, report, synthetic
from bench.cpu import ServerCpu
from bench.peers import Peers, ensure_peers
from schemactl.devdb.embedded import EmbeddedServer

BENCH = Path(__file__).resolve().parent
COLD_REMOVES = ("desired-state", "folder-facts")  # what a cold run must not find
SCHEMACTL = "schemactl"
MIGRA = "migra"
PG_DELTA = "pg-delta"
TOOLS = (SCHEMACTL, MIGRA, PG_DELTA)
WORKFLOWS = ("plan", "plan_warm", "diff", "drift", "drift_warm")
EXIT_DIFFERENCES = (0, 2)  # migra and schemactl exit 2 when they find differences


@dataclass
class Sample:
    seconds: float
    peak_mb: float
    metrics: dict[str, object] | None = None
    cpu_seconds: float | None = None  # the command's own processes
    server_cpu_seconds: float | None = None  # the backends that served it

    @property
    def total_cpu_seconds(self) -> float | None:
        if self.cpu_seconds is None or self.server_cpu_seconds is None:
            return None
        return self.cpu_seconds + self.server_cpu_seconds


Key = int | str  # a workload: N for a synthetic schema, a label for the application


@dataclass
class Results:
    """Every sample of the run: results[N][workflow][tool] -> samples."""

    samples: dict[Key, dict[str, dict[str, list[Sample]]]] = field(default_factory=dict)
    verified: dict[Key, dict[str, str]] = field(default_factory=dict)
    objects: dict[Key, dict[str, int]] = field(default_factory=dict)
    example: dict[str, list[Sample]] = field(default_factory=dict)  # cold / warm
    rounds: dict[Key, int] = field(default_factory=dict)  # rounds run per workload

    def add(self, n: Key, workflow: str, tool: str, sample: Sample) -> None:
        by_tool = self.samples.setdefault(n, {}).setdefault(workflow, {})
        by_tool.setdefault(tool, []).append(sample)


@dataclass(frozen=True)
class Workload:
    """One schema the workflows run on: the target database is loaded from ``current``
    and the live desired one from ``desired`` (both folders with ``schema/`` and
    ``all.sql``); the same folder twice when the desired state equals the database."""

    key: Key
    slug: str  # in database names
    current: Path
    desired: Path

    @property
    def target(self) -> str:
        return f"target_{self.slug}"

    @property
    def live_desired(self) -> str:
        return f"desired_{self.slug}"

    @property
    def unchanged(self) -> bool:
        return self.current == self.desired


class Failed(RuntimeError):
    pass


def measured(args: Sequence[str], env: dict[str, str] | None = None, ok: Sequence[int] = (0,),
             stdout: Path | None = None, server: ServerCpu | None = None) -> Sample:  # fmt: skip
    """Run one command to its end; its wall time, peak resident memory and CPU time, and
    the CPU time of the backends it had on ``server``."""
    with open(stdout or os.devnull, "wb") as out, tempfile.TemporaryFile() as err:
        mark = server.mark() if server else None
        started = time.perf_counter()
        process = subprocess.Popen(list(args), stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in ok:
            err.seek(0)
            message = err.read().decode(errors="replace").strip()[-2000:]
            raise Failed(f"{' '.join(args[:3])}... exited {process.returncode}: {message}")
    backends = server.since(mark) if server else None
    own = round(usage.ru_utime + usage.ru_stime, 3)
    return Sample(elapsed, usage.ru_maxrss / 1024, cpu_seconds=own, server_cpu_seconds=backends)


def combined(samples: Sequence[Sample]) -> Sample:
    """Steps run one after the other: times add up, memory is the largest step's."""
    return Sample(
        sum(s.seconds for s in samples),
        max(s.peak_mb for s in samples),
        cpu_seconds=_sum(s.cpu_seconds for s in samples),
        server_cpu_seconds=_sum(s.server_cpu_seconds for s in samples),
    )


def _sum(values: Iterable[float | None]) -> float | None:
    """The sum, unless a value is unknown."""
    known = list(values)
    return None if None in known else round(sum(v for v in known if v is not None), 3)


class Bench:
    def __init__(self, server: EmbeddedServer, peers: Peers, tools: Sequence[str], work: Path):
        self.server = server
        self.peers = peers
        self.tools = tools
        self.work = work
        self.bin = server.bin_dir
        self.schemactl = str(Path(sys.executable).parent / "schemactl")
        postmaster = server.process.pid if server.process else None
        self.cpu = ServerCpu(postmaster) if postmaster else None
        self.counter = 0

    # -- databases -----------------------------------------------------------------

    def url(self, dbname: str) -> str:
        return self.server.url_for(dbname)

    def createdb(self, dbname: str, template: str | None = None) -> Sample:
        args = [str(self.bin / "createdb"), f"--maintenance-db={self.server.url}"]
        return self.measured([*args, *(["-T", template] if template else []), dbname])

    def dropdb(self, dbname: str) -> None:
        with psycopg.connect(self.server.url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')

    def psql_file(self, dbname: str, path: Path, one_transaction: bool = True) -> Sample:
        args = [str(self.bin / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url(dbname)]
        return self.measured([*args, *(["-1"] if one_transaction else []), "-f", str(path)])

    def measured(self, args: Sequence[str], env: dict[str, str] | None = None,
                 ok: Sequence[int] = (0,), stdout: Path | None = None) -> Sample:  # fmt: skip
        """:func:`measured`, with the CPU time of this server's backends."""
        return measured(args, env, ok, stdout, self.cpu)

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}_{self.counter}"

    # -- the tools -----------------------------------------------------------------

    def schemactl_run(self, args: Sequence[str], out: Path | None = None,
                      cold: bool = False) -> Sample:  # fmt: skip
        """One schemactl command; ``cold``: with everything it kept of schema folders
        removed first (desired states, folder facts). The dev server's initialized data
        folder, made once per server build like an installation, is kept (see
        schemactl.devdb.clusters)."""
        cache = self.work / "cache"
        if cold:
            for kept in COLD_REMOVES:
                shutil.rmtree(cache / "schemactl" / kept, ignore_errors=True)
        with tempfile.NamedTemporaryFile(suffix=".json") as handle:
            env = {**os.environ, "SCHEMACTL_METRICS": handle.name, "XDG_CACHE_HOME": str(cache)}
            env.pop("SCHEMACTL_NO_CACHE", None)
            sample = self.measured([self.schemactl, *args], env, EXIT_DIFFERENCES, out)
            text = Path(handle.name).read_text()
        sample.metrics = json.loads(text)["schemactl_metrics"] if text else None
        return sample

    def peer_diff(self, tool: str, source: str, desired: str, out: Path | None) -> Sample:
        if tool == MIGRA:
            assert self.peers.migra is not None
            args = [str(self.peers.migra), "--unsafe", self.pg2(source), self.pg2(desired)]
            return self.measured(args, None, EXIT_DIFFERENCES, out)
        assert self.peers.pgdelta is not None
        plan = out or self.work / "pgdelta-plan.json"
        args = [str(self.peers.pgdelta), "plan", "--source", self.url(source), "--desired",
                self.url(desired), "--out", str(plan)]  # fmt: skip
        return self.measured(args, None, EXIT_DIFFERENCES)

    def pg2(self, dbname: str) -> str:
        return self.url(dbname).replace("postgresql://", "postgresql+psycopg2://", 1)

    def from_files(self, tool: str, files: Path, target: str, out: Path | None = None) -> Sample:
        """A peer given SQL files: createdb + ``psql -1 -f`` + its diff (dropdb untimed)."""
        scratch = self.fresh("peer")
        try:
            steps = [self.createdb(scratch), self.psql_file(scratch, files)]
            steps.append(self.peer_diff(tool, target, scratch, out))
            return combined(steps)
        finally:
            self.dropdb(scratch)

    def example(self, repeat: int, results: Results) -> None:
        """The project's example schema (schema/: a travel platform with RLS, triggers,
        views, partitions) planned against an empty database with the embedded dev
        server, cold and warm: schemactl's own target of 1.5 s and 0.5 s."""
        folder = BENCH.parent / "schema"
        if not folder.is_dir():
            return
        target = self.fresh("example")
        self.createdb(target)
        args = ["plan", "--schema", str(folder), "--database-url", self.url(target),
                "--format", "sql"]  # fmt: skip
        try:
            for _ in range(repeat):
                results.example.setdefault("cold", []).append(self.schemactl_run(args, cold=True))
                results.example.setdefault("warm", []).append(self.schemactl_run(args))
        finally:
            self.dropdb(target)

    # -- one size ------------------------------------------------------------------

    def prepare(self, n: int) -> Workload:
        folder = self.work / f"n{n}"
        current = synthetic.write(n, folder / "current", desired=False)
        desired = synthetic.write(n, folder / "desired", desired=True)
        return self.load(Workload(n, str(n), current, desired))

    def prepare_application(self, copies: int) -> Workload:
        """The example schema grown ``copies`` times; the desired state is the target's."""
        folder = application.write(self.work / f"app{copies}", copies)
        return self.load(Workload(application.label(copies), f"app{copies}", folder, folder))

    def load(self, workload: Workload) -> Workload:
        """The target and the live desired database, loaded and then analyzed.

        They stand for databases in service: autovacuum analyzes the system catalogs
        within about a minute of DDL on this scale, and every tool's catalog queries are
        planned from those statistics. Read as loaded, the catalogs have none, and
        whether autovacuum came by during the rounds could change the plans of the reads
        measured from one round to the next. Databases a workflow creates itself (a
        peer's scratch database, schemactl's dev database) are read as loaded, as they
        are in use."""
        for name, variant in ((workload.target, workload.current),
                              (workload.live_desired, workload.desired)):  # fmt: skip
            self.dropdb(name)
            self.createdb(name)
            self.psql_file(name, variant / "all.sql")
            with psycopg.connect(self.url(name), autocommit=True) as conn:
                conn.execute("ANALYZE")
        return workload

    def round(self, workload: Workload, results: Results) -> None:
        n, current, desired = workload.key, workload.current, workload.desired
        target, live_desired = workload.target, workload.live_desired
        dev = ["--dev-url", self.server.url]
        plan = ["plan", "--schema", str(desired / "schema"), "--database-url", self.url(target)]
        plan += [*dev, "--format", "sql"]
        drift = ["drift", "--schema", str(current / "schema"), "--database-url", self.url(target)]
        drift += dev
        diff = ["diff", "--from", self.url(target), "--to", self.url(live_desired)]
        diff += ["--format", "sql"]
        runs: dict[str, dict[str, Callable[[], Sample]]] = {
            SCHEMACTL: {
                "plan": lambda: self.schemactl_run(plan, cold=True),
                "plan_warm": lambda: self.schemactl_run(plan),
                "diff": lambda: self.schemactl_run(diff),
                "drift": lambda: self.schemactl_run(drift, cold=True),
                "drift_warm": lambda: self.schemactl_run(drift),
            },
        }
        for peer in (MIGRA, PG_DELTA):
            runs[peer] = {
                "plan": lambda p=peer: self.from_files(p, desired / "all.sql", target),  # type: ignore[misc]
                "diff": lambda p=peer: self.peer_diff(p, target, live_desired, None),  # type: ignore[misc]
                "drift": lambda p=peer: self.from_files(p, current / "all.sql", target),  # type: ignore[misc]
            }
        for workflow in ("plan", "diff", "drift"):
            for tool in self.tools:  # alternating: every tool once per workflow per round
                results.add(n, workflow, tool, runs[tool][workflow]())
                if tool == SCHEMACTL and workflow in ("plan", "drift"):
                    warm = f"{workflow}_warm"
                    results.add(n, warm, tool, runs[tool][warm]())

    def verify(self, workload: Workload, results: Results) -> None:
        """Apply each tool's migration (from the live diff) to a copy of the target; the
        copy must then equal the desired database for every judge. Where the desired
        state equals the target, the tool's migration from the files must be empty too."""
        n, target, live_desired = workload.key, workload.target, workload.live_desired
        verdicts: dict[str, str] = {}
        for tool in self.tools:
            copy = self.fresh("verify")
            migration = self.work / f"migration-{tool}-{workload.slug}.sql"
            try:
                self.createdb(copy, template=target)
                if tool == SCHEMACTL:
                    measured([self.schemactl, "diff", "--from", self.url(target), "--to",
                              self.url(live_desired), "--format", "sql"], None,
                             EXIT_DIFFERENCES, migration)  # fmt: skip
                    self.psql_file(copy, migration, one_transaction=False)
                elif tool == MIGRA:
                    self.peer_diff(tool, target, live_desired, migration)
                    self.psql_file(copy, migration)
                else:
                    plan = self.work / f"pgdelta-{workload.slug}.json"
                    self.peer_diff(tool, target, live_desired, plan)
                    assert self.peers.pgdelta is not None
                    measured([str(self.peers.pgdelta), "apply", "--plan", str(plan), "--target",
                              self.url(copy), "--force", "--allow-data-loss"])  # fmt: skip
                verdicts[tool] = self.judge(copy, live_desired)
                if workload.unchanged and verdicts[tool] == "equal":
                    verdicts[tool] = self.nothing_from_files(tool, workload)
            except Failed as exc:
                verdicts[tool] = f"migration failed: {exc}"
            finally:
                self.dropdb(copy)
        results.verified[n] = verdicts

    def judge(self, copy: str, desired: str) -> str:
        """'equal' when schemactl (and migra, if installed) find nothing left to do."""
        left: list[str] = []
        found = subprocess.run(
            [self.schemactl, "diff", "--from", self.url(copy), "--to", self.url(desired),
             "--format", "sql"], capture_output=True, text=True, check=False)  # fmt: skip
        if found.returncode != 0:
            left.append(f"schemactl diff: {(found.stdout + found.stderr).strip()[:400]}")
        if self.peers.migra is not None:
            found = subprocess.run(
                [str(self.peers.migra), "--unsafe", self.pg2(copy), self.pg2(desired)],
                capture_output=True, text=True, check=False)  # fmt: skip
            if found.returncode != 0:
                left.append(f"migra: {(found.stdout + found.stderr).strip()[:400]}")
        return "equal" if not left else "differs: " + "; ".join(left)

    def measure(self, workload: Workload, rounds: int, results: Results, verify: bool) -> None:
        """Every round of one workload, then its check; its databases dropped after."""
        n = workload.key
        results.objects[n] = self.count_objects(workload)
        results.rounds[n] = rounds
        try:
            for i in range(rounds):
                name = f"N = {n}" if isinstance(n, int) else n
                print(f"{name}: round {i + 1} of {rounds}", file=sys.stderr, flush=True)
                self.round(workload, results)
            if verify:
                self.verify(workload, results)
        finally:
            self.dropdb(workload.target)
            self.dropdb(workload.live_desired)

    def nothing_from_files(self, tool: str, workload: Workload) -> str:
        """'equal' when the tool's files -> migration against a target that already holds
        the files' schema is empty (schemactl's plan, the peers' diff after loading)."""
        out = self.work / f"from-files-{tool}-{workload.slug}"
        if tool == SCHEMACTL:
            self.schemactl_run(["plan", "--schema", str(workload.desired / "schema"),
                                "--database-url", self.url(workload.target), "--dev-url",
                                self.server.url, "--format", "sql"], out)  # fmt: skip
        else:
            self.from_files(tool, workload.desired / "all.sql", workload.target, out)
        found = out.read_text() if out.exists() else ""
        if tool == PG_DELTA:  # a plan of no actions
            found = "; ".join(
                action["sql"] for action in json.loads(found or "{}").get("actions", [])
            )
        if not found.strip():
            return "equal"
        return f"files -> migration not empty: {found.strip()[:400]}"

    def count_objects(self, workload: Workload) -> dict[str, int]:
        with psycopg.connect(self.url(workload.target)) as conn:
            row = conn.execute(report.OBJECT_COUNTS).fetchone()
        assert row is not None
        return dict(zip(report.OBJECT_COUNT_NAMES, (int(v) for v in row), strict=True))


def compile_bytecode() -> None:
    """Compile schemactl's modules as ``pip install`` does for an installed package (an
    editable install under ``PYTHONDONTWRITEBYTECODE`` would compile every module from
    source in every process, which no user's installed schemactl does; the peers' own
    packages were compiled when pip installed them)."""
    package = Path(schemactl.__file__).parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


B = TypeVar("B", bound=Bench)


# Lock slots for the peers' loads (``psql -1``): at N = 5,000 one transaction creates some
# 31,000 relations, and minor releases from 15.19 on also lock the objects a new one
# depends on. 256 per connection ran out there.
SERVER_SETTINGS = {"max_locks_per_transaction": "1024"}


@contextmanager
def benched(kind: type[B], peers: Peers, tools: Sequence[str]) -> Iterator[B]:
    """A bench of ``kind`` on a throwaway server with the synthetic schema's roles, and a
    work folder; both gone after."""
    with (
        tempfile.TemporaryDirectory(prefix="schemactl-bench-") as work,
        EmbeddedServer(settings=SERVER_SETTINGS) as server,
    ):
        os.chmod(work, 0o755)  # psql and the server may run as another user
        with psycopg.connect(server.url, autocommit=True) as conn:
            for role in synthetic.ROLES:
                conn.execute(f"CREATE ROLE {role} NOLOGIN")
        yield kind(server, peers, tools, Path(work))


def run(sizes: Sequence[int], repeat: int, tools: Sequence[str], install: bool,
        out: Path, verify: bool = True, example: bool = True,
        repeats: dict[int, int] | None = None,
        application_copies: int = application.COPIES) -> Results:  # fmt: skip
    """Run the benchmark; ``repeats``: rounds for some sizes, ``repeat`` for the others
    (and for the application workload, left out when ``application_copies`` is 0)."""
    repeats = repeats or {}
    peers = ensure_peers(install) if set(tools) - {SCHEMACTL} else Peers()
    compile_bytecode()
    chosen = [t for t in tools if t == SCHEMACTL or getattr(peers, t.replace("-", ""))]
    results = Results()
    started = time.time()
    with benched(Bench, peers, chosen) as bench:
        server = bench.server
        if example:
            print("the example schema", file=sys.stderr, flush=True)
            bench.example(repeat, results)
        for n in sizes:
            print(f"N = {n}: preparing", file=sys.stderr, flush=True)
            bench.measure(bench.prepare(n), repeats.get(n, repeat), results, verify)
        if application_copies:
            print(application.label(application_copies), file=sys.stderr, flush=True)
            with psycopg.connect(server.url, autocommit=True) as conn:
                for role in application.ROLES:  # after the example, which declares them
                    conn.execute(f"CREATE ROLE {role} NOLOGIN")
            workload = bench.prepare_application(application_copies)
            bench.measure(workload, repeat, results, verify)
        server_version = _server_version(server.url)
    report.write(out, results, peers, chosen, repeat, server_version, time.time() - started)
    return results


def _server_version(url: str) -> str:
    with psycopg.connect(url) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,5000", help="table counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=5, help="rounds per size (the median)")
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--no-install", action="store_true", help="only peers already installed")
    parser.add_argument("--no-verify", action="store_true")
    parser.add_argument("--no-example", action="store_true", help="skip the example schema")
    parser.add_argument("--application-copies", type=int, default=application.COPIES,
                        help="the application workload: the example schema this many times "
                        "over (0: leave it out)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=BENCH, help="folder for README.md and plot")
    args = parser.parse_args(argv)
    sizes = [int(s.split(":")[0]) for s in args.sizes.split(",") if s]
    repeats = {
        int(s.split(":")[0]): int(s.split(":")[1]) for s in args.sizes.split(",") if ":" in s
    }
    tools = [t for t in args.tools.split(",") if t]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")
    run(sizes, args.repeat, tools, not args.no_install, args.out, not args.no_verify,
        not args.no_example, repeats, args.application_copies)  # fmt: skip


if __name__ == "__main__":
    main()
