"""COMMENT ON for any object: one change when the text differs."""

from __future__ import annotations

from schemactl.diff.changes import AttributeChange, Change, Phase


def comment_change(
    kind: str, target_sql: str, name: str, current: str | None, desired: str | None
) -> list[Change]:
    """``target_sql`` is what follows COMMENT ON, e.g. ``TABLE public.users``."""
    if current == desired:
        return []
    return [
        Change(
            kind="comment",
            name=f"{kind} {name}",
            action="alter",
            operation="comment.set",
            params={"target": target_sql, "text": desired},
            phase=Phase.COMMENT,
            attributes=(AttributeChange("comment", current, desired),),
        )
    ]
