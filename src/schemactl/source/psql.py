"""psql meta-commands in schema files: not SQL, so the parser never sees them.

pg_dump writes a few lines for psql rather than for the server: ``\\restrict KEY``
and ``\\unrestrict KEY`` around a dump (guarding a restore against injected
meta-commands), ``\\connect DB`` after ``CREATE DATABASE`` (``--create``). They
are found here, outside quotes, comments and dollar-quoted bodies, and blanked
out with spaces so every later position (file:line:column) stays where it was.
Those that only steer psql's session are skipped with a reason; any other
meta-command (``\\i`` runs another file, ``\\copy`` moves data) is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from schemactl.errors import SchemaSourceError, SourceLocation

# Meta-commands that only steer psql's session, with why schemactl may skip them.
SKIPPED = {
    "restrict": "psql's \\restrict / \\unrestrict guard of a pg_dump file; not SQL",
    "unrestrict": "psql's \\restrict / \\unrestrict guard of a pg_dump file; not SQL",
    "connect": "psql's \\connect: schemactl works in the database it is pointed at",
    "c": "psql's \\c (connect): schemactl works in the database it is pointed at",
    "encoding": "psql's \\encoding: schema files are read as UTF-8",
    "set": "psql's \\set only sets a psql variable",
    "unset": "psql's \\unset only unsets a psql variable",
    "pset": "psql's \\pset only formats psql's output",
    "echo": "psql's \\echo only prints",
    "timing": "psql's \\timing only reports durations",
}

# A tag starts with a letter, _ or any non-ASCII character; digits may follow. Spelled
# as the range \x80-\U0010ffff inside a class, the pattern took 10 to 20 ms to compile.
_DOLLAR_TAG = re.compile(r"\$((?:[A-Za-z_]|[^\x00-\x7f])(?:\w|[^\x00-\x7f])*)?\$")
_META = re.compile(r"\\([A-Za-z!?]*)")


@dataclass(frozen=True)
class MetaCommand:
    """A psql meta-command line, where it was and why it is skipped."""

    location: SourceLocation
    name: str
    reason: str


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def blank_meta_commands(path: Path, text: str) -> tuple[str, list[MetaCommand]]:
    """``text`` with each top-level meta-command line replaced by spaces, and those lines.

    A meta-command is a line whose first non-blank character is a backslash, outside
    any string, quoted identifier, comment or dollar-quoted body. Refuses those that
    do more than steer psql's session, naming file:line:column."""
    if "\\" not in text:
        return text, []
    chars = list(text)
    found: list[MetaCommand] = []
    i, n = 0, len(text)
    line_start = True  # only blanks since the last newline at top level
    while i < n:
        c = text[i]
        if c == "\n":
            line_start, i = True, i + 1
        elif c in " \t\r\f":
            i += 1
        elif c == "\\" and line_start:
            end = text.find("\n", i)
            end = n if end < 0 else end
            found.append(_meta_command(path, text, i))
            chars[i:end] = " " * (end - i)
            i = end
        else:
            line_start = False
            i = _skip_token(text, i)
    return "".join(chars), found


def _meta_command(path: Path, text: str, offset: int) -> MetaCommand:
    match = _META.match(text, offset)
    name = match.group(1) if match else ""
    location = SourceLocation(str(path), *_line_column(text, offset))
    if name not in SKIPPED:
        raise SchemaSourceError(
            location,
            f"psql meta-command \\{name} is not SQL and does more than set up psql's "
            "session; a schema file may only declare objects",
        )
    return MetaCommand(location, name, SKIPPED[name])


def _skip_token(text: str, i: int) -> int:
    """The position after the quoted string, comment or other character at ``i``."""
    c = text[i]
    if c == "-" and text.startswith("--", i):
        end = text.find("\n", i)
        return len(text) if end < 0 else end
    if c == "/" and text.startswith("/*", i):
        return _skip_block_comment(text, i)
    if c == "'":
        escapes = i > 0 and text[i - 1] in "eE" and not _is_word_char(text, i - 2)
        return _skip_quoted(text, i, "'", escapes)
    if c == '"':
        return _skip_quoted(text, i, '"', False)
    if c == "$" and not _is_word_char(text, i - 1):
        tag = _DOLLAR_TAG.match(text, i)
        if tag:
            end = text.find(tag.group(0), tag.end())
            return len(text) if end < 0 else end + len(tag.group(0))
    return i + 1


def _is_word_char(text: str, i: int) -> bool:
    return i >= 0 and (text[i].isalnum() or text[i] in "_$")


def _skip_quoted(text: str, i: int, quote: str, escapes: bool) -> int:
    j = i + 1
    while j < len(text):
        if escapes and text[j] == "\\":
            j += 2
        elif text[j] == quote:
            if text.startswith(quote * 2, j):
                j += 2
            else:
                return j + 1
        else:
            j += 1
    return len(text)


def _skip_block_comment(text: str, i: int) -> int:
    """Block comments nest in PostgreSQL."""
    depth, j = 0, i
    while j < len(text):
        if text.startswith("/*", j):
            depth, j = depth + 1, j + 2
        elif text.startswith("*/", j):
            depth, j = depth - 1, j + 2
            if depth == 0:
                return j
        else:
            j += 1
    return len(text)
