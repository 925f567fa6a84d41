"""Building model objects by the thousand from catalog rows.

A frozen dataclass's generated ``__init__`` assigns each field through
``object.__setattr__``: for a schema's columns, constraints, indexes and grants that
costs more than the rest of a row's way into the model. :func:`assembler` fills an
instance the way ``pickle`` restores one (its ``__dict__`` updated with every field),
so the result equals, hashes and prints exactly like one made by the class.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    Model = TypeVar("Model", bound=DataclassInstance)
else:
    Model = TypeVar("Model")


def assembler(cls: type[Model]) -> Callable[..., Model]:
    """A maker of ``cls`` from the values of all its fields, in declaration order (the
    defaulted ones too). Only for plain dataclasses: no ``__post_init__``, no slots."""
    if getattr(cls, "__post_init__", None) is not None or "__slots__" in vars(cls):
        raise TypeError(f"{cls.__name__} needs its own __init__")
    names = tuple(f.name for f in dataclasses.fields(cls))
    new = object.__new__

    def assemble(*values: Any) -> Model:
        made: Model = new(cls)
        made.__dict__.update(zip(names, values, strict=True))
        return made

    return assemble
