"""Placing changes of the object kinds that stand alone (collations, casts, operators,
text search objects, publications) for the reviewer (see ``describe``): each change
under its object, a comment as a part of the object it comments."""

from __future__ import annotations

import dataclasses

from schemactl.diff.changes import Change, Subject


def placed(changes: list[Change], labels: dict[str, str]) -> list[Change]:
    """``changes`` with their subject: ``labels`` maps a change's kind to what a reviewer
    calls it (``operator_class`` -> ``operator class``)."""
    result = []
    for change in changes:
        if change.subject is None:
            if change.operation == "comment.set":  # named "<kind> <name>"
                kind, _, name = change.name.partition(" ")
                subject = Subject(labels.get(kind, kind), name, "comment")
            else:
                subject = Subject(labels.get(change.kind, change.kind), change.name)
            change = dataclasses.replace(change, subject=subject)
        result.append(change)
    return result
