"""psycopg's version modules are answered from the installed distribution's folder name,
without importing importlib.metadata; where the folder does not say, the real module runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from schemactl.version_modules import installed_version

IMPORT_PSYCOPG = """
import sys
from schemactl.version_modules import answer_versions_from_folder_names
answer_versions_from_folder_names()
import psycopg, psycopg.version, psycopg_binary
without = "importlib.metadata" not in sys.modules
from importlib import metadata
print(without, psycopg.__version__ == metadata.version("psycopg"),
      psycopg_binary.__version__ == metadata.version("psycopg-binary"), psycopg.pq.__impl__)
"""


def run(code: str, *paths: Path) -> str:
    prefix = "import sys\n" + "".join(f"sys.path.insert(0, {str(p)!r})\n" for p in paths)
    return subprocess.run(
        [sys.executable, "-c", prefix + code], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_psycopg_imports_with_its_own_versions_and_without_importlib_metadata() -> None:
    assert run(IMPORT_PSYCOPG) == "True True True binary"


def test_the_console_program_answers_them_so() -> None:
    """A command that connects (here, to nowhere) imports psycopg, not importlib.metadata."""
    unreachable = "postgresql://nobody@127.0.0.1:1/nothing"
    script = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('psycopg' in sys.modules,"
        " 'importlib.metadata' in sys.modules))\n"
        f"sys.argv = ['schemactl', 'diff', '--from', {unreachable!r}, '--to', {unreachable!r}]\n"
        "from schemactl.launcher import run\n"
        "run()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "True False"


def fake_package(site: Path, version_source: str, dist_infos: list[str]) -> None:
    """A package ``psycopg_binary`` (the name the finder answers for) in ``site``."""
    package = site / "psycopg_binary"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "version.py").write_text(version_source)
    for name in dist_infos:
        (site / name).mkdir()


REAL_MODULE = "__version__ = 'from the module'\nextra = 'only the module has it'\n"
PROBE = """
from schemactl.version_modules import answer_versions_from_folder_names
answer_versions_from_folder_names()
import psycopg_binary.version as v
print(v.__version__, v.extra)
"""


def test_one_folder_gives_the_version_and_other_names_come_from_the_real_module(
    tmp_path: Path,
) -> None:
    fake_package(tmp_path, REAL_MODULE, ["psycopg_binary-9.8.7.dist-info"])
    assert run(PROBE, tmp_path) == "9.8.7 only the module has it"


def test_no_folder_or_two_folders_run_the_real_module(tmp_path: Path) -> None:
    fake_package(tmp_path / "none", REAL_MODULE, [])
    fake_package(
        tmp_path / "two",
        REAL_MODULE,
        ["psycopg_binary-1.0.dist-info", "psycopg_binary-2.0.dist-info"],
    )
    probe = PROBE.replace(", v.extra", "")
    assert run(probe, tmp_path / "none") == "from the module"
    assert run(probe, tmp_path / "two") == "from the module"


def test_another_distributions_folder_is_not_taken_for_the_package(tmp_path: Path) -> None:
    (tmp_path / "psycopg").mkdir()
    (tmp_path / "psycopg_binary-3.0.dist-info").mkdir()
    (tmp_path / "psycopg_c-3.1.dist-info").mkdir()
    assert installed_version(tmp_path / "psycopg", "psycopg") is None
    (tmp_path / "psycopg-3.2.dist-info").mkdir()
    assert installed_version(tmp_path / "psycopg", "psycopg") == "3.2"
