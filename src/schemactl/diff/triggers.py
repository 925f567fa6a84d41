"""Triggers and event triggers.

A trigger is planned once, on the table (or view) that declares it; partitions carry
clones that follow the parent. A changed trigger is replaced in place
(``CREATE OR REPLACE TRIGGER``, PostgreSQL 14 and later) unless something the old trigger
holds on to goes away first in the migration: its function or one its WHEN condition
calls (dropped, or recreated for a new return type), or a column it names (dropped or
changing type). Then it is dropped
before those changes and created after them. An unchanged trigger goes the same way
when a column its WHEN condition or ``UPDATE OF`` list names changes type or collation
or is added again: PostgreSQL refuses ``ALTER COLUMN ... TYPE`` on such a column ("used
in a trigger definition") while the trigger stands. Replacing resets the enabled state, so
``ENABLE``/``DISABLE`` follows whenever the trigger does not simply fire on origin.
A view that is rebuilt (dropped and created again) loses its triggers: they are created
again after it.
"""

from __future__ import annotations

from schemactl.catalog.model import EventTrigger, Trigger
from schemactl.diff.changes import Change, Hazard, HazardKind, Phase
from schemactl.diff.comments import comment_change
from schemactl.diff.context import DiffContext
from schemactl.diff.routines import recreated_functions
from schemactl.diff.views import changed_columns_of, rebuilt_views

FIRES_ON_ORIGIN = "O"
REPLACE_TRIGGER_SINCE = 14  # CREATE OR REPLACE TRIGGER


def diff_triggers(ctx: DiffContext) -> list[Change]:
    current, desired = ctx.current.triggers, ctx.desired.triggers
    recreated = recreated_functions(ctx)
    gone = (ctx.current.functions.keys() - ctx.desired.functions.keys()) | recreated
    rebuilt = rebuilt_views(ctx)
    changing = changed_columns_of(ctx)
    # Dropping a table or view drops its triggers; a rebuilt view comes back without them.
    vanishing = ctx.dropped_tables | (ctx.current.views.keys() - ctx.desired.views.keys())
    changes: list[Change] = []
    for key in sorted(desired.keys() - current.keys()):
        changes += _create(desired[key])
    for key in sorted(current.keys() - desired.keys()):
        if current[key].table not in vanishing and current[key].table not in rebuilt:
            changes.append(_drop(current[key]))
    for key in sorted(current.keys() & desired.keys()):
        old, new = current[key], desired[key]
        if new.table in rebuilt:
            hazard = Hazard(
                HazardKind.DEPENDENT_RECREATE,
                f"view {new.table} is rebuilt ({rebuilt[new.table]}), and trigger {new.name} with it",
            )
            changes += _create(new, (hazard,))
        elif old.definition == new.definition and (recreating := set(old.functions) & recreated):
            hazard = Hazard(
                HazardKind.DEPENDENT_RECREATE,
                f"{', '.join(sorted(recreating))} is dropped and created again, "
                f"and trigger {new.name} on {new.table} with it",
            )
            changes += [_drop(old, (hazard,)), *_create(new)]
        elif old.definition == new.definition and (moving := _changing(old, changing)):
            hazard = Hazard(
                HazardKind.DEPENDENT_RECREATE,
                f"column {', '.join(moving)} of {new.table} changes type or is added again, "
                f"which PostgreSQL refuses while trigger {new.name} names it: the trigger is "
                "dropped and created again",
            )
            changes += [_drop(old, (hazard,)), *_create(new)]
        elif old.definition != new.definition and _replaceable(ctx, old, new, gone, changing):
            changes.append(
                Change(
                    "trigger", key, "alter", "trigger.replace", {"trigger": new},
                    Phase.CREATE_TRIGGER, order=(0,),
                )
            )  # fmt: skip
            changes += _enabled(new, FIRES_ON_ORIGIN)
            changes += _comment(new, old.comment)
        elif old.definition != new.definition:
            changes += [_drop(old), *_create(new)]
        else:
            changes += _enabled(new, old.enabled)
            changes += _comment(new, old.comment)
    return changes + _diff_event_triggers(ctx, recreated)


def _changing(trigger: Trigger, changing: set[tuple[str, str]]) -> list[str]:
    """The columns the trigger names that the migration retypes, drops or adds again."""
    return sorted({c for c in trigger.columns if (trigger.table, c) in changing})


def _replaceable(
    ctx: DiffContext, old: Trigger, new: Trigger, gone: set[str], changing: set[tuple[str, str]]
) -> bool:
    if old.constraint or new.constraint:
        return False  # CREATE OR REPLACE CONSTRAINT TRIGGER does not exist
    if gone.intersection(old.functions):
        return False  # the old trigger must go before its function can
    if _major(ctx.current.server_version) < REPLACE_TRIGGER_SINCE:
        return False
    return not _changing(old, changing)  # else the old trigger must go before they change


def _major(version: str) -> int:
    digits = version.split(".", 1)[0].split(" ", 1)[0]
    return int(digits) if digits.isdigit() else 0


def _create(trigger: Trigger, hazards: tuple[Hazard, ...] = ()) -> list[Change]:
    changes = [
        Change(
            "trigger", trigger.key, "create", "trigger.create", {"trigger": trigger},
            Phase.CREATE_TRIGGER, hazards, order=(0,),
        )
    ]  # fmt: skip
    changes += _enabled(trigger, FIRES_ON_ORIGIN)
    changes += _comment(trigger, None)
    return changes


def _drop(trigger: Trigger, hazards: tuple[Hazard, ...] = ()) -> Change:
    return Change(
        "trigger", trigger.key, "drop", "trigger.drop", {"trigger": trigger}, Phase.DROP_TRIGGER,
        hazards, order=(0,),
    )  # fmt: skip


def _enabled(trigger: Trigger, current: str) -> list[Change]:
    if trigger.enabled == current:
        return []
    return [
        Change(
            "trigger", trigger.key, "alter", "trigger.set_enabled", {"trigger": trigger},
            Phase.CREATE_TRIGGER, order=(1,),
        )
    ]  # fmt: skip


def _comment(trigger: Trigger, current: str | None) -> list[Change]:
    return comment_change(
        "trigger", f"TRIGGER {trigger.ident} ON {trigger.table}", trigger.key, current,
        trigger.comment,
    )  # fmt: skip


def _diff_event_triggers(ctx: DiffContext, recreated: frozenset[str]) -> list[Change]:
    current, desired = ctx.current.event_triggers, ctx.desired.event_triggers
    changes: list[Change] = []
    for key in sorted(current.keys() - desired.keys()):
        changes.append(_drop_event(current[key]))
    for key in sorted(desired.keys() - current.keys()):
        changes += _create_event(desired[key])
    for key in sorted(current.keys() & desired.keys()):
        old, new = current[key], desired[key]
        if (old.event, old.tags, old.function) != (new.event, new.tags, new.function) or (
            f"{old.function}()" in recreated
        ):
            changes += [_drop_event(old), *_create_event(new)]
            continue
        if old.enabled != new.enabled:
            changes.append(_event_enabled(new))
        changes += _event_comment(new, old.comment)
    return changes


def _create_event(trigger: EventTrigger) -> list[Change]:
    changes = [
        Change(
            "event_trigger", trigger.name, "create", "trigger.create_event", {"trigger": trigger},
            Phase.CREATE_TRIGGER, order=(0,),
        )
    ]  # fmt: skip
    if trigger.enabled != FIRES_ON_ORIGIN:
        changes.append(_event_enabled(trigger))
    return changes + _event_comment(trigger, None)


def _drop_event(trigger: EventTrigger) -> Change:
    return Change(
        "event_trigger", trigger.name, "drop", "trigger.drop_event", {"trigger": trigger},
        Phase.DROP_TRIGGER, order=(0,),
    )  # fmt: skip


def _event_enabled(trigger: EventTrigger) -> Change:
    return Change(
        "event_trigger", trigger.name, "alter", "trigger.set_event_enabled", {"trigger": trigger},
        Phase.CREATE_TRIGGER, order=(1,),
    )  # fmt: skip


def _event_comment(trigger: EventTrigger, current: str | None) -> list[Change]:
    return comment_change(
        "event_trigger", f"EVENT TRIGGER {trigger.ident}", trigger.name, current, trigger.comment
    )
