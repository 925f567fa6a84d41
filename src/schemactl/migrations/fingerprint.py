"""Per-object fingerprints of a catalog, to name what changed between two moments.

``catalog.fingerprint`` gives one hash for a whole schema; a history entry also
keeps one short hash per object, so that a refused rollback can say *which*
objects drifted, and so that a later schemactl which reads more object kinds
(or more attributes, left at their defaults) does not see drift in old entries:
only kinds present on both sides are compared, and attributes at their default
value are left out of each hash.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from schemactl.catalog.model import Catalog

# kind (a Catalog field) -> object key -> short hash of the object's definition.
ObjectFingerprints = dict[str, dict[str, str]]

HASH_CHARS = 16


def _default_of(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING


def _physically_ordered(value: Any) -> bool:
    """Objects whose order is physical, not meaningful: the model says so by keeping
    their ``position`` out of comparisons (a table's columns)."""
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return False
    return any(f.name == "position" and not f.compare for f in dataclasses.fields(value))


def canonical(value: Any) -> Any:
    """A JSON-able form of a model value: compared fields only, defaults left out, and
    physically ordered objects (a table's columns) sorted."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            if not f.compare:
                continue
            item = getattr(value, f.name)
            if item == _default_of(f):
                continue
            out[f.name] = canonical(item)
        return out
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        items = [canonical(v) for v in value]
        if value and all(_physically_ordered(v) for v in value):
            items.sort(key=lambda item: json.dumps(item, sort_keys=True, default=str))
        return items
    if isinstance(value, frozenset | set):
        return sorted(canonical(v) for v in value)
    return value


def _short_hash(value: Any) -> str:
    text = json.dumps(canonical(value), sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:HASH_CHARS]


def object_fingerprints(catalog: Catalog) -> ObjectFingerprints:
    """One short hash per object, grouped by the Catalog field that holds it."""
    result: ObjectFingerprints = {}
    for f in dataclasses.fields(catalog):
        value = getattr(catalog, f.name)
        if isinstance(value, dict):
            result[f.name] = {str(key): _short_hash(obj) for key, obj in value.items()}
    return result


def differences(before: ObjectFingerprints, after: ObjectFingerprints) -> list[str]:
    """What changed from ``before`` to ``after``, one line per object, kinds both know."""
    lines: list[str] = []
    for kind in sorted(before.keys() & after.keys()):
        old, new = before[kind], after[kind]
        for key in sorted(old.keys() | new.keys()):
            if key not in new:
                lines.append(f"{kind} {key}: gone")
            elif key not in old:
                lines.append(f"{kind} {key}: new")
            elif old[key] != new[key]:
                lines.append(f"{kind} {key}: changed")
    return lines
