"""What apply refuses unless allowed: hazard classes named on the command line, and
roles a target lacks. Refusals raise before anything changes."""

from __future__ import annotations

from schemactl.diff.changes import ALL_HAZARDS, DESTRUCTIVE
from schemactl.errors import PlanRefused, SchemactlError
from schemactl.plan import Plan


def allowed_hazards(allow_destructive: bool, allow_hazards: str | None) -> frozenset[str]:
    if allow_destructive:
        return frozenset(ALL_HAZARDS)
    named = frozenset(h.strip() for h in (allow_hazards or "").split(",") if h.strip())
    unknown = named - set(ALL_HAZARDS)
    if unknown:
        raise SchemactlError(
            f"unknown hazard class {', '.join(sorted(unknown))} (known: {', '.join(ALL_HAZARDS)})"
        )
    return named


def refuse_unallowed(result: Plan, allowed: frozenset[str], required: frozenset[str]) -> None:
    guarded = DESTRUCTIVE | required
    blocked = [s for s in result.steps if (s.hazard_kinds & guarded) - allowed]
    if not blocked:
        return
    lines = [
        f"  {s.action} {s.kind} {s.name}: {', '.join(sorted((s.hazard_kinds & guarded) - allowed))}"
        for s in blocked
    ]
    classes = sorted({h for s in blocked for h in (s.hazard_kinds & guarded) - allowed})
    raise PlanRefused(
        "refusing to apply hazardous steps (nothing was changed):\n"
        + "\n".join(lines)
        + f"\nallow them with --allow-hazards {','.join(classes)} or --allow-destructive"
    )


def refuse_missing_roles(result: Plan) -> None:
    if result.missing_roles:
        raise PlanRefused(
            f"the schema names roles the target does not have: {', '.join(result.missing_roles)}; "
            "declare them in schema/ with CREATE ROLE, or create them on the target first "
            "(nothing was changed)"
        )
