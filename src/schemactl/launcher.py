"""The console program's first module: it keeps what every run would compile again.

Here, the code of generated dataclass methods; regular expressions' programs are kept
the same way by :mod:`schemactl.regex_programs`, both through
:class:`schemactl.kept_table.KeptTable`.

Every ``@dataclass`` builds its methods (``__init__``, ``__eq__``, ``__hash__``,
``__repr__``, and ``__setattr__``/``__delattr__`` when frozen) as source text and compiles
each one with ``exec`` while the class is created. A command creates about a hundred such
classes (the catalog model, plans, changes); on CPython 3.11 and 3.12 compiling their
six hundred methods took 90 to 120 ms of every run, a fifth of a warm plan of the
example schema. The texts are the same on every run, so, like ``.pyc`` files, their
compiled code is kept: in the user's cache folder, one file per bytecode version, read
with ``marshal`` before anything else is imported.

Only the text ``dataclasses`` would have compiled is looked up, and it is compiled
exactly as ``exec`` would have (no inherited ``__future__`` flags), so a class is the
same whether its methods came from the file or not. A file that cannot be read or is
not what it should be is ignored and written again; one that cannot be written is no
error. ``SCHEMACTL_NO_CACHE=1`` leaves it alone, as it does every other cache.
"""

from __future__ import annotations

import atexit
import builtins
import dataclasses
import importlib.util
from pathlib import Path
from types import CodeType
from typing import Any, NoReturn

from schemactl.cache_home import cache_home, disabled_by_environment
from schemactl.collector import paused
from schemactl.kept_table import KeptTable
from schemactl.regex_programs import keep_regex_programs
from schemactl.version_modules import answer_versions_from_folder_names

# Beyond this many texts the file is started afresh (each version of schemactl adds its own).
MOST_TEXTS = 5000


def _cache_file() -> Path:
    """Beside schemactl's other caches, one file per bytecode version."""
    version = importlib.util.MAGIC_NUMBER.hex()
    return cache_home() / "python" / f"dataclass-methods-{version}.marshal"


def _is_code(text: object, code: object) -> bool:
    return isinstance(text, str) and isinstance(code, CodeType)


class KeptCode:
    """Compiled code by source text, read from and written to one file."""

    def __init__(self, path: Path) -> None:
        self.table = KeptTable(path, _is_code, MOST_TEXTS)

    @property
    def codes(self) -> dict[str, CodeType]:
        return self.table.entries

    @property
    def added(self) -> bool:
        return self.table.added

    def compiled(self, text: str) -> CodeType:
        code = self.table.entries.get(text)
        if code is None:
            code = compile(text, "<string>", "exec", dont_inherit=True)
            self.table.put(text, code)
        return code

    def exec(self, source: Any, *args: Any, **kwargs: Any) -> None:
        """``exec`` as ``dataclasses`` calls it, with the text's kept code."""
        if isinstance(source, str):
            source = self.compiled(source)
        builtins.exec(source, *args, **kwargs)

    def keep(self) -> None:
        """Write the file again where this run compiled something new."""
        self.table.keep()


def keep_dataclass_methods() -> KeptCode | None:
    """Have ``dataclasses`` compile through kept code from now on; the file is written
    again at exit where something new was compiled."""
    if disabled_by_environment():
        return None
    kept = KeptCode(_cache_file())
    dataclasses.exec = kept.exec  # type: ignore[attr-defined]  # shadows the builtin there only
    atexit.register(kept.keep)
    return kept


def run() -> NoReturn:
    """The ``schemactl`` console program. Its imports, like a command's own (see
    ``cli.app.command_imports``), run with the cyclic collector paused: they make tens of
    thousands of long-lived objects (modules, classes, functions) and no garbage cycles,
    and the collector's walks over them took 50 to 90 ms of a warm plan."""
    keep_dataclass_methods()
    keep_regex_programs()
    answer_versions_from_folder_names()
    with paused():
        from schemactl.cli.entry import run as run_command

    run_command()
