"""Per-object fingerprints of a catalog, to name what changed between two moments.

``catalog.fingerprint`` gives one hash for a whole schema (over the same canonical
form); a history entry also
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

from schemactl.catalog.fingerprint import canonical
from schemactl.catalog.model import Catalog

# kind (a Catalog field) -> object key -> short hash of the object's definition.
ObjectFingerprints = dict[str, dict[str, str]]

HASH_CHARS = 16


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
