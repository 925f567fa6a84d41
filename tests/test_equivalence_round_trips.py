"""Reconciling printouts costs a fixed number of round trips, however many differ.

A managed database is tens of milliseconds away: the questions of one comparison
(does this CHECK, this domain CHECK, this policy, this view print the same once
re-created?) are asked together in one round trip, and a comparison whose texts all
match asks nothing at all. One that fails (a definition the other side cannot take)
spoils none of the others.
"""

from __future__ import annotations

import psycopg

from schemactl.catalog.equivalence import _Probe, _Prober, reconcile_equivalent
from schemactl.db import connect
from tests.support import catalog_of, execute
from tests.test_diff import HAND_WRITTEN, build_from_printouts

MANY_PRINTOUTS = "".join(
    f"""
    CREATE TABLE t{n} (id int, s varchar(5) CONSTRAINT t{n}_s CHECK (s IN ('on', 'off')));
    CREATE VIEW v{n} AS SELECT id FROM t{n} WHERE s IN ('on', 'off');
    """
    for n in range(6)
)


def reconciled(origin: str, destination: str, counts: dict[str, int]) -> tuple[int, int]:
    """(printout-only differences left after reconciling, round trips it took) from
    ``origin`` to ``destination``, probing on ``destination``'s temporary copies."""
    current, desired = catalog_of(origin), catalog_of(destination)
    conn = connect(destination)
    try:
        before = counts.get("round_trips", 0)
        result = reconcile_equivalent(conn, current, desired, sandbox=True)
        taken = counts.get("round_trips", 0) - before
    finally:
        conn.close()
    left = sum(
        result.constraints[key] != desired.constraints[key] for key in desired.constraints
    ) + sum(result.views[key] != desired.views[key] for key in desired.views)
    return left, taken


def test_every_question_of_a_comparison_goes_in_one_round_trip(
    database: str, other_database: str, counted: dict[str, int]
) -> None:
    execute(database, HAND_WRITTEN + MANY_PRINTOUTS)
    build_from_printouts(database, other_database)
    first = catalog_of(database)
    for n in range(6):
        constraint = first.constraints[f"public.t{n}.t{n}_s"]
        execute(other_database, f"CREATE TABLE t{n} (id int, s varchar(5));"
                                f"ALTER TABLE t{n} ADD CONSTRAINT t{n}_s {constraint.definition};"
                                f"CREATE VIEW v{n} AS {first.views[f'public.v{n}'].definition}")  # fmt: skip
    second = catalog_of(other_database)
    differing = [k for k in first.constraints if first.constraints[k] != second.constraints[k]]
    assert len(differing) >= 6

    left, taken = reconciled(database, other_database, counted)

    assert left == 0
    assert taken <= 2  # the transaction's settings, then every probe


def test_a_comparison_whose_texts_all_match_sends_nothing(
    database: str, other_database: str, counted: dict[str, int]
) -> None:
    execute(database, HAND_WRITTEN)
    execute(other_database, HAND_WRITTEN)
    assert reconciled(database, other_database, counted) == (0, 0)


def test_a_probe_that_fails_spoils_none_of_the_others(
    database: str, other_database: str, counted: dict[str, int]
) -> None:
    execute(
        database, HAND_WRITTEN + "CREATE TABLE extra (a int, b int CONSTRAINT c CHECK (b > 0));"
    )
    build_from_printouts(database, other_database)
    execute(other_database, "CREATE TABLE extra (a int CONSTRAINT c CHECK (a > 0));")
    current, desired = catalog_of(database), catalog_of(other_database)

    with psycopg.connect(other_database, autocommit=True) as conn:
        result = reconcile_equivalent(conn, current, desired, sandbox=True)
        assert conn.execute(
            "SELECT count(*) FROM pg_class WHERE relpersistence = 't'"
        ).fetchone() == (0,)

    assert result.constraints["public.extra.c"] == current.constraints["public.extra.c"]
    check = "public.users.users_status_check"
    assert result.constraints[check] == desired.constraints[check]
    assert result.policies["public.users.visible"] == desired.policies["public.users.visible"]
    assert result.types["public.code"] == desired.types["public.code"]


def test_where_the_batch_fails_as_a_whole_each_probe_is_asked_alone(database: str) -> None:
    """A question whose printout query itself fails spoils the round trip; the probes are
    then asked one by one, the failing one answered None, and a table copy made in a
    round trip that failed is made again for the next probe."""
    execute(database, "CREATE TABLE t (a int)")
    with psycopg.connect(database, autocommit=True) as conn:
        prober = _Prober(conn, sandbox=True)

        def failing(name: str) -> _Probe:
            prober.table_for("public.t", name)  # its copy goes with the failed round trip
            return _Probe((), "SELECT 1 / 0")

        with conn.transaction(force_rollback=True):
            assert prober._probe(("failing",), failing) is None
            assert prober.constraint("public.t", "CHECK (a > 0)") is None  # asked
            prober.answer()
            assert prober.cache[("failing",)] is None
            assert prober.constraint("public.t", "CHECK (a > 0)") == "CHECK ((a > 0))"
