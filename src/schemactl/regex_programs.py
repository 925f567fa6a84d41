"""Regular expressions compiled once, their programs kept between runs.

A command imports a few hundred modules, and about a hundred regular expressions are
compiled while they load (psycopg's, jinja2's, tomllib's, the standard library's,
schemactl's own). Python compiles each from its text in pure Python: some 30 ms of every
run, a twentieth of a warm plan of the example schema. What it makes is a program of
integers for the regular-expression engine, the same on every run of one Python build.
Like the dataclass methods of :mod:`schemactl.launcher`, the programs are kept in the
user's cache folder, one file per Python build, and handed to the engine directly.

A program is kept only where the pattern the engine makes of it equals the one Python
compiled (patterns compare by text, flags and program); one the engine refuses when read
back is compiled afresh and forgotten. Patterns compiled for the current locale
(``re.LOCALE``) and debugging ones are never kept, and a Python whose ``re`` is laid out
otherwise is left alone. ``SCHEMACTL_NO_CACHE=1`` turns it off with every other cache.
"""

from __future__ import annotations

import atexit
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from schemactl.cache_home import cache_home, disabled_by_environment
from schemactl.kept_table import KeptTable

# The standard library's compiler, parser and engine (re's own, private, modules).
_compiler: Any = getattr(re, "_compiler", None)
_parser: Any = getattr(re, "_parser", None)
_engine: Any = getattr(_compiler, "_sre", None)

# Beyond this many patterns the file is started afresh.
MOST_PATTERNS = 5000
NEVER_KEPT = re.LOCALE | re.DEBUG

# What the engine builds a pattern from: flags, program, group count, group names.
Program = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]


def _available() -> bool:
    return (
        _engine is not None
        and hasattr(_engine, "compile")
        and callable(getattr(_compiler, "_code", None))
        and callable(getattr(_parser, "parse", None))
    )


def _cache_file() -> Path:
    """One file per Python build and engine version."""
    build = f"{sys.implementation.cache_tag}-{sys.hexversion:x}-{_engine.MAGIC}"
    return cache_home() / "python" / f"regex-programs-{build}.marshal"


def program_of(pattern: str | bytes, flags: int) -> Program:
    """What ``re._compiler.compile`` hands the engine for ``pattern``."""
    parsed = _parser.parse(pattern, flags)
    code = [int(word) for word in _compiler._code(parsed, flags)]
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return flags | parsed.state.flags, code, parsed.state.groups - 1, groupindex, tuple(indexgroup)


def pattern_from(pattern: str | bytes, program: Program) -> re.Pattern[Any]:
    """The compiled pattern, made by the engine from a program (it checks the program)."""
    flags, code, groups, groupindex, indexgroup = program
    compiled: re.Pattern[Any] = _engine.compile(
        pattern, flags, list(code), groups, dict(groupindex), indexgroup
    )
    return compiled


def _valid(key: Any, program: Any) -> bool:
    return (
        isinstance(key, tuple)
        and len(key) == 2
        and isinstance(key[0], str | bytes)
        and isinstance(key[1], int)
        and isinstance(program, tuple)
        and len(program) == 5
        and isinstance(program[0], int)
        and isinstance(program[1], list)
        and isinstance(program[2], int)
        and isinstance(program[3], dict)
        and isinstance(program[4], tuple)
    )


class KeptPrograms:
    """``re._compiler.compile`` with the programs of earlier runs at hand."""

    def __init__(self, path: Path, original: Callable[[Any, int], re.Pattern[Any]]) -> None:
        self.table = KeptTable(path, _valid, MOST_PATTERNS)
        self.original = original

    def compile(self, pattern: Any, flags: int = 0) -> re.Pattern[Any]:
        if not isinstance(pattern, str | bytes) or flags & NEVER_KEPT:
            return self.original(pattern, flags)
        key = (pattern, int(flags))
        program = self.table.entries.get(key)
        if program is not None:
            try:
                return pattern_from(pattern, program)
            except (RuntimeError, TypeError, ValueError, OverflowError):
                self.table.forget(key)  # not a program this engine runs
        compiled = self.original(pattern, flags)  # raises re.error for a bad pattern
        try:
            program = program_of(pattern, int(flags))
            rebuilt = pattern_from(pattern, program)
        except Exception:  # re's private layout changed: keep nothing, fail nothing
            return compiled
        if rebuilt == compiled and rebuilt.groupindex == compiled.groupindex:
            self.table.put(key, program)
        return compiled


def keep_regex_programs() -> KeptPrograms | None:
    """Have ``re`` compile through kept programs from now on; the file is written again
    at exit where something new was compiled."""
    if disabled_by_environment() or not _available():
        return None
    kept = KeptPrograms(_cache_file(), _compiler.compile)
    _compiler.compile = kept.compile
    atexit.register(kept.table.keep)
    return kept
