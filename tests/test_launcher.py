"""The console program keeps the compiled code of generated dataclass methods between runs,
and a class is the same whether its methods were compiled now or read back."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from schemactl import launcher
from schemactl.launcher import KeptCode

# A frozen dataclass, printed every way a caller can tell one class from another.
PROBE = """
import dataclasses, sys
from schemactl.launcher import keep_dataclass_methods
kept = keep_dataclass_methods()

@dataclasses.dataclass(frozen=True)
class Point:
    x: int
    y: int = 0
    tags: tuple[str, ...] = ()

p = Point(1, tags=("a",))
try:
    p.x = 2
    frozen = "mutable"
except dataclasses.FrozenInstanceError:
    frozen = "frozen"
print(repr(p), p == Point(1, 0, ("a",)), hash(p) == hash(Point(1, 0, ("a",))), frozen,
      [f.name for f in dataclasses.fields(Point)], Point.__init__.__annotations__,
      dataclasses.replace(p, y=5))
print("compiled now" if kept is not None and kept.added else "read back", file=sys.stderr)
"""


def run_probe(cache: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "XDG_CACHE_HOME": str(cache), **env}
    if "SCHEMACTL_NO_CACHE" not in env:
        environment.pop("SCHEMACTL_NO_CACHE", None)
    return subprocess.run(
        [sys.executable, "-c", PROBE], env=environment, capture_output=True, text=True, check=True
    )


def kept_files(cache: Path) -> list[Path]:
    return sorted((cache / "schemactl" / "python").glob("dataclass-methods-*"))


def test_a_second_run_reads_the_methods_back_and_its_classes_are_the_same(tmp_path: Path) -> None:
    first = run_probe(tmp_path)
    second = run_probe(tmp_path)
    assert first.stderr.strip() == "compiled now"
    assert second.stderr.strip() == "read back"
    assert first.stdout == second.stdout
    assert "Point(x=1, y=0, tags=('a',)) True True frozen ['x', 'y', 'tags']" in second.stdout
    assert len(kept_files(tmp_path)) == 1


def test_a_corrupt_file_is_ignored_and_written_again(tmp_path: Path) -> None:
    run_probe(tmp_path)
    (kept,) = kept_files(tmp_path)
    kept.write_bytes(b"\x00not marshal data")
    assert run_probe(tmp_path).stderr.strip() == "compiled now"
    assert run_probe(tmp_path).stderr.strip() == "read back"


def test_no_cache_keeps_nothing(tmp_path: Path) -> None:
    run_probe(tmp_path, SCHEMACTL_NO_CACHE="1")
    assert kept_files(tmp_path) == []


def test_kept_code_is_compiled_as_exec_would_compile_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No __future__ flag of the launcher leaks into the methods: their annotations are
    objects, as dataclasses makes them, not strings."""
    kept = KeptCode(tmp_path / "methods.marshal")
    monkeypatch.setattr(dataclasses, "exec", kept.exec, raising=False)

    pair = dataclasses.make_dataclass("Pair", [("left", int), ("right", str)], frozen=True)

    assert kept.added
    assert pair.__init__.__annotations__["left"] is int
    kept.keep()
    assert set(KeptCode(tmp_path / "methods.marshal").codes) == set(kept.codes)


def test_the_console_program_starts_through_the_launcher() -> None:
    root = Path(__file__).resolve().parents[1]
    scripts = (root / "pyproject.toml").read_text()
    assert 'schemactl = "schemactl.launcher:run"' in scripts
    assert "from schemactl.launcher import run" in (root / "src/schemactl/__main__.py").read_text()
    assert launcher.MOST_TEXTS > 1000


def test_the_collector_is_paused_for_imports_only_and_runs_again_after_them() -> None:
    """Imports run with the cyclic collector paused; the command, and whatever it leaves
    behind, runs with it on again, whether the command succeeded or failed."""
    unreachable = "postgresql://nobody@127.0.0.1:1/nothing"
    for argv, status in ((["version"], 0), (["drift", "--database-url", unreachable], 1)):
        script = (
            "import atexit, gc, sys\n"
            "atexit.register(lambda: print('collector on' if gc.isenabled() else 'off'))\n"
            f"sys.argv = ['schemactl', *{argv!r}]\n"
            "from schemactl.launcher import run\n"
            "run()\n"
        )
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        assert done.returncode == status, done.stderr
        assert done.stdout.strip().splitlines()[-1] == "collector on"
