"""Foreign keys on partitioned tables, online and not.

Online DDL adds a foreign key ``NOT VALID`` and validates it later, but PostgreSQL
(before 18) refuses ``NOT VALID`` foreign keys on a partitioned table. There the key is
added ``NOT VALID`` to each existing partition and validated there (reads and writes go
on), and then added to the parent, which adopts the partitions' validated keys without
scanning again. A key from a plain table to a partitioned one takes the ordinary online
form. Every plan is checked both ways.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from schemactl.errors import SchemactlError
from tests.support import (
    Server,
    apply_up,
    catalog_of,
    execute,
    plan_for,
    round_trip,
    sqls,
    write_schema,
)

ACCOUNTS = "CREATE TABLE accounts (id int PRIMARY KEY); INSERT INTO accounts VALUES (1), (2);"
EVENTS = """
CREATE TABLE events (id int, account_id int, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO events VALUES (1, 1, '2024-05-01'), (2, 2, '2025-05-01');
"""
EVENTS_KEY = (
    "ALTER TABLE events ADD CONSTRAINT events_account_fk"
    " FOREIGN KEY (account_id) REFERENCES accounts (id);"
)


def _schema(text: str) -> str:
    """The schema as a file: the rows (INSERT) left out."""
    return re.sub(r"INSERT INTO [^;]*;", "", text)


def test_online_a_partitioned_table_gets_its_key_through_its_partitions(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        ACCOUNTS + EVENTS,
        _schema(ACCOUNTS + EVENTS) + EVENTS_KEY,
    )
    key = "FOREIGN KEY (account_id) REFERENCES public.accounts(id)"
    assert sqls(plan) == [
        f"ALTER TABLE public.events_2024 ADD CONSTRAINT events_account_fk {key} NOT VALID;",
        f"ALTER TABLE public.events_2025 ADD CONSTRAINT events_account_fk {key} NOT VALID;",
        "ALTER TABLE public.events_2024 VALIDATE CONSTRAINT events_account_fk;",
        "ALTER TABLE public.events_2025 VALIDATE CONSTRAINT events_account_fk;",
        f"ALTER TABLE public.events ADD CONSTRAINT events_account_fk {key};",
    ]
    assert [s.separate for s in plan.steps] == [False, False, True, True, False]
    assert plan.down_sql().strip() == (
        "ALTER TABLE public.events DROP CONSTRAINT events_account_fk;"
    )


def test_offline_a_partitioned_table_gets_its_key_in_one_step(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        ACCOUNTS + EVENTS,
        _schema(ACCOUNTS + EVENTS) + EVENTS_KEY,
        online=False,
    )
    assert sqls(plan) == [
        "ALTER TABLE public.events ADD CONSTRAINT events_account_fk"
        " FOREIGN KEY (account_id) REFERENCES public.accounts(id);"
    ]
    assert "validation_scan" in plan.steps[0].hazard_kinds


def test_online_a_key_on_a_partitioned_table_still_checks_the_rows_and_resumes(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(database, ACCOUNTS + EVENTS + "INSERT INTO events VALUES (3, 99, '2025-06-01');")
    write_schema(schema_dir, _schema(ACCOUNTS + EVENTS) + EVENTS_KEY)
    with pytest.raises(SchemactlError, match="events_account_fk"):
        apply_up(database, plan_for(server.url, database, schema_dir))
    assert "public.events.events_account_fk" not in catalog_of(database).constraints
    execute(database, "DELETE FROM events WHERE account_id = 99;")
    apply_up(database, plan_for(server.url, database, schema_dir))
    assert not plan_for(server.url, database, schema_dir).has_changes


def test_online_multi_level_partitions_get_the_key_on_every_leaf(
    server: Server, database: str, schema_dir: Path
) -> None:
    tree = """
CREATE TABLE accounts (id int PRIMARY KEY);
CREATE TABLE events (id int, account_id int, at date NOT NULL, kind text NOT NULL)
    PARTITION BY LIST (kind);
CREATE TABLE events_web PARTITION OF events FOR VALUES IN ('web') PARTITION BY RANGE (at);
CREATE TABLE events_web_2024 PARTITION OF events_web
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_api PARTITION OF events FOR VALUES IN ('api');
"""
    plan = round_trip(server.url, database, schema_dir, tree, tree + EVENTS_KEY)
    assert [s.sql.split(" ADD ")[0].split(" VALIDATE ")[0] for s in plan.steps] == [
        "ALTER TABLE public.events_api",
        "ALTER TABLE public.events_web_2024",
        "ALTER TABLE public.events_api",
        "ALTER TABLE public.events_web_2024",
        "ALTER TABLE public.events",
    ]


def test_a_new_partitioned_table_gets_its_key_directly(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url, database, schema_dir, ACCOUNTS, _schema(ACCOUNTS + EVENTS) + EVENTS_KEY
    )
    assert [s for s in sqls(plan) if "FOREIGN KEY" in s] == [
        "ALTER TABLE public.events ADD CONSTRAINT events_account_fk"
        " FOREIGN KEY (account_id) REFERENCES public.accounts(id);"
    ]


def test_a_new_partition_of_a_keyed_table_is_not_keyed_separately(
    server: Server, database: str, schema_dir: Path
) -> None:
    old = ACCOUNTS + EVENTS + EVENTS_KEY
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        old,
        _schema(old) + "CREATE TABLE events_2026 PARTITION OF events"
        " FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');",
    )
    assert sqls(plan) == [
        "CREATE TABLE public.events_2026 PARTITION OF public.events"
        " FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');"
    ]


REFERENCED = """
CREATE TABLE events (id int, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO events VALUES (1, '2024-05-01');
CREATE TABLE notes (event_id int, event_at date);
INSERT INTO notes VALUES (1, '2024-05-01');
"""
NOTES_KEY = (
    "ALTER TABLE notes ADD CONSTRAINT notes_event_fk"
    " FOREIGN KEY (event_id, event_at) REFERENCES events (id, at);"
)


def test_online_a_plain_table_referencing_a_partitioned_one_is_validated_later(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(server.url, database, schema_dir, REFERENCED, _schema(REFERENCED) + NOTES_KEY)
    key = "FOREIGN KEY (event_id, event_at) REFERENCES public.events(id, at)"
    assert sqls(plan) == [
        f"ALTER TABLE public.notes ADD CONSTRAINT notes_event_fk {key} NOT VALID;",
        "ALTER TABLE public.notes VALIDATE CONSTRAINT notes_event_fk;",
    ]


def test_offline_a_plain_table_referencing_a_partitioned_one(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        REFERENCED,
        _schema(REFERENCED) + NOTES_KEY,
        online=False,
    )
    assert sqls(plan) == [
        "ALTER TABLE public.notes ADD CONSTRAINT notes_event_fk"
        " FOREIGN KEY (event_id, event_at) REFERENCES public.events(id, at);"
    ]


def test_the_inherited_copies_of_a_partitioned_key_are_never_planned(
    server: Server, database: str, schema_dir: Path
) -> None:
    old = ACCOUNTS + EVENTS + EVENTS_KEY
    execute(database, old)
    write_schema(schema_dir, _schema(old))
    assert not plan_for(server.url, database, schema_dir).has_changes
