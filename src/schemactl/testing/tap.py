"""Reading TAP, the output pgTAP's assertion functions return."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_PLAN = re.compile(r"^1\.\.(\d+)")
_RESULT = re.compile(r"^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?(.*?)\s*(#\s*(skip|todo)\b.*)?$", re.I)


@dataclass
class TapAssertion:
    number: int
    ok: bool
    description: str
    skipped: bool = False
    diagnostics: str = ""


@dataclass
class TapResult:
    planned: int | None = None
    assertions: list[TapAssertion] = field(default_factory=list)

    @property
    def problem(self) -> str:
        """What is wrong with the run as a whole: fewer assertions than planned."""
        if self.planned is not None and self.planned != len(self.assertions):
            return f"planned {self.planned} tests but ran {len(self.assertions)}"
        return ""


def parse_tap(text: str) -> TapResult:
    result = TapResult()
    for line in text.splitlines():
        if match := _PLAN.match(line):
            result.planned = int(match[1])
        elif match := _RESULT.match(line):
            directive = (match[5] or "").lower()
            number = int(match[2]) if match[2] else len(result.assertions) + 1
            ok = match[1].lower() == "ok" or directive == "todo"
            result.assertions.append(
                TapAssertion(number, ok, match[3], skipped=directive == "skip")
            )
        elif line.startswith("#") and result.assertions and not result.assertions[-1].ok:
            last = result.assertions[-1]
            detail = line.lstrip("#").strip()
            last.diagnostics = f"{last.diagnostics} {detail}".strip()
    return result
