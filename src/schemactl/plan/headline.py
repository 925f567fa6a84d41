"""A step named in one line: where apply's progress, the rehearsal and preflight point
at a step.

A step's first line names it well where the step is one statement. A few steps are
several that must run together: a key swapped in for the old one is ``DROP CONSTRAINT``,
``RENAME`` and ``ADD CONSTRAINT ... USING INDEX``. Named by its first line alone, that
step read as a key being dropped, so the line says how many statements follow.
"""

from __future__ import annotations

from schemactl.source.pglast_modules import pglast


def statement_count(sql: str) -> int:
    """How many statements ``sql`` holds, as PostgreSQL's scanner splits them (a
    semicolon inside a literal, a comment or a function body does not end one). Text
    without a semicolon before its last is one statement, told without the scanner
    (importing pglast costs a run that parses nothing about 30 ms)."""
    if ";" not in sql.rstrip().rstrip(";"):
        return 1
    try:
        return len(pglast.split(sql, with_parser=False))
    except pglast.Error:
        return 1  # not ours to judge here: the server reports what it cannot run


def headline(sql: str, width: int | None = None) -> str:
    """``sql``'s first line (cut to ``width`` characters), followed by how many more
    statements the step holds where it holds several."""
    text = sql.strip()
    first = text.splitlines()[0] if text else ""
    more = statement_count(text) - 1
    suffix = f" (+{more} more statement{'s' if more > 1 else ''})" if more > 0 else ""
    if width is not None and len(first) + len(suffix) > width:
        first = first[: max(width - len(suffix) - 1, 0)] + "…"
    return first + suffix
