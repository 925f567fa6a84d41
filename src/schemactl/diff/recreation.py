"""When a routine is dropped and created again, as the view diff needs to know it.

The questions go both ways: a routine over a rebuilt view is recreated (its drop would
otherwise be blocked), and a view calling a recreated routine is rebuilt. The routine
diff (:mod:`schemactl.diff.routines`) asks the view diff which views are rebuilt while
:func:`views_asking` is set, and the view diff then counts only a routine's own reasons
(:func:`must_recreate`): one round each way, so the two never ask each other forever.
Both live here so that the view diff needs nothing of the routine diff's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from schemactl.catalog.model import Function

_VIEWS_ASKING: ContextVar[bool] = ContextVar("views_asking", default=False)


def must_recreate(old: Function, new: Function) -> bool:
    """Whether ``CREATE OR REPLACE`` cannot turn ``old`` into ``new`` (same signature)."""
    return old.definition != new.definition and (
        old.kind != new.kind or old.result != new.result or new.defaults < old.defaults
    )


def views_asking() -> bool:
    """Whether the question comes from working out rebuilt views (answers differ then)."""
    return _VIEWS_ASKING.get()


@contextmanager
def asking_for_views() -> Iterator[None]:
    """The block works out rebuilt views for the routine diff."""
    token = _VIEWS_ASKING.set(True)
    try:
        yield
    finally:
        _VIEWS_ASKING.reset(token)
