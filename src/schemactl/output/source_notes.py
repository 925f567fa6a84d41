"""What reading the schema folder left out, said once per reason on stderr.

A pg_dump file holds psql meta-commands, a --clean prelude or a framework's
bookkeeping rows; they are skipped, not errors, but never silently: each reason
is one line with how many statements it covers and where the first one is.
Notes go to stderr so that ``--format json`` and ``--format sql`` stay clean.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from schemactl.source import Skipped


def skipped_notes(skipped: Sequence[Skipped]) -> list[str]:
    by_reason: dict[str, list[Skipped]] = {}
    for item in skipped:
        by_reason.setdefault(item.reason, []).append(item)
    lines = []
    for reason, items in by_reason.items():
        where = f"{items[0].location}" if len(items) == 1 else f"first at {items[0].location}"
        count = f"{len(items)} statements" if len(items) > 1 else "1 statement"
        lines.append(f"note: skipped {count} ({where}): {reason}")
    return lines


def show_skipped(skipped: Sequence[Skipped]) -> None:
    for line in skipped_notes(skipped):
        sys.stderr.write(line + "\n")
    sys.stderr.flush()
