"""Text search dictionaries and configurations.

Dictionaries come first (configurations map tokens to them) and go last. A dictionary's
options change in place (``ALTER TEXT SEARCH DICTIONARY``, a bare name removes one); a
new template replaces it. A configuration's mappings change token by token: those that
go or change are dropped before any dictionary goes, those that come or change are added
once every dictionary exists. A new parser replaces the configuration.
"""

from __future__ import annotations

from itertools import groupby

from schemactl.catalog.model import TextSearchConfiguration, TextSearchMapping
from schemactl.diff.changes import Change, Phase
from schemactl.diff.comments import comment_change
from schemactl.diff.context import DiffContext
from schemactl.diff.placing import placed

DICTIONARIES, CONFIGURATIONS, MAPPINGS = 0, 1, 2  # creation order inside the phase
UNMAPPED, DROPPED_DICTIONARIES = 0, 1  # drop order: mappings and configurations first


LABELS = {
    "text_search_dictionary": "text search dictionary",
    "text_search_configuration": "text search configuration",
}


def diff_text_search(ctx: DiffContext) -> list[Change]:
    return placed(_dictionaries(ctx) + _configurations(ctx), LABELS)


def _dictionaries(ctx: DiffContext) -> list[Change]:
    current, desired = ctx.current.text_search_dictionaries, ctx.desired.text_search_dictionaries
    changes: list[Change] = []
    for ident in sorted(current.keys() | desired.keys()):
        old, new = current.get(ident), desired.get(ident)
        replaced = old is not None and new is not None and old.template != new.template
        if old is not None and (new is None or replaced):
            changes.append(
                Change(
                    "text_search_dictionary", ident, "drop", "text_search.drop_dictionary",
                    {"dictionary": old}, Phase.DROP_TEXT_SEARCH, order=(DROPPED_DICTIONARIES,),
                )
            )  # fmt: skip
        if new is None:
            continue
        if old is None or replaced:
            changes.append(
                Change(
                    "text_search_dictionary", ident, "create",
                    "text_search.create_dictionary", {"dictionary": new},
                    Phase.CREATE_TEXT_SEARCH, order=(DICTIONARIES,),
                )
            )  # fmt: skip
        elif sorted(old.options) != sorted(new.options):
            removed = sorted(old.option_names() - new.option_names())
            changes.append(
                Change(
                    "text_search_dictionary", ident, "alter", "text_search.alter_dictionary",
                    {"dictionary": new, "removed": removed}, Phase.CREATE_TEXT_SEARCH,
                    order=(DICTIONARIES,),
                )
            )  # fmt: skip
        before = None if old is None or replaced else old.comment
        changes += comment_change(
            "text_search_dictionary", f"TEXT SEARCH DICTIONARY {ident}", ident, before,
            new.comment,
        )  # fmt: skip
    return changes


def _configurations(ctx: DiffContext) -> list[Change]:
    current = ctx.current.text_search_configurations
    desired = ctx.desired.text_search_configurations
    changes: list[Change] = []
    for ident in sorted(current.keys() | desired.keys()):
        old, new = current.get(ident), desired.get(ident)
        replaced = old is not None and new is not None and old.parser != new.parser
        if old is not None and (new is None or replaced):
            changes.append(
                Change(
                    "text_search_configuration", ident, "drop",
                    "text_search.drop_configuration", {"configuration": old},
                    Phase.DROP_TEXT_SEARCH, order=(UNMAPPED,),
                )
            )  # fmt: skip
        if new is None:
            continue
        if old is None or replaced:
            changes.append(
                Change(
                    "text_search_configuration", ident, "create",
                    "text_search.create_configuration", {"configuration": new},
                    Phase.CREATE_TEXT_SEARCH, order=(CONFIGURATIONS,),
                )
            )  # fmt: skip
            old = None
        changes += _mappings(new, old)
        changes += comment_change(
            "text_search_configuration", f"TEXT SEARCH CONFIGURATION {ident}", ident,
            old.comment if old else None, new.comment,
        )  # fmt: skip
    return changes


def _mappings(new: TextSearchConfiguration, old: TextSearchConfiguration | None) -> list[Change]:
    before = {m.token: m for m in old.mappings} if old else {}
    after = {m.token: m for m in new.mappings}
    dropped = sorted(t for t in before if before[t] != after.get(t))
    added = [after[t] for t in sorted(after) if after[t] != before.get(t)]
    changes: list[Change] = []
    if dropped:
        changes.append(
            Change(
                "text_search_configuration", new.ident, "alter", "text_search.drop_mappings",
                {"configuration": new, "tokens": dropped}, Phase.DROP_TEXT_SEARCH,
                order=(UNMAPPED,),
            )
        )  # fmt: skip
    if added:
        changes.append(
            Change(
                "text_search_configuration", new.ident, "alter", "text_search.add_mappings",
                {"configuration": new, "groups": _grouped(added)}, Phase.CREATE_TEXT_SEARCH,
                order=(MAPPINGS,),
            )
        )  # fmt: skip
    return changes


def _grouped(mappings: list[TextSearchMapping]) -> list[tuple[list[str], tuple[str, ...]]]:
    """Tokens mapped to the same dictionaries, in one ADD MAPPING each."""
    ordered = sorted(mappings, key=lambda m: (m.dictionaries, m.token))
    return [
        ([m.token for m in group], dictionaries)
        for dictionaries, group in groupby(ordered, key=lambda m: m.dictionaries)
    ]
