"""psycopg's version modules, answered from the installed distribution's folder name.

``psycopg`` and ``psycopg_binary`` each learn their own version on import through
``importlib.metadata.version()``. Nothing else a command imports needs
``importlib.metadata``, and importing it (with ``email``, ``zipfile``, ``csv`` and the
rest of its chain) and searching every ``sys.path`` entry twice took 40 to 70 ms of CPU
on every run that connects to a database: about a tenth of a warm plan of the example
schema. The version is only ever shown (in psycopg's messages about its C module).

An installed distribution's ``.dist-info`` folder is named ``{name}-{version}`` (the
wheel and installed-project specifications), and sits beside the package it installed.
Where exactly one such folder is there, the version module is made from its name
alone; where there is none or more than one (an editable or unusual install), the
package's own module runs as it always does. Anything else a future version module
defines is still there: asking for a name the folder did not give runs the real module.
"""

from __future__ import annotations

import importlib.machinery
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from importlib.abc import Loader

# Version module -> the distribution that installs its package (folder-name form).
DISTRIBUTIONS = {
    "psycopg.version": "psycopg",
    "psycopg_binary.version": "psycopg_binary",
}


def installed_version(package_folder: Path, distribution: str) -> str | None:
    """The version in the name of the one ``.dist-info`` folder beside the package."""
    try:
        found = list(package_folder.parent.glob(f"{distribution}-*.dist-info"))
    except OSError:
        return None
    if len(found) != 1:
        return None
    version = found[0].name.removeprefix(f"{distribution}-").removesuffix(".dist-info")
    return version or None


class FolderNamedVersion:
    """Loads a version module from its distribution's folder name; runs the real one
    where that name is not to be had, or a name it lacks is asked for. (A loader and a
    finder by their methods: ``importlib.abc`` would import ``importlib.resources``.)"""

    def __init__(self, real: importlib.machinery.ModuleSpec, distribution: str) -> None:
        self.real = real
        self.distribution = distribution

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None  # the default module

    def exec_module(self, module: ModuleType) -> None:
        origin = self.real.origin
        version = installed_version(Path(origin).parent, self.distribution) if origin else None
        if version is None:
            self._run_real(module)
            return
        module.__dict__["__version__"] = version

        def run_real_for(name: str) -> Any:
            if name.startswith("__"):  # the import system's probes (__path__ and such)
                raise AttributeError(name)
            del module.__getattr__
            self._run_real(module)
            return getattr(module, name)

        module.__getattr__ = run_real_for  # type: ignore[method-assign]

    def _run_real(self, module: ModuleType) -> None:
        assert self.real.loader is not None
        self.real.loader.exec_module(module)


class VersionModuleFinder:
    """Finds psycopg's version modules as the path finder would, with the loader above."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        distribution = DISTRIBUTIONS.get(fullname)
        if distribution is None:
            return None
        real = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if real is None or real.loader is None:
            return real
        return importlib.machinery.ModuleSpec(
            fullname, cast("Loader", FolderNamedVersion(real, distribution)), origin=real.origin
        )


def answer_versions_from_folder_names() -> None:
    """From now on, import psycopg's version modules as above (once per process)."""
    if not any(isinstance(finder, VersionModuleFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, VersionModuleFinder())
