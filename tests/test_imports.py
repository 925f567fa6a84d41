"""Every module imports on its own, in a fresh interpreter, and the console script starts.

In-process specifications import modules in one order; a user's ``schemactl`` or a
library user's ``import schemactl.diff`` imports them in another. An import cycle
between layers (diff reaching up into plan, say) only shows in some orders.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import schemactl

# Each package and top-level module (a package's own imports pull in its modules).
MODULES = sorted(
    info.name
    for info in pkgutil.iter_modules(schemactl.__path__, prefix="schemactl.")
    if not info.name.endswith("__main__")
)


def test_each_package_imports_first_in_a_fresh_interpreter() -> None:
    script = (
        "import importlib, subprocess, sys\n"
        "failed = []\n"
        "for name in sys.argv[1:]:\n"
        "    run = subprocess.run([sys.executable, '-c', f'import {name}'],\n"
        "                         capture_output=True, text=True)\n"
        "    if run.returncode:\n"
        "        failed.append(name + ': ' + run.stderr.strip().splitlines()[-1])\n"
        "print('\\n'.join(failed))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, *MODULES], capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == ""


def test_the_console_script_starts() -> None:
    script = Path(sys.executable).parent / "schemactl"
    run = subprocess.run([str(script), "version"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("schemactl ")
