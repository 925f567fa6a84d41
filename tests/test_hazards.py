"""Hazards are exact: what PostgreSQL does without a rewrite or a scan is said so, and
what rewrites, scans or locks is named. Each claim is checked against the server: a
rewrite gives the table a new relfilenode, a relabel keeps it (and its indexes)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from schemactl.devdb.loader import ensure_roles
from schemactl.diff.type_changes import Cost, classify
from schemactl.plan import Plan
from tests.support import Server, apply_up, execute, plan_for, write_schema

REWRITE_OR_SCAN = {"table_rewrite", "validation_scan"}

# Changes PostgreSQL makes as a relabel: no rewrite, no scan, indexes kept.
BINARY_COERCIBLE = [
    ("character varying(100)", "character varying(200)"),
    ("character varying(100)", "character varying"),
    ("character varying(100)", "text"),
    ("text", "character varying"),
    ("numeric(10,2)", "numeric(12,2)"),
    ("numeric(10,2)", "numeric"),
    ("timestamp(3) without time zone", "timestamp(6) without time zone"),
    ("timestamp(3) without time zone", "timestamp without time zone"),
    ("timestamp(0) with time zone", "timestamp(3) with time zone"),
    ("time(0) without time zone", "time(3) without time zone"),
    ("interval(0)", "interval(3)"),
    ("bit varying(5)", "bit varying(10)"),
    ("cidr", "inet"),
]

# Changes that rewrite the table (and rebuild its indexes).
REWRITES = [
    ("character varying(200)", "character varying(100)"),
    ("text", "character varying(10)"),
    ("integer", "bigint"),
    ("numeric", "numeric(10,2)"),
    ("numeric(10,2)", "numeric(12,3)"),
    ("timestamp without time zone", "timestamp(3) without time zone"),
    ("character varying(10)[]", "character varying(20)[]"),
    ("character(5)", "character(10)"),
]


def relfilenode(url: str, relation: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT relfilenode FROM pg_class WHERE oid = %s::regclass", (relation,)
        ).fetchone()
    assert row is not None
    return int(row[0])


def plan_and_apply(server: Server, database: str, schema_dir: Path, old: str, new: str) -> Plan:
    execute(database, old)
    write_schema(schema_dir, new)
    plan = plan_for(server.url, database, schema_dir)
    apply_up(database, plan)
    assert not plan_for(server.url, database, schema_dir).has_changes
    return plan


def hazard_kinds(plan: Plan) -> set[str]:
    return {kind for step in plan.steps for kind in step.hazard_kinds}


def reasons(plan: Plan) -> str:
    return " | ".join(h.reason for step in plan.steps for h in step.hazards)


@pytest.mark.parametrize(
    ("old", "new"), BINARY_COERCIBLE, ids=[f"{o} -> {n}" for o, n in BINARY_COERCIBLE]
)
def test_a_binary_coercible_type_change_is_metadata_only_and_flagged_so(
    server: Server, database: str, schema_dir: Path, old: str, new: str
) -> None:
    assert classify(old, new).cost is Cost.RELABEL
    table_before = (
        "CREATE TABLE t (id int, c {}); CREATE INDEX t_c ON t (c); INSERT INTO t VALUES (1, NULL);"
    )
    execute(database, table_before.format(old))
    table, index = relfilenode(database, "t"), relfilenode(database, "t_c")
    write_schema(schema_dir, f"CREATE TABLE t (id int, c {new}); CREATE INDEX t_c ON t (c);")
    plan = plan_for(server.url, database, schema_dir)
    assert not hazard_kinds(plan) & REWRITE_OR_SCAN, reasons(plan)
    assert hazard_kinds(plan) == {"access_exclusive_lock"}
    assert "binary coercible: no rewrite, no scan, indexes kept" in reasons(plan)
    apply_up(database, plan)
    assert relfilenode(database, "t") == table, "PostgreSQL rewrote the table"
    assert relfilenode(database, "t_c") == index, "PostgreSQL rebuilt the index"


@pytest.mark.parametrize(("old", "new"), REWRITES, ids=[f"{o} -> {n}" for o, n in REWRITES])
def test_a_type_change_that_rewrites_is_flagged_as_a_rewrite(
    server: Server, database: str, schema_dir: Path, old: str, new: str
) -> None:
    assert classify(old, new).cost is Cost.REWRITE
    execute(database, f"CREATE TABLE t (id int, c {old});")
    before = relfilenode(database, "t")
    write_schema(schema_dir, f"CREATE TABLE t (id int, c {new});")
    plan = plan_for(server.url, database, schema_dir)
    assert {"table_rewrite", "access_exclusive_lock"} <= hazard_kinds(plan)
    assert "rewrites the table and rebuilds its indexes" in reasons(plan)
    apply_up(database, plan)
    assert relfilenode(database, "t") != before


def test_bit_to_varbit_keeps_the_table_and_says_its_indexes_are_rebuilt(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(database, "CREATE TABLE t (c bit(5)); CREATE INDEX t_c ON t (c);")
    table, index = relfilenode(database, "t"), relfilenode(database, "t_c")
    write_schema(schema_dir, "CREATE TABLE t (c bit varying); CREATE INDEX t_c ON t (c);")
    plan = plan_for(server.url, database, schema_dir)
    assert hazard_kinds(plan) == {"access_exclusive_lock"}
    assert "no rewrite, no scan; indexes that use it are rebuilt" in reasons(plan)
    apply_up(database, plan)
    assert relfilenode(database, "t") == table
    assert relfilenode(database, "t_c") != index


def test_timestamp_to_timestamptz_rewrites_unless_the_time_zone_is_utc() -> None:
    change = classify("timestamp without time zone", "timestamp with time zone")
    assert change.cost is Cost.DEPENDS and "UTC" in change.condition


def test_a_collation_change_keeps_the_table_and_says_its_indexes_are_rebuilt(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(database, "CREATE TABLE t (c text);")
    before = relfilenode(database, "t")
    write_schema(schema_dir, 'CREATE TABLE t (c text COLLATE "C");')
    plan = plan_for(server.url, database, schema_dir)
    assert hazard_kinds(plan) == {"access_exclusive_lock"}
    assert "changes collation only: no rewrite, no scan" in reasons(plan)
    apply_up(database, plan)
    assert relfilenode(database, "t") == before


def test_dropping_a_check_or_a_not_null_carries_no_hazard(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = plan_and_apply(
        server,
        database,
        schema_dir,
        "CREATE TABLE t (a int NOT NULL, b int CHECK (b > 0));",
        "CREATE TABLE t (a int, b int);",
    )
    assert [s.sql for s in plan.steps] == [
        "ALTER TABLE public.t DROP CONSTRAINT t_b_check;",
        "ALTER TABLE public.t ALTER COLUMN a DROP NOT NULL;",
    ]
    assert hazard_kinds(plan) == set()


# -- one specification per hazard class (README, "Hazards") --------------------------------


def test_data_loss_names_what_is_deleted(server: Server, database: str, schema_dir: Path) -> None:
    execute(database, "CREATE TABLE gone (id int); CREATE TABLE t (id int, old text);")
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    plan = plan_for(server.url, database, schema_dir)
    assert "dropping table public.gone deletes all its rows" in reasons(plan)
    assert "dropping column old of public.t deletes its values" in reasons(plan)
    assert all("data_loss" in s.hazard_kinds for s in plan.steps)


def test_table_rewrite_for_columns_computed_per_row(
    server: Server, database: str, schema_dir: Path
) -> None:
    """ADD COLUMN is metadata-only, unless each row needs a value of its own."""
    plan = plan_and_apply(
        server,
        database,
        schema_dir,
        "CREATE TABLE t (a int); INSERT INTO t VALUES (1);",
        "CREATE DOMAIN positive AS int CHECK (VALUE > 0);"
        "CREATE TABLE t (a int, b int GENERATED ALWAYS AS IDENTITY,"
        " c int GENERATED ALWAYS AS (a * 2) STORED, d positive, e float DEFAULT random(),"
        " f timestamptz DEFAULT now(), g int DEFAULT 5 NOT NULL);",
    )
    by_column = {s.name.rsplit(".", 1)[1]: s for s in plan.steps if s.kind == "column"}
    for column in "bcde":
        assert "table_rewrite" in by_column[column].hazard_kinds, column
    assert "adding b with an identity rewrites public.t" in reasons(plan)
    assert "adding c with a stored generated expression rewrites public.t" in reasons(plan)
    assert "adding d with the checks of domain public.positive rewrites public.t" in reasons(plan)
    for column in "fg":
        assert by_column[column].hazard_kinds == {"access_exclusive_lock"}, column


def test_table_rewrite_is_confirmed_by_the_server_for_an_identity_column(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(database, "CREATE TABLE t (a int); INSERT INTO t VALUES (1);")
    before = relfilenode(database, "t")
    write_schema(schema_dir, "CREATE TABLE t (a int, b int GENERATED ALWAYS AS IDENTITY);")
    apply_up(database, plan_for(server.url, database, schema_dir))
    assert relfilenode(database, "t") != before


def test_access_exclusive_lock_says_how_long_it_is_held(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(database, "CREATE TABLE t (a int);")
    write_schema(schema_dir, "CREATE TABLE t (a int, b text); ALTER TABLE t SET UNLOGGED;")
    plan = plan_for(server.url, database, schema_dir)
    assert "metadata-only change under an ACCESS EXCLUSIVE lock" in reasons(plan)
    assert "SET UNLOGGED rewrites public.t and its indexes" in reasons(plan)
    assert "held for the whole rewrite" in reasons(plan)


def test_index_build_says_what_waits(server: Server, database: str, schema_dir: Path) -> None:
    execute(database, "CREATE TABLE t (a int, b int);")
    write_schema(
        schema_dir,
        "CREATE TABLE t (a int, b int, UNIQUE (b)); CREATE INDEX t_a ON t (a);",
    )
    offline = plan_for(server.url, database, schema_dir, online=False)
    assert "building public.t_a blocks writes to public.t until it finishes" in reasons(offline)
    assert "adding t_b_key builds its index over every row of public.t" in reasons(offline)
    assert "held for the whole build: reads and writes wait" in reasons(offline)
    online = plan_for(server.url, database, schema_dir)
    assert "concurrently: public.t stays writable" in reasons(online)


def test_validation_scan_of_a_foreign_key_blocks_writes_not_reads(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(database, "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int, n int);")
    write_schema(
        schema_dir,
        "CREATE TABLE p (id int PRIMARY KEY);"
        "CREATE TABLE c (p int REFERENCES p, n int CHECK (n > 0));",
    )
    plan = plan_for(server.url, database, schema_dir, online=False)
    (fk,) = [s for s in plan.steps if "FOREIGN KEY" in s.sql]
    (check,) = [s for s in plan.steps if "CHECK" in s.sql]
    assert fk.hazard_kinds == {"validation_scan"}
    assert "writes to public.c and public.p wait for the scan (SHARE ROW EXCLUSIVE)" in (
        fk.hazards[0].reason
    )
    assert check.hazard_kinds == {"validation_scan", "access_exclusive_lock"}
    online = plan_for(server.url, database, schema_dir)
    validations = [s for s in online.steps if "VALIDATE CONSTRAINT" in s.sql]
    assert len(validations) == 2
    assert all(s.hazard_kinds == {"validation_scan"} for s in validations)


def test_authz_change_on_existing_objects_only(
    server: Server, database: str, schema_dir: Path
) -> None:
    with psycopg.connect(server.url, autocommit=True) as conn:
        ensure_roles(conn, {"reader"})
    execute(database, "CREATE TABLE t (a int);")
    grants = "ALTER TABLE {0} ENABLE ROW LEVEL SECURITY; GRANT SELECT ON {0} TO reader;"
    write_schema(
        schema_dir,
        "CREATE TABLE t (a int); CREATE TABLE fresh (a int);"
        + grants.format("t")
        + grants.format("fresh"),
    )
    plan = plan_for(server.url, database, schema_dir)
    on_t = [s for s in plan.steps if s.place.name == "public.t"]
    on_fresh = [s for s in plan.steps if s.place.name == "public.fresh"]
    assert on_t and all(s.hazard_kinds == {"authz_change"} for s in on_t)
    assert on_fresh and all(not s.hazards for s in on_fresh)


def test_dependent_recreate_names_what_is_rebuilt_and_why(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(database, "CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t;")
    write_schema(schema_dir, "CREATE TABLE t (a bigint); CREATE VIEW v AS SELECT a FROM t;")
    plan = plan_for(server.url, database, schema_dir)
    assert "view public.v is dropped and recreated: column public.t.a it uses changes type" in (
        reasons(plan)
    )


def test_not_reversible_says_what_the_rollback_cannot_undo(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(database, "CREATE TABLE t (at bigint);")
    write_schema(schema_dir, "CREATE TABLE t (\n    at timestamptz -- @using to_timestamp(at)\n);")
    plan = plan_for(server.url, database, schema_dir)
    assert "not_reversible" in hazard_kinds(plan)
    assert "no cast from timestamp with time zone back to bigint" in reasons(plan)
