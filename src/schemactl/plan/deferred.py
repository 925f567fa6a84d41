"""A value worked out the first time it is asked for.

A plan's rollback is a second diff, and the target's fingerprint a walk of its whole
catalog; ``plan`` shown as text or SQL, ``drift`` and ``diff`` use neither, while plan
files, JSON, migrations and apply do. Holding them as deferred values keeps the cost
where it is used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Deferred(Generic[T]):
    """``make()``'s value, computed on the first :meth:`get` and kept. Equal when the
    values are equal, so plans still compare by content."""

    __slots__ = ("_make", "_value", "_made")

    def __init__(self, make: Callable[[], T]) -> None:
        self._make: Callable[[], T] | None = make
        self._made = False

    @classmethod
    def of(cls, value: T) -> Deferred[T]:
        """A value already known (read from a plan file, or cheap)."""
        ready = cls(lambda: value)
        ready.get()
        return ready

    def get(self) -> T:
        if not self._made:
            assert self._make is not None
            self._value = self._make()
            self._made = True
            self._make = None  # what it was made from (two catalogs) can go
        return self._value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Deferred):
            return NotImplemented
        return bool(self.get() == other.get())

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Deferred({self._value!r})" if self._made else "Deferred(<not yet made>)"
