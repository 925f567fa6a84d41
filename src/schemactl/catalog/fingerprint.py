"""A fingerprint of a database's schema: equal catalogs, equal fingerprints.

Used to prove that the target a reviewed plan was made against has not changed
before that plan is applied, and that the live schema still is what a history
entry left behind before its rollback runs.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import operator
from collections.abc import Callable
from typing import Any

from schemactl.catalog.model import Catalog


def _default_of(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING


@functools.cache
def _compared_fields(cls: type) -> tuple[tuple[str, Any], ...]:
    """(name, default) of each compared field of a model class, worked out once per class."""
    return tuple((f.name, _default_of(f)) for f in dataclasses.fields(cls) if f.compare)


@functools.cache
def _physically_ordered_class(cls: type) -> bool:
    if not dataclasses.is_dataclass(cls):
        return False
    return any(f.name == "position" and not f.compare for f in dataclasses.fields(cls))


def _physically_ordered(value: Any) -> bool:
    """Objects whose order is physical, not meaningful: the model says so by keeping
    their ``position`` out of comparisons (a table's columns)."""
    cls: Any = type(value)
    return not isinstance(value, type) and _physically_ordered_class(cls)


_SCALARS = frozenset({str, int, bool, float, type(None)})
# One encoder for the sort keys of physically ordered lists (json.dumps with options
# builds a new one per call).
_SORT_KEY = json.JSONEncoder(sort_keys=True, default=str).encode


@functools.cache
def _model_fields(cls: type) -> tuple[Callable[[Any], Any], tuple[tuple[str, Any], ...]] | None:
    """For a model class, a getter of its compared fields' values (one call for all of
    them) and their (name, default); None for anything else."""
    if not dataclasses.is_dataclass(cls):
        return None
    fields = _compared_fields(cls)
    names = [name for name, _ in fields]
    getter = operator.attrgetter(*names)
    if len(names) == 1:
        return (lambda value: (getter(value),)), fields
    return getter, fields


def canonical(value: Any) -> Any:
    """A JSON-able form of a model value: compared fields only, defaults left out, and
    physically ordered objects (a table's columns) sorted."""
    cls: Any = type(value)
    if cls in _SCALARS:
        return value
    model = _model_fields(cls)
    if model is not None:
        getter, fields = model
        out: dict[str, Any] = {}
        for (name, default), item in zip(fields, getter(value), strict=True):
            if item == default:
                continue
            out[name] = item if type(item) in _SCALARS else canonical(item)
        return out
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        items = [v if type(v) in _SCALARS else canonical(v) for v in value]
        if value and all(_physically_ordered(v) for v in value):
            items.sort(key=_SORT_KEY)
        return items
    if isinstance(value, frozenset | set):
        return sorted(canonical(v) for v in value)
    return value


def fingerprint(catalog: Catalog) -> str:
    """sha256 over the catalog's canonical JSON, server version left out."""
    content = canonical(dataclasses.replace(catalog, server_version=""))
    text = json.dumps(content, sort_keys=True, default=str, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()
