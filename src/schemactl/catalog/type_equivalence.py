"""Asking PostgreSQL whether two printed domain defaults or CHECKs mean the same.

The same non-fixpoint printouts as for table constraints occur in domains: a CHECK
``VALUE IN ('a', 'b')`` on a varchar domain prints as ``ANY ((ARRAY['a'::varchar,
...])::text[])``, and re-creating it from that text prints differently again. Both
texts are applied to the desired domain in the dev database (each in a block of its
own, inside a transaction that is always rolled back) and their reprints compared, as
:mod:`schemactl.catalog.equivalence` does for tables.
"""

from __future__ import annotations

import dataclasses
from functools import partial

from schemactl.catalog.equivalence import _Probe, _Prober, _same
from schemactl.catalog.model import UserType

DOMAIN = "d"


class _DomainProber(_Prober):
    def domain_check(self, domain: str, definition: str) -> str | None:
        def make(name: str) -> _Probe:
            probed, making = self.domain_for(domain, name)
            return _Probe(
                (
                    *making,
                    self.executed(
                        f"ALTER DOMAIN {probed} ADD CONSTRAINT {name} {definition} NOT VALID"
                    ),
                ),
                self.bound(
                    "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE contypid = to_regtype(%s) AND conname = %s",
                    (probed, name),
                ),
                lambda printed: printed.removesuffix(" NOT VALID"),
            )

        return self._probe(("domain_check", domain, definition), make)

    def domain_default(self, domain: str, expression: str) -> str | None:
        def make(name: str) -> _Probe:
            probed, making = self.domain_for(domain, name)
            return _Probe(
                (*making, self.executed(f"ALTER DOMAIN {probed} SET DEFAULT {expression}")),
                self.bound(
                    "SELECT pg_get_expr(typdefaultbin, 0) FROM pg_type WHERE oid = to_regtype(%s)",
                    (probed,),
                ),
            )

        return self._probe(("domain_default", domain, expression), make)


def reconcile_domains(
    prober: _Prober, current: dict[str, UserType], desired: dict[str, UserType]
) -> dict[str, UserType]:
    """``current`` with each domain default or CHECK that PostgreSQL deems equal to the
    desired one replaced by the desired text. Runs inside the caller's rolled-back
    transaction on the dev database, where the desired domains exist."""
    domains = prober.sibling(_DomainProber)
    result = dict(current)
    for ident in sorted(current.keys() & desired.keys()):
        old, new = current[ident], desired[ident]
        if old == new or old.kind != DOMAIN or new.kind != DOMAIN:
            continue
        default = old.default
        if (
            old.default is not None
            and new.default is not None
            and _same(partial(domains.domain_default, ident), old.default, new.default)
        ):
            default = new.default
        wanted = {c.name: c for c in new.constraints}
        checks = []
        for check in old.constraints:
            target = wanted.get(check.name)
            if target is not None and _same(
                partial(domains.domain_check, ident), check.definition, target.definition
            ):
                check = dataclasses.replace(check, definition=target.definition)
            checks.append(check)
        result[ident] = dataclasses.replace(old, default=default, constraints=tuple(checks))
    return result
