"""The console program keeps the programs of compiled regular expressions between runs,
and a pattern read back is the one Python would have compiled."""

from __future__ import annotations

import marshal
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from schemactl import regex_programs
from schemactl.regex_programs import KeptPrograms, program_of

if regex_programs._engine is None:  # pragma: no cover - a Python whose re is laid out otherwise
    pytest.skip("this Python's re has no separate compiler", allow_module_level=True)

ORIGINAL = regex_programs._compiler.compile

PATTERNS: list[tuple[str | bytes, int]] = [
    (r"^(CREATE (?:UNIQUE )?INDEX \S+ ON) ONLY ", 0),
    (r"(?P<schema>\w+)\.(?P<name>\w+)", 0),
    (r"select\s+\*", re.IGNORECASE | re.MULTILINE),
    (rb"\x00(?P<tag>[a-z]+)\x00", 0),
    (r"(a)(b)?(?(2)c|d)", re.VERBOSE),
]


def kept_file(cache: Path) -> list[Path]:
    return sorted((cache / "schemactl" / "python").glob("regex-programs-*"))


def test_a_pattern_read_back_equals_the_one_python_compiles(tmp_path: Path) -> None:
    first = KeptPrograms(tmp_path / "programs.marshal", ORIGINAL)
    for pattern, flags in PATTERNS:
        first.compile(pattern, flags)
    first.table.keep()

    second = KeptPrograms(tmp_path / "programs.marshal", ORIGINAL)
    assert len(second.table.entries) == len(PATTERNS)
    for pattern, flags in PATTERNS:
        read_back, compiled = second.compile(pattern, flags), ORIGINAL(pattern, flags)
        assert read_back == compiled
        assert (read_back.groups, read_back.groupindex) == (compiled.groups, compiled.groupindex)
        assert read_back.flags == compiled.flags
    assert not second.table.added


def test_a_program_the_engine_refuses_is_compiled_afresh_and_forgotten(tmp_path: Path) -> None:
    path = tmp_path / "programs.marshal"
    pattern = r"(?P<word>\w+)"
    flags, _code, groups, groupindex, indexgroup = program_of(pattern, 0)
    path.write_bytes(
        marshal.dumps({(pattern, 0): (flags, [1, 2, 3], groups, groupindex, indexgroup)})
    )

    kept = KeptPrograms(path, ORIGINAL)
    assert kept.compile(pattern).match("hello")["word"] == "hello"
    assert kept.table.added
    assert kept.table.entries[(pattern, 0)] == program_of(pattern, 0)


def test_a_corrupt_file_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "programs.marshal"
    path.write_bytes(b"\x00not marshal data")
    assert KeptPrograms(path, ORIGINAL).table.entries == {}
    path.write_bytes(marshal.dumps({("x", 0): "not a program"}))
    assert KeptPrograms(path, ORIGINAL).table.entries == {}


def test_locale_and_debug_patterns_and_bad_ones_are_never_kept(tmp_path: Path) -> None:
    kept = KeptPrograms(tmp_path / "programs.marshal", ORIGINAL)
    kept.compile(rb"\w+", re.LOCALE)
    with pytest.raises(re.error):
        kept.compile(r"(unclosed")
    assert kept.table.entries == {}


def test_a_compiler_laid_out_otherwise_keeps_nothing_and_fails_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A later Python may change re's private functions: patterns still compile."""

    def changed(*_: object) -> None:
        raise TypeError("_code() takes other arguments now")

    monkeypatch.setattr(regex_programs, "program_of", changed)
    kept = KeptPrograms(tmp_path / "programs.marshal", ORIGINAL)
    assert kept.compile(r"(?P<word>\w+)").match("hello")["word"] == "hello"
    assert kept.table.entries == {}


def run_console(cache: Path, **env: str) -> None:
    environment = {**os.environ, "XDG_CACHE_HOME": str(cache), **env}
    if "SCHEMACTL_NO_CACHE" not in env:
        environment.pop("SCHEMACTL_NO_CACHE", None)
    script = "import sys\nsys.argv = ['schemactl', 'version']\nfrom schemactl.launcher import run\nrun()\n"
    subprocess.run([sys.executable, "-c", script], env=environment, check=True, capture_output=True)


def test_the_console_program_keeps_the_programs_of_its_imports(tmp_path: Path) -> None:
    run_console(tmp_path)
    (path,) = kept_file(tmp_path)
    assert len(KeptPrograms(path, ORIGINAL).table.entries) > 5


def test_no_cache_keeps_nothing(tmp_path: Path) -> None:
    run_console(tmp_path, SCHEMACTL_NO_CACHE="1")
    assert kept_file(tmp_path) == []
