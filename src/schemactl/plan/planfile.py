"""Plan files: a reviewed plan written by ``plan --out`` and applied by ``apply --plan``."""

from __future__ import annotations

import json
from pathlib import Path

from schemactl.errors import SchemactlError
from schemactl.plan.model import Plan


def read_plan_file(path: Path) -> Plan:
    """Read a plan file, or say clearly why it cannot be one."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise SchemactlError(f"cannot read plan file {path}: {exc.strerror}") from None
    try:
        return Plan.from_json(json.loads(text))
    except json.JSONDecodeError as exc:
        raise SchemactlError(
            f"{path}:{exc.lineno}:{exc.colno}: not a schemactl plan file (invalid JSON: {exc.msg})"
        ) from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SchemactlError(f"{path}: not a schemactl plan file ({exc})") from None
