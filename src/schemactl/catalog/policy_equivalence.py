"""Asking PostgreSQL whether two printed policy expressions mean the same.

Policy expressions print like CHECK constraints, and are no fixpoint either:
``role IN ('a', 'b')`` on a varchar column prints as ``ANY ((ARRAY['a'::varchar,
...])::text[])``, and a policy created from that text prints ``ANY (ARRAY[...])``.
A policy the migration created from the desired printout would then differ from
the desired policy forever. Both texts are put on a probe policy on the desired
table in the dev database (each in a block of its own, inside a transaction that is
always rolled back) and their reprints compared, as :mod:`schemactl.catalog.equivalence`
does for tables.
"""

from __future__ import annotations

import dataclasses
from functools import partial

from schemactl.catalog.equivalence import _Probe, _Prober, _same
from schemactl.catalog.model import Policy

CLAUSES = {"using": ("USING", "polqual"), "with_check": ("WITH CHECK", "polwithcheck")}


class _PolicyProber(_Prober):
    def policy_expression(self, table: str, clause: str, expression: str) -> str | None:
        keyword, column = CLAUSES[clause]

        def make(name: str) -> _Probe:
            probed = self.table_for(table, name)
            return _Probe(
                (self.executed(f"CREATE POLICY {name} ON {probed} {keyword} ({expression})"),),
                self.bound(
                    f"SELECT pg_get_expr({column}, polrelid) FROM pg_policy "
                    "WHERE polrelid = to_regclass(%s) AND polname = %s",
                    (probed, name),
                ),
            )

        return self._probe(("policy", table, clause, expression), make)


def reconcile_policies(
    prober: _Prober, current: dict[str, Policy], desired: dict[str, Policy]
) -> dict[str, Policy]:
    """``current`` with each policy expression that PostgreSQL deems equal to the desired
    one replaced by the desired text. Runs inside the caller's rolled-back transaction on
    the dev database, where the desired tables exist."""
    policies = prober.sibling(_PolicyProber)
    result = dict(current)
    for key in sorted(current.keys() & desired.keys()):
        old, new = current[key], desired[key]
        adopted = {}
        for clause in CLAUSES:
            before, after = getattr(old, clause), getattr(new, clause)
            if before is None or after is None or before == after:
                continue
            reprint = partial(policies.policy_expression, new.table, clause)
            if _same(reprint, before, after):
                adopted[clause] = after
        if adopted:
            result[key] = dataclasses.replace(old, **adopted)
    return result
