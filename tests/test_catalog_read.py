"""How a catalog is read: a large one on two connections in one snapshot
(catalog/second_connection.py), the same catalog as one connection reads, a transaction's
own changes still seen, and where the second connection cannot help the first reads
everything; the queries of kinds a database has none of are not sent (catalog/census.py),
and nothing is missed for it."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import conninfo

from schemactl.catalog import introspect
from schemactl.catalog.census import QUERIES_OF_KIND, needless_queries
from schemactl.catalog.latency import read_ahead_depth
from schemactl.catalog.second_connection import (
    SecondConnection,
    cores_for_second_connections,
    on_this_machine,
)
from schemactl.devdb.loader import ensure_roles
from tests.support import Server, execute, load_schema_folder, run_cli
from tests.test_dump_equivalence import NEEDS, RICH_SCHEMA, ROLES, _features

EXAMPLE = Path(__file__).resolve().parent.parent / "schema"


@pytest.fixture
def every_catalog_is_large(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite's catalogs are small: count every one as worth a second connection."""
    monkeypatch.setattr("schemactl.catalog.second_connection.WORTH_IT_RELATIONS", 0)


def read(url: str) -> str:
    with psycopg.connect(url, autocommit=True) as conn:
        return repr(introspect(conn))


def test_two_connections_read_the_example_exactly_as_one(
    server: Server, database: str, monkeypatch: pytest.MonkeyPatch, counted: dict[str, int]
) -> None:
    load_schema_folder(database, EXAMPLE)
    on_one = read(database)
    assert not counted.get("second_connection_answers")
    monkeypatch.setattr("schemactl.catalog.second_connection.WORTH_IT_RELATIONS", 0)
    assert read(database) == on_one
    assert counted["second_connection_answers"] >= 8


def test_a_read_inside_a_transaction_sees_what_it_changed(
    database: str, every_catalog_is_large: None, counted: dict[str, int]
) -> None:
    with psycopg.connect(database) as conn:
        conn.execute("CREATE TABLE not_yet_committed (id int, note text)")
        conn.execute("CREATE INDEX by_note ON not_yet_committed (note)")
        catalog = introspect(conn)
        conn.rollback()
    assert "public.not_yet_committed" in catalog.tables
    assert "public.by_note" in catalog.indexes
    assert not counted.get("second_connection_answers")


def test_when_the_second_connection_is_refused_the_first_reads_everything(
    server: Server, database: str, every_catalog_is_large: None, counted: dict[str, int]
) -> None:
    execute(database, "CREATE TABLE t (id int, note text); CREATE INDEX by_note ON t (note)")
    execute(server.url, "DROP ROLE IF EXISTS one_session; CREATE ROLE one_session LOGIN "
                        "CONNECTION LIMIT 1")  # fmt: skip
    execute(database, "GRANT SELECT ON t TO one_session")
    as_one_session = conninfo.make_conninfo(database, user="one_session")
    with psycopg.connect(as_one_session, autocommit=True) as conn:
        catalog = introspect(conn)
    assert "public.by_note" in catalog.indexes
    assert not counted.get("second_connection_answers")


def test_two_local_databases_read_at_once_take_a_second_connection_only_with_cores_for_it(
    database: str, other_database: str
) -> None:
    """Four busy backends on two cores wait their turn, each warming its own caches."""
    with (
        psycopg.connect(database) as first,
        psycopg.connect(other_database) as second,
        psycopg.connect(conninfo.make_conninfo(database, host="localhost")) as by_name,
    ):
        assert on_this_machine(first) and on_this_machine(by_name)
        assert not cores_for_second_connections((first, second), cores=2)
        assert not cores_for_second_connections((first, second), cores=3)
        assert cores_for_second_connections((first, second), cores=4)
        assert cores_for_second_connections((first,), cores=2)


def test_diff_of_two_local_databases_reads_each_on_one_connection_on_a_small_machine(
    database: str,
    other_database: str,
    every_catalog_is_large: None,
    counted: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    execute(database, "CREATE TABLE t (id int PRIMARY KEY, note text)")
    execute(other_database, "CREATE TABLE t (id int PRIMARY KEY, note text NOT NULL)")
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1})

    result = run_cli(capsys, "diff", "--from", database, "--to", other_database)

    assert result.code == 2 and "SET NOT NULL" in result.stdout
    assert counted["connections"] == 2 and not counted.get("second_connection_answers")


def read_every_query(url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    with monkeypatch.context() as patched:
        patched.setattr(sys.modules["schemactl.catalog.introspect"], "needless_given",
                        lambda held: frozenset())  # fmt: skip
        return read(url)


def test_an_empty_database_needs_almost_none_of_the_catalog_queries(database: str) -> None:
    with psycopg.connect(database, autocommit=True) as conn:
        needless = needless_queries(conn)
    assert {"columns", "indexes", "functions", "policies", "publications"} <= needless
    assert needless <= {name for names in QUERIES_OF_KIND.values() for name in names}


def test_the_queries_left_out_would_have_found_nothing(
    server: Server, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_schema_folder(database, EXAMPLE)
    with psycopg.connect(database, autocommit=True) as conn:
        assert {"event_triggers", "publications"} <= needless_queries(conn)
        assert "policies" not in needless_queries(conn)
    assert read(database) == read_every_query(database, monkeypatch)


def test_a_schema_of_every_kind_reads_the_same_with_the_census(
    server: Server, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    offered = _features(server.url)
    with psycopg.connect(server.url, autocommit=True) as conn:
        ensure_roles(conn, ROLES)
    execute(database, "\n".join(
        line for line in RICH_SCHEMA.read_text().splitlines()
        if (needs := NEEDS.search(line)) is None or needs.group(1) in offered
    ))  # fmt: skip
    with psycopg.connect(database, autocommit=True) as conn:
        assert not {"operators", "operator_classes", "collations"} & needless_queries(conn)
    assert read(database) == read_every_query(database, monkeypatch)


def test_near_servers_are_read_one_query_ahead_far_ones_in_groups() -> None:
    assert read_ahead_depth(0.0002, 40) == 1  # this machine, a pooler beside it
    assert read_ahead_depth(0.004, 40) == 2
    assert read_ahead_depth(0.030, 40) == 15  # a managed database in another region
    assert read_ahead_depth(0.500, 40) == 40  # never more than there are queries


@pytest.mark.parametrize("connections", [1, 2])
def test_a_read_in_groups_of_queries_reads_exactly_as_one_query_ahead(
    server: Server,
    database: str,
    monkeypatch: pytest.MonkeyPatch,
    counted: dict[str, int],
    connections: int,
) -> None:
    """As on a far server: each connection sends its queries in groups, one round trip each."""
    load_schema_folder(database, EXAMPLE)
    if connections == 2:
        monkeypatch.setattr("schemactl.catalog.second_connection.WORTH_IT_RELATIONS", 0)
    one_ahead = read(database)
    for depth in (3, 100):
        with monkeypatch.context() as patched:
            for module in ("introspect", "second_connection"):
                patched.setattr(sys.modules[f"schemactl.catalog.{module}"], "read_ahead_depth",
                                lambda latency, queries, depth=depth: depth)  # fmt: skip
            assert read(database) == one_ahead
    assert bool(counted.get("second_connection_answers")) == (connections == 2)


def test_a_second_connection_closed_early_cancels_what_it_has_not_answered(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read that ends before taking every answer (it failed, or asked for less) does not
    wait for the server to finish the rest: a far server's group may hold many queries."""
    # One query per round trip whatever the latency a busy machine shows: in a group, the
    # quick answer would only come with the slow one's.
    monkeypatch.setattr(
        "schemactl.catalog.second_connection.read_ahead_depth", lambda latency, queries: 1
    )
    with psycopg.connect(database, autocommit=True) as first, first.transaction():
        first.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        (snapshot,) = first.execute("SELECT pg_export_snapshot()").fetchone() or ("",)
        planned = [("quick", {}, b"SELECT 1 AS one"), ("slow", {}, b"SELECT pg_sleep(60)")]
        second = SecondConnection(first, snapshot, "SET LOCAL search_path = ''", planned)
        second.start()
        assert second.take("quick", {}) == (["one"], [(1,)])
        sleeping = "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)'"
        deadline = time.monotonic() + 30
        with psycopg.connect(database, autocommit=True) as watcher:  # its own stats snapshot
            while not (watcher.execute(sleeping).fetchone() or (0,))[0]:
                assert time.monotonic() < deadline, "the slow query never started"
                time.sleep(0.01)
        second.close()
        assert second.take("slow", {}) is None  # cancelled: the first connection would run it


def _read_and_asked(database: str, schema: str, *questions: str) -> tuple[Any, ...]:
    """``schema`` made in ``database``, then its catalog as read, and what each of
    ``questions`` (SQL) answers there: PostgreSQL's own account to compare it with."""
    execute(database, schema)
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("SET search_path = ''")
        catalog = introspect(conn)
        return (catalog, *(conn.execute(question).fetchall() for question in questions))


PRINTED_WITHOUT_THEIR_TABLE = """
CREATE TYPE mood AS ENUM ('calm', 'busy');
CREATE SEQUENCE ticket_numbers;
CREATE TABLE ledger (
    id bigint GENERATED ALWAYS AS IDENTITY,
    at timestamptz NOT NULL DEFAULT now(),
    day date DEFAULT (CURRENT_DATE + 1),
    ticket bigint DEFAULT nextval('ticket_numbers'),
    mood mood DEFAULT 'calm',
    tags text[] DEFAULT ARRAY['a', 'b b']::text[],
    label text COLLATE "C" DEFAULT 'x' || 'y',
    amount numeric(10, 2) DEFAULT 0.5 * 3,
    total numeric GENERATED ALWAYS AS (amount * 2) STORED,
    region text NOT NULL DEFAULT 'eu'
) PARTITION BY LIST (region);
CREATE TABLE ledger_eu PARTITION OF ledger (region DEFAULT 'eu-west') FOR VALUES IN ('eu', 'eu-west');
CREATE TABLE ledger_other PARTITION OF ledger DEFAULT;
CREATE TABLE readings (at timestamptz NOT NULL, value int DEFAULT -1) PARTITION BY RANGE (at);
CREATE TABLE readings_old PARTITION OF readings FOR VALUES FROM (MINVALUE) TO ('2026-01-01');
CREATE TABLE readings_2026 PARTITION OF readings FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE buckets (id int, value text DEFAULT repeat('-', 3)) PARTITION BY HASH (id);
CREATE TABLE buckets_0 PARTITION OF buckets FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE buckets_1 PARTITION OF buckets FOR VALUES WITH (MODULUS 2, REMAINDER 1);
"""


@pytest.mark.version_matrix
def test_defaults_and_partition_bounds_read_as_postgresql_prints_them_with_their_table(
    server: Server, database: str
) -> None:
    """The catalog queries print defaults and partition bounds without their table's
    column names (they name no column); that must print exactly what pg_dump's
    ``pg_get_expr(expression, table)`` prints, on every server version."""
    catalog, defaults, bounds = _read_and_asked(
        database,
        PRINTED_WITHOUT_THEIR_TABLE,
        "SELECT c.relname, a.attname, pg_get_expr(d.adbin, d.adrelid)"
        "  FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid"
        "  JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum"
        " WHERE a.attislocal AND NOT c.relispartition",
        "SELECT relname, pg_get_expr(relpartbound, oid) FROM pg_class WHERE relispartition",
    )
    read_defaults = {
        (table.name, column.name): column.default or column.generated
        for table in catalog.tables.values()
        for column in table.columns
        if column.default or column.generated
    }
    assert read_defaults == {(table, column): printed for table, column, printed in defaults}
    assert len(read_defaults) == 11
    read_bounds = {t.name: t.partition_bound for t in catalog.tables.values() if t.partition_of}
    assert read_bounds == dict(bounds)
    partition_defaults = {
        (t.name, c.name): c.default for t in catalog.tables.values() for c in t.column_overrides
    }
    assert partition_defaults == {("ledger_eu", "region"): "'eu-west'::text"}


CONSTRAINTS_ON_COLUMNS = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TABLE people (
    id int PRIMARY KEY,
    "Manager" int REFERENCES people (id),
    first text, last text,
    born date, died date,
    CHECK (died > born),
    CONSTRAINT named CHECK (length(first || last) < 200),
    UNIQUE (last, first) INCLUDE (born)
);
CREATE TABLE notes (body text, CONSTRAINT whole_row CHECK (notes IS NOT NULL));
CREATE TABLE rooms (
    room int, during tstzrange, guest int REFERENCES people,
    EXCLUDE USING gist (room WITH =, (during * during) WITH &&)
);
CREATE TABLE staff (badge int CHECK (badge > 0) NO INHERIT) INHERITS (people);
ALTER TABLE staff ADD CONSTRAINT alive CHECK (died IS NULL OR died > born + 1);
CREATE TABLE visits (at date NOT NULL, who int) PARTITION BY RANGE (at);
CREATE TABLE visits_2026 PARTITION OF visits
    (CONSTRAINT in_year CHECK (at >= '2026-01-01'))
    FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
"""


@pytest.mark.version_matrix
def test_a_constraints_columns_are_those_postgresql_records_it_depends_on(
    server: Server, database: str
) -> None:
    """What a constraint stands on (read from its key numbers) names the same columns of
    its table as PostgreSQL's pg_depend: a check's columns, a foreign key's own columns
    and, on its own table, the referenced ones, an exclusion's plain columns, a child's
    inherited columns."""
    catalog, recorded = _read_and_asked(
        database,
        CONSTRAINTS_ON_COLUMNS,
        "SELECT c.relname, con.conname,"
        "       coalesce(array_agg(DISTINCT quote_ident(a.attname)::text)"
        "                FILTER (WHERE a.attname IS NOT NULL), '{}')"
        "  FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid"
        "  LEFT JOIN pg_depend d ON d.classid = 'pg_constraint'::regclass"
        "       AND d.objid = con.oid AND d.refclassid = 'pg_class'::regclass"
        "       AND d.refobjid = con.conrelid AND d.refobjsubid > 0"
        "  LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
        " WHERE c.relnamespace = 'public'::regnamespace AND con.contype <> 'n'"
        "   AND con.conislocal"
        " GROUP BY 1, 2",
    )
    read = {
        (c.table.removeprefix("public."), c.name): sorted(c.columns)
        for c in catalog.constraints.values()
    }
    assert read == {(table, name): sorted(columns) for table, name, columns in recorded}
    assert read["people", "people_Manager_fkey"] == ['"Manager"', "id"]
    assert read["staff", "alive"] == ["born", "died"]
    assert read["notes", "whole_row"] == []
