"""Rebuilds with dependents: a plain table becoming partitioned (or the reverse).

PostgreSQL cannot turn a table into a partitioned one in place: its rows are copied
aside, the table dropped and created anew, the rows copied back. Whatever points at
the table would block the drop (foreign keys, views and materialized views, policies
of other tables, routines over its row type, sequences it owns): each is taken off before and put back after, and the data-moving
hazard is named once. Every plan is checked both ways, pg_dump-equal.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from schemactl.apply.executor import StepFailed
from schemactl.plan import Plan, Step
from tests.support import (
    Server,
    apply_up,
    catalog_of,
    comparable,
    execute,
    plan_for,
    round_trip,
    write_schema,
)  # fmt: skip

ORDERS = """
CREATE TABLE orders (id bigserial, at date NOT NULL, total int, PRIMARY KEY (id, at)){partitioning};
{partitions}
CREATE TABLE lines (order_id bigint, order_at date, qty int,
                    FOREIGN KEY (order_id, order_at) REFERENCES orders (id, at));
CREATE VIEW recent AS SELECT id, at FROM orders WHERE at > '2024-01-01';
CREATE VIEW recent_ids AS SELECT id FROM recent;
CREATE MATERIALIZED VIEW daily AS SELECT at, count(*) AS n FROM orders GROUP BY at;
CREATE UNIQUE INDEX daily_at ON daily (at);
CREATE TABLE audit (order_id bigint);
ALTER TABLE audit ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_known ON audit USING (order_id IN (SELECT id FROM orders));
CREATE FUNCTION order_total(o orders) RETURNS int LANGUAGE sql STABLE
    BEGIN ATOMIC SELECT o.total; END;
CREATE SEQUENCE order_numbers OWNED BY orders.total;
COMMENT ON VIEW recent IS 'the last orders';
"""
PLAIN = ORDERS.format(partitioning="", partitions="")
PARTITIONED = ORDERS.format(
    partitioning=" PARTITION BY RANGE (at)",
    partitions="CREATE TABLE orders_2024 PARTITION OF orders"
    " FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
    "CREATE TABLE orders_rest PARTITION OF orders DEFAULT;",
)
ROWS = """
INSERT INTO orders (at, total) VALUES ('2024-03-01', 5), ('2023-06-01', 7);
INSERT INTO lines VALUES (1, '2024-03-01', 2);
INSERT INTO audit VALUES (1);
REFRESH MATERIALIZED VIEW daily;
"""


def _rows(url: str, query: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(query.encode()).fetchall()


def test_a_table_with_dependents_becomes_partitioned_and_back(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(server.url, database, schema_dir, PLAIN + ROWS, PARTITIONED)
    data_moving = [s for s in plan.steps if "data_move" in s.hazard_kinds]
    assert [s.sql.splitlines()[0] for s in data_moving] == [
        'CREATE TABLE public."orders_schemactl_rebuild" AS SELECT * FROM ONLY public.orders;'
    ]
    assert "cannot be altered in place" in data_moving[0].hazards[0].reason
    assert not any("data_loss" in s.hazard_kinds for s in plan.steps)  # the rows are kept


def test_the_rows_and_the_dependents_data_survive_the_rebuild(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(database, PLAIN + ROWS)
    write_schema(schema_dir, PARTITIONED)
    apply_up(database, plan_for(server.url, database, schema_dir))
    assert _rows(database, "SELECT tableoid::regclass::text, id FROM orders ORDER BY id") == [
        ("orders_2024", 1),
        ("orders_rest", 2),
    ]
    assert _rows(database, "SELECT count(*) FROM lines") == [(1,)]
    assert _rows(database, "SELECT n FROM daily ORDER BY at") == [(1,), (1,)]
    assert _rows(database, "SELECT nextval('order_numbers')") == [(1,)]


PARENT = """
CREATE TABLE measures (id int NOT NULL, region text NOT NULL, v int CHECK (v >= 0),
                       PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE INDEX measures_v ON measures (v);
CREATE TABLE measures_us PARTITION OF measures FOR VALUES IN ('us');
"""
STANDALONE_EU = """
CREATE TABLE measures_eu (id int NOT NULL, region text NOT NULL, v int,
                          CONSTRAINT measures_v_check CHECK (v >= 0),
                          CONSTRAINT measures_eu_pkey PRIMARY KEY (id, region));
CREATE INDEX measures_eu_v_idx ON measures_eu (v);
INSERT INTO measures_eu VALUES (1, 'eu', 5);
"""


def test_a_standalone_table_that_fits_is_attached_not_rebuilt(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        PARENT + STANDALONE_EU,
        PARENT + "CREATE TABLE measures_eu PARTITION OF measures FOR VALUES IN ('eu');",
    )
    bound = "CHECK (((region IS NOT NULL) AND (region = 'eu'::text)))"
    assert _beyond_not_null_names(plan) == [
        f"ALTER TABLE public.measures_eu ADD CONSTRAINT schemactl_bound {bound} NOT VALID;",
        "ALTER TABLE public.measures_eu VALIDATE CONSTRAINT schemactl_bound;",
        "ALTER TABLE public.measures ATTACH PARTITION public.measures_eu FOR VALUES IN ('eu');",
        "ALTER TABLE public.measures_eu DROP CONSTRAINT schemactl_bound;",
    ]
    # its key, check and index are adopted, and a validated check proves the bound: the
    # ATTACH neither builds nor scans anything
    (attach,) = [s for s in plan.steps if " ATTACH PARTITION " in s.sql]
    assert attach.hazard_kinds == {"access_exclusive_lock"}


def test_the_rows_stay_where_they_are_when_a_table_is_attached(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(database, PARENT + STANDALONE_EU.replace("CREATE INDEX measures_eu_v_idx", "--"))
    write_schema(
        schema_dir, PARENT + "CREATE TABLE measures_eu PARTITION OF measures FOR VALUES IN ('eu');"
    )
    plan = plan_for(server.url, database, schema_dir)
    (attach,) = [s for s in plan.steps if " ATTACH PARTITION " in s.sql]
    assert "index_build" in attach.hazard_kinds  # measures_v is built on it
    apply_up(database, plan)
    assert _rows(database, "SELECT tableoid::regclass::text, id FROM measures") == [
        ("measures_eu", 1)
    ]
    assert not plan_for(server.url, database, schema_dir).has_changes


def test_a_table_without_the_parents_check_is_rebuilt_instead(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        PARENT + STANDALONE_EU.replace("CONSTRAINT measures_v_check CHECK (v >= 0),", ""),
        PARENT + "CREATE TABLE measures_eu PARTITION OF measures FOR VALUES IN ('eu');",
    )
    assert "data_move" in plan.steps[0].hazard_kinds
    assert "it becomes a partition" in plan.steps[0].hazards[0].reason


EU_PARTITION = "CREATE TABLE measures_eu PARTITION OF measures FOR VALUES IN ('eu');"
STANDALONE_EU_SHAPE = STANDALONE_EU.replace("INSERT INTO measures_eu VALUES (1, 'eu', 5);", "")


def _beyond_not_null_names(steps: Plan | tuple[Step, ...]) -> list[str]:
    """The statements but renames of NOT NULL constraints: PostgreSQL 18 and later name a
    partition's after its parent's, a table of its own's after itself."""
    statements = [s.sql for s in (steps.steps if isinstance(steps, Plan) else steps)]
    return [s for s in statements if not (" RENAME CONSTRAINT " in s and s.endswith("_not_null;"))]


def test_a_partition_that_becomes_a_table_of_its_own_is_detached_not_rebuilt(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url, database, schema_dir, PARENT + EU_PARTITION, PARENT + STANDALONE_EU_SHAPE
    )
    # it keeps the parent's check, its key and index under their names: nothing else runs
    assert _beyond_not_null_names(plan) == [
        "ALTER TABLE public.measures DETACH PARTITION public.measures_eu;"
    ]
    assert plan.steps[0].hazard_kinds == {"access_exclusive_lock"}
    assert _beyond_not_null_names(plan.rollback) == [
        "ALTER TABLE public.measures ATTACH PARTITION public.measures_eu FOR VALUES IN ('eu');"
    ]


def test_the_rows_stay_where_they_are_when_a_partition_is_detached(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(
        database, PARENT + EU_PARTITION + "INSERT INTO measures VALUES (1, 'eu', 5), (2, 'us', 6);"
    )
    write_schema(schema_dir, PARENT + STANDALONE_EU_SHAPE)
    apply_up(database, plan_for(server.url, database, schema_dir))
    assert _rows(database, "SELECT tableoid::regclass::text, id FROM measures") == [
        ("measures_us", 2)
    ]
    assert _rows(database, "SELECT id, v FROM measures_eu") == [(1, 5)]
    assert not plan_for(server.url, database, schema_dir).has_changes


def test_a_detached_partition_then_becomes_what_the_schema_says(
    server: Server, database: str, schema_dir: Path
) -> None:
    """What it keeps of its parent is its own after the DETACH: a check it no longer has
    is dropped; its own default, the parent's foreign key and index are kept; the row
    trigger cloned from the parent goes with the DETACH."""
    parent = PARENT.replace(
        "CREATE INDEX measures_v", "CREATE TABLE regions (code text PRIMARY KEY);"
        "ALTER TABLE measures ADD FOREIGN KEY (region) REFERENCES regions;"
        "CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';"
        "CREATE TRIGGER stamped BEFORE INSERT ON measures FOR EACH ROW EXECUTE FUNCTION stamp();"
        "CREATE INDEX measures_v",
    )  # fmt: skip
    plan = round_trip(
        server.url, database, schema_dir,
        parent + "CREATE TABLE measures_eu PARTITION OF measures (v DEFAULT 1) FOR VALUES IN ('eu');",
        parent + """
        CREATE TABLE measures_eu (id int NOT NULL, region text NOT NULL CONSTRAINT measures_region_fkey REFERENCES regions, v int DEFAULT 1,
                                  CONSTRAINT measures_eu_pkey PRIMARY KEY (id, region));
        CREATE INDEX measures_eu_v_idx ON measures_eu (v);
        """,
    )  # fmt: skip
    assert _beyond_not_null_names(plan) == [
        "ALTER TABLE public.measures DETACH PARTITION public.measures_eu;",
        "ALTER TABLE public.measures_eu DROP CONSTRAINT measures_v_check;",
    ]


def test_a_partition_outlives_its_dropped_parent_as_a_table_of_its_own(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url, database, schema_dir,
        PARENT + EU_PARTITION + "INSERT INTO measures VALUES (1, 'eu', 5);",
        STANDALONE_EU_SHAPE,
    )  # fmt: skip
    assert _beyond_not_null_names(plan) == [
        "ALTER TABLE public.measures DETACH PARTITION public.measures_eu;",
        "DROP TABLE public.measures_us;",
        "DROP TABLE public.measures;",
    ]
    assert _rows(database, "SELECT id, v FROM measures_eu") == [(1, 5)]


def test_a_partition_leaving_a_parent_that_is_rebuilt_is_rebuilt_with_it(
    server: Server, database: str, schema_dir: Path
) -> None:
    retyped = PARENT.replace("region text NOT NULL", "region varchar(8) NOT NULL")
    plan = round_trip(
        server.url, database, schema_dir,
        PARENT + EU_PARTITION + "INSERT INTO measures VALUES (1, 'eu', 5);",
        retyped + STANDALONE_EU_SHAPE,
    )  # fmt: skip
    assert not any(" DETACH PARTITION " in s.sql for s in plan.steps)
    assert any("data_move" in s.hazard_kinds for s in plan.steps)


REFERENCING = (
    "CREATE TABLE readings (id int, region text, FOREIGN KEY (id, region) REFERENCES measures);"
)


def test_a_partition_of_a_referenced_parent_is_detached_when_no_row_references_it(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url, database, schema_dir,
        PARENT + EU_PARTITION + REFERENCING + "INSERT INTO measures VALUES (1, 'eu', 5);",
        PARENT + STANDALONE_EU_SHAPE + REFERENCING,
    )  # fmt: skip
    assert _beyond_not_null_names(plan) == [
        "ALTER TABLE public.measures DETACH PARTITION public.measures_eu;"
    ]
    (scan,) = [h for h in plan.steps[0].hazards if h.kind == "validation_scan"]
    assert (
        "public.readings" in scan.reason and "references a row of public.measures_eu" in scan.reason
    )


def test_a_detach_that_rows_of_another_table_reference_fails_and_changes_nothing(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(
        database,
        PARENT + EU_PARTITION + REFERENCING
        + "INSERT INTO measures VALUES (1, 'eu', 5); INSERT INTO readings VALUES (1, 'eu');",
    )  # fmt: skip
    before = comparable(catalog_of(database))
    write_schema(schema_dir, PARENT + STANDALONE_EU_SHAPE + REFERENCING)
    with pytest.raises(StepFailed, match="violates foreign key constraint"):
        apply_up(database, plan_for(server.url, database, schema_dir))
    assert comparable(catalog_of(database)) == before


ROW_TYPE_USERS = """
CREATE TYPE order_wrap AS (o orders, note text);
CREATE DOMAIN order_row AS orders;
CREATE TABLE snapshots (taken date, o orders, w order_wrap);
"""


def test_values_of_the_rebuilt_tables_row_type_are_kept_through_the_rebuild(
    server: Server, database: str, schema_dir: Path
) -> None:
    """Columns elsewhere holding the table's rows, and types built on its row type, would
    block the drop: the types go and come back, the values wait as text."""
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        PLAIN
        + ROW_TYPE_USERS
        + ROWS
        + "INSERT INTO snapshots SELECT now(), o, ROW(o, 'first')::order_wrap FROM orders o;",
        PARTITIONED + ROW_TYPE_USERS,
    )
    held = [s.sql for s in plan.steps if s.name.startswith("public.snapshots.")]
    assert held[:2] == [
        "ALTER TABLE public.snapshots ALTER COLUMN o TYPE text USING o::text;",
        "ALTER TABLE public.snapshots ALTER COLUMN w TYPE text USING w::text;",
    ]
    assert _rows(database, "SELECT count(*) FROM snapshots WHERE (o).total = 5") == [(1,)]
