"""Model objects read by the thousand are assembled from their fields, not through the
frozen dataclass's own ``__init__``: an assembled object must be indistinguishable from
one the class makes."""

from __future__ import annotations

import pickle
import sys
from dataclasses import dataclass

import pytest

from schemactl.catalog.assembly import assembler
from schemactl.catalog.model import Column, IdentitySequence


def test_an_assembled_column_equals_hashes_and_prints_like_one_the_class_makes() -> None:
    identity = IdentitySequence("t_id_seq", "public.t_id_seq", cache=20)
    values = ("id", "id", 1, "bigint", True, None, "a", None, None, "key", False, (), identity)
    made = Column(*values)

    assembled = assembler(Column)(*values, "STORED", None, ())

    assert assembled == made
    assert hash(assembled) == hash(made)
    assert repr(assembled) == repr(made)
    assert pickle.loads(pickle.dumps(assembled)) == made


def test_an_assembled_object_stays_frozen() -> None:
    assembled = assembler(Column)(
        "a", "a", 1, "int", False, None, "", None, None, None, False, (), None, "STORED", None, ()
    )

    with pytest.raises(AttributeError):
        assembled.name = "b"  # type: ignore[misc]


def test_every_field_must_be_given_and_no_more() -> None:
    with pytest.raises(TypeError):
        assembler(Column)("a", "a", 1, "int", False)
    with pytest.raises(TypeError):
        assembler(Column)(
            "a", "a", 1, "int", False, None, "", None, None, None, False, (), None, "STORED",
            None, (), "extra",
        )  # fmt: skip


def test_an_assembled_object_shares_its_class_attribute_names() -> None:
    """The maker stores into the instance's own dict, so thousands of columns keep one
    table of attribute names, as objects the class makes do."""
    values = ("a", "a", 1, "int", False, None, "", None, None, None, False, (), None)
    made = Column(*values)

    assembled = assembler(Column)(*values, "STORED", None, ())

    assert sys.getsizeof(vars(assembled)) == sys.getsizeof(vars(made))


def test_a_class_that_checks_its_fields_is_refused() -> None:
    @dataclass(frozen=True)
    class Checked:
        value: int

        def __post_init__(self) -> None:
            assert self.value > 0

    with pytest.raises(TypeError):
        assembler(Checked)
