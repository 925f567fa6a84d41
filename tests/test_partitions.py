"""Partitioned tables: partitions added, removed, re-bounded, rebuilt; what they inherit
is planned once on the parent. Every plan is checked both ways."""

from __future__ import annotations

from pathlib import Path

import psycopg

from schemactl.apply.preflight import preflight
from tests.support import Server, execute, plan_for, round_trip, run_steps, sqls, write_schema

PARENT = """
CREATE TABLE orders (
    id bigint NOT NULL,
    region text NOT NULL,
    priority integer DEFAULT 0,
    notes text
) PARTITION BY LIST (region);
"""


def _rows(url: str, query: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(query.encode()).fetchall()


def test_a_new_partition_is_created_as_a_partition_of_its_parent(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        PARENT,
        PARENT
        + "CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu');"
        + "CREATE TABLE orders_rest PARTITION OF orders DEFAULT;",
    )
    assert sqls(plan) == [
        "CREATE TABLE public.orders_eu PARTITION OF public.orders FOR VALUES IN ('eu');",
        "CREATE TABLE public.orders_rest PARTITION OF public.orders DEFAULT;",
    ]
    assert [s.sql for s in plan.rollback] == [
        "DROP TABLE public.orders_eu;",
        "DROP TABLE public.orders_rest;",
    ]
    assert "data_loss" in plan.rollback[0].hazard_kinds


def test_a_partition_keeps_its_own_defaults_and_not_null(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        PARENT,
        PARENT
        + "CREATE TABLE orders_us PARTITION OF orders (priority DEFAULT 10, notes NOT NULL)"
        + " FOR VALUES IN ('us');",
    )
    assert sqls(plan) == [
        "CREATE TABLE public.orders_us PARTITION OF public.orders (\n"
        "    priority WITH OPTIONS DEFAULT 10,\n"
        "    notes WITH OPTIONS DEFAULT NULL NOT NULL\n"
        ") FOR VALUES IN ('us');"
    ]


def test_a_partitions_own_default_is_altered_on_that_partition_only(
    server: Server, database: str, schema_dir: Path
) -> None:
    partition = (
        "CREATE TABLE orders_us PARTITION OF orders (priority DEFAULT {}) FOR VALUES IN ('us');"
    )
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        PARENT + partition.format(10),
        PARENT + partition.format(20),
    )
    assert sqls(plan) == ["ALTER TABLE ONLY public.orders_us ALTER COLUMN priority SET DEFAULT 20;"]


def test_a_parent_default_change_does_not_overwrite_a_partitions_own(
    server: Server, database: str, schema_dir: Path
) -> None:
    partitions = """
        CREATE TABLE orders_us PARTITION OF orders (priority DEFAULT 10) FOR VALUES IN ('us');
        CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu');
    """
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        PARENT + partitions,
        PARENT.replace("DEFAULT 0", "DEFAULT 5") + partitions,
    )
    # SET DEFAULT on the parent reaches every partition; the partition's own is put back.
    assert sqls(plan) == [
        "ALTER TABLE public.orders ALTER COLUMN priority SET DEFAULT 5;",
        "ALTER TABLE ONLY public.orders_us ALTER COLUMN priority SET DEFAULT 10;",
    ]


def test_a_re_bounded_partition_is_detached_and_attached_again(
    server: Server, database: str, schema_dir: Path
) -> None:
    old = PARENT + (
        "CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu');"
        "CREATE TABLE orders_rest PARTITION OF orders DEFAULT;"
        "INSERT INTO orders VALUES (1, 'eu', 0, NULL), (2, 'uk', 0, NULL);"
    )
    new = PARENT + (
        "CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu', 'ch');"
        "CREATE TABLE orders_rest PARTITION OF orders DEFAULT;"
    )
    plan = round_trip(server.url, database, schema_dir, old, new)
    # Online, a check proves the new bound first, and the opposite check proves the
    # DEFAULT partition holds no row of it; both are validated while the partitions stay
    # attached and writable: the ATTACH then scans neither.
    bound = "(region IS NOT NULL) AND (region = ANY (ARRAY['eu'::text, 'ch'::text]))"
    assert sqls(plan) == [
        f"ALTER TABLE public.orders_eu ADD CONSTRAINT schemactl_bound CHECK (({bound})) NOT VALID;",
        "ALTER TABLE public.orders_rest ADD CONSTRAINT schemactl_bound_not_orders_eu"
        f" CHECK ((NOT (({bound})))) NOT VALID;",
        "ALTER TABLE public.orders_eu VALIDATE CONSTRAINT schemactl_bound;",
        "ALTER TABLE public.orders_rest VALIDATE CONSTRAINT schemactl_bound_not_orders_eu;",
        "ALTER TABLE public.orders DETACH PARTITION public.orders_eu;",
        "ALTER TABLE public.orders ATTACH PARTITION public.orders_eu FOR VALUES IN ('eu', 'ch');",
        "ALTER TABLE public.orders_eu DROP CONSTRAINT schemactl_bound;",
        "ALTER TABLE public.orders_rest DROP CONSTRAINT schemactl_bound_not_orders_eu;",
    ]
    assert plan.steps[2].separate and plan.steps[3].separate
    assert plan.steps[5].hazard_kinds == {"access_exclusive_lock"}  # no scan left
    assert _rows(database, "SELECT id FROM orders ORDER BY id") == [(1,), (2,)]


def test_offline_a_re_bounded_partition_is_scanned_by_its_attach(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url, database, schema_dir,
        PARENT + "CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu');",
        PARENT + "CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu', 'ch');",
        online=False,
    )  # fmt: skip
    assert sqls(plan) == [
        "ALTER TABLE public.orders DETACH PARTITION public.orders_eu;",
        "ALTER TABLE public.orders ATTACH PARTITION public.orders_eu FOR VALUES IN ('eu', 'ch');",
    ]
    assert all("validation_scan" in step.hazard_kinds for step in plan.steps)


def test_rows_outside_a_new_bound_are_found_before_anything_runs(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(
        database,
        PARENT + "CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu', 'ch');"
        "INSERT INTO orders VALUES (1, 'ch', 0, NULL);",
    )
    write_schema(
        schema_dir, PARENT + "CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu');"
    )
    plan = plan_for(server.url, database, schema_dir)
    with psycopg.connect(database, autocommit=True) as conn:
        report = preflight(conn, plan)
    (finding,) = report.blocking
    assert finding.step.sql == "ALTER TABLE public.orders_eu VALIDATE CONSTRAINT schemactl_bound;"
    assert "public.orders_eu" in finding.problem


def test_a_partition_that_becomes_the_default_one_is_reattached(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        PARENT + "CREATE TABLE orders_x PARTITION OF orders FOR VALUES IN ('x');",
        PARENT + "CREATE TABLE orders_x PARTITION OF orders DEFAULT;",
    )
    assert sqls(plan) == [
        "ALTER TABLE public.orders DETACH PARTITION public.orders_x;",
        "ALTER TABLE public.orders ATTACH PARTITION public.orders_x DEFAULT;",
    ]


def test_multi_level_partitions_are_created_parents_first_and_rebounded_at_their_level(
    server: Server, database: str, schema_dir: Path
) -> None:
    tree = """
        CREATE TABLE m (at date NOT NULL, region text NOT NULL, v int) PARTITION BY RANGE (at);
        CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')
            PARTITION BY LIST (region);
        CREATE TABLE m_2024_eu PARTITION OF m_2024 FOR VALUES IN ({});
        CREATE INDEX m_v ON m (v);
    """
    plan = round_trip(server.url, database, schema_dir, "", tree.format("'eu'"))
    assert [s.split(" PARTITION")[0].split(" (")[0] for s in sqls(plan)] == [
        "CREATE TABLE public.m",
        "CREATE TABLE public.m_2024",
        "CREATE TABLE public.m_2024_eu",
        "CREATE INDEX m_v ON public.m USING btree",
    ]
    plan = round_trip(
        server.url, database, schema_dir, tree.format("'eu'"), tree.format("'eu', 'ch'")
    )
    # The check proving the new bound holds the parent's bound too.
    assert sqls(plan)[0] == (
        "ALTER TABLE public.m_2024_eu ADD CONSTRAINT schemactl_bound CHECK (((at IS NOT NULL)"
        " AND (at >= '2024-01-01'::date) AND (at < '2025-01-01'::date) AND (region IS NOT NULL)"
        " AND (region = ANY (ARRAY['eu'::text, 'ch'::text])))) NOT VALID;"
    )
    assert sqls(plan)[2:4] == [
        "ALTER TABLE public.m_2024 DETACH PARTITION public.m_2024_eu;",
        "ALTER TABLE public.m_2024 ATTACH PARTITION public.m_2024_eu FOR VALUES IN ('eu', 'ch');",
    ]


def test_a_partitioned_parents_index_and_constraints_are_planned_once(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE customer (id bigint PRIMARY KEY);",
        """
        CREATE TABLE customer (id bigint PRIMARY KEY);
        CREATE TABLE sale (
            id bigint NOT NULL, at date NOT NULL, customer_id bigint REFERENCES customer,
            amount int CHECK (amount > 0), PRIMARY KEY (id, at)
        ) PARTITION BY RANGE (at);
        CREATE TABLE sale_2024 PARTITION OF sale FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE TABLE sale_2025 PARTITION OF sale FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        CREATE INDEX sale_customer ON sale (customer_id);
        CREATE INDEX sale_2025_amount ON sale_2025 (amount);
        """,
    )
    statements = sqls(plan)
    assert [s for s in statements if s.startswith("CREATE INDEX")] == [
        "CREATE INDEX sale_2025_amount ON public.sale_2025 USING btree (amount);",
        "CREATE INDEX sale_customer ON public.sale USING btree (customer_id);",
    ]
    assert [s for s in statements if s.startswith("ALTER TABLE")] == [
        "ALTER TABLE public.sale ADD CONSTRAINT sale_amount_check CHECK ((amount > 0));",
        "ALTER TABLE public.sale ADD CONSTRAINT sale_pkey PRIMARY KEY (id, at);",
        "ALTER TABLE public.sale ADD CONSTRAINT sale_customer_id_fkey FOREIGN KEY (customer_id) "
        "REFERENCES public.customer(id);",
    ]


def test_a_plain_table_becoming_partitioned_is_a_named_rebuild_that_keeps_its_rows(
    server: Server, database: str, schema_dir: Path
) -> None:
    old = """
        CREATE TABLE event (id bigserial, at date NOT NULL, kind text, PRIMARY KEY (id, at));
        CREATE INDEX event_kind ON event (kind);
        CREATE TABLE note (id int, event_id bigint, event_at date,
                           FOREIGN KEY (event_id, event_at) REFERENCES event (id, at));
        INSERT INTO event (at, kind) VALUES ('2024-03-01', 'a'), ('2025-06-01', 'b');
        INSERT INTO note VALUES (1, 1, '2024-03-01');
    """
    new = """
        CREATE TABLE event (id bigserial, at date NOT NULL, kind text, PRIMARY KEY (id, at))
            PARTITION BY RANGE (at);
        CREATE TABLE event_2024 PARTITION OF event FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE TABLE event_2025 PARTITION OF event FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        CREATE INDEX event_kind ON event (kind);
        CREATE TABLE note (id int, event_id bigint, event_at date,
                           FOREIGN KEY (event_id, event_at) REFERENCES event (id, at));
    """
    plan = round_trip(server.url, database, schema_dir, old, new)
    rebuild = [s for s in plan.steps if s.name == "public.event" and s.kind == "table"]
    assert [s.sql.splitlines()[0] for s in rebuild] == [
        'CREATE TABLE public."event_schemactl_rebuild" AS SELECT * FROM ONLY public.event;',
        "CREATE TABLE public.event (",
        "INSERT INTO public.event (id, at, kind) OVERRIDING SYSTEM VALUE "
        'SELECT id, at, kind FROM public."event_schemactl_rebuild";',
    ]
    assert {"data_move", "table_rewrite"} <= rebuild[0].hazard_kinds
    assert "data_loss" not in rebuild[0].hazard_kinds  # the rows are kept
    assert "cannot be altered in place" in rebuild[0].hazards[0].reason
    assert not rebuild[2].hazards  # the data-moving hazard is named once
    assert "DROP TABLE public.event;" in rebuild[0].sql
    assert "ALTER SEQUENCE public.event_id_seq OWNED BY public.event.id;" in rebuild[2].sql
    # the rollback is a rebuild too, and round_trip checked it restores the plain table
    assert any(
        s.sql.startswith('CREATE TABLE public."event_schemactl_rebuild"') for s in plan.rollback
    )


def test_the_rows_are_in_the_new_partitions_after_the_rebuild(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(
        database,
        "CREATE TABLE r (id serial, at date NOT NULL);"
        "INSERT INTO r (at) VALUES ('2024-03-01'), ('2025-06-01');",
    )
    write_schema(
        schema_dir,
        "CREATE TABLE r (id serial, at date NOT NULL) PARTITION BY RANGE (at);"
        "CREATE TABLE r_2024 PARTITION OF r FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
        "CREATE TABLE r_rest PARTITION OF r DEFAULT;",
    )
    run_steps(database, plan_for(server.url, database, schema_dir).up_sql())
    assert _rows(database, "SELECT tableoid::regclass::text, id FROM r ORDER BY id") == [
        ("r_2024", 1),
        ("r_rest", 2),
    ]
    assert _rows(database, "SELECT nextval('r_id_seq')") == [(3,)]


def test_a_rebuilt_tables_values_of_a_swapped_enum_are_held_as_text_meanwhile(
    server: Server, database: str, schema_dir: Path
) -> None:
    """The rows set aside while the table is rebuilt would keep the old enum from being
    dropped; held as text, they come back cast to the new one."""
    rows = "INSERT INTO ev VALUES (1, '2024-01-01', 'sad'), (2, '2024-02-01', 'happy');"
    plan = round_trip(
        server.url, database, schema_dir,
        "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');"
        "CREATE TABLE ev (id int, at date NOT NULL, m mood); CREATE TABLE other (m mood);" + rows,
        "CREATE TYPE mood AS ENUM ('sad', 'happy');"
        "CREATE TABLE ev (id int, at date NOT NULL, m mood) PARTITION BY RANGE (at);"
        "CREATE TABLE ev_all PARTITION OF ev DEFAULT; CREATE TABLE other (m mood);",
    )  # fmt: skip
    steps = sqls(plan)
    assert steps[0].startswith(
        'CREATE TABLE public."ev_schemactl_rebuild" AS SELECT id, at, m::text AS m FROM ONLY public.ev;'
    )
    assert (
        'INSERT INTO public.ev (id, at, m) OVERRIDING SYSTEM VALUE SELECT id, at, m::public.mood FROM public."ev_schemactl_rebuild";'
        in steps[-1]
    )
    assert _rows(database, "SELECT id, m::text FROM ev ORDER BY id") == [(1, "sad"), (2, "happy")]


def test_a_changed_partition_key_is_a_rebuild(
    server: Server, database: str, schema_dir: Path
) -> None:
    table = "CREATE TABLE k (a int NOT NULL, b int NOT NULL) PARTITION BY {};"
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        table.format("RANGE (a)") + "CREATE TABLE k_1 PARTITION OF k FOR VALUES FROM (0) TO (10);",
        table.format("LIST (b)") + "CREATE TABLE k_1 PARTITION OF k FOR VALUES IN (1);",
    )
    assert sqls(plan)[0].startswith(
        'CREATE TABLE public."k_schemactl_rebuild" AS SELECT * FROM public.k;'
    )
    assert "data_move" in plan.steps[0].hazard_kinds
    assert "partition key changes" in plan.steps[0].hazards[0].reason


def test_a_partition_key_column_changing_type_is_a_rebuild_that_keeps_the_rows(
    server: Server, database: str, schema_dir: Path
) -> None:
    """PostgreSQL cannot change the type of a column a partitioned table's key reads: the
    table is rebuilt with its partitions, its rows copied aside and back."""
    table = "CREATE TABLE m (id int NOT NULL, at {} NOT NULL) PARTITION BY RANGE (at);"
    partition = (
        "CREATE TABLE m_2026 PARTITION OF m FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');"
    )
    old = table.format("date") + partition
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        old + "INSERT INTO m VALUES (1, '2026-03-01');",
        table.format("timestamptz") + partition,
    )
    assert sqls(plan)[0].startswith(
        'CREATE TABLE public."m_schemactl_rebuild" AS SELECT * FROM public.m;'
    )
    assert "partition key column at changes type" in plan.steps[0].hazards[0].reason
    with psycopg.connect(database) as conn:  # rolled back by now, through a rebuild too
        assert conn.execute("SELECT id, at::text FROM m").fetchall() == [(1, "2026-03-01")]


def test_a_rebuilt_table_gets_its_identity_grants_and_comments_back(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(
        server.url,
        "DO $$ BEGIN CREATE ROLE partition_reader; "
        "EXCEPTION WHEN duplicate_object THEN NULL; END $$;",
    )
    body = "(id int GENERATED ALWAYS AS IDENTITY, at date NOT NULL, note text)"
    extras = "COMMENT ON TABLE ev IS 'events'; GRANT SELECT ON ev TO partition_reader;"
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        f"CREATE TABLE ev {body}; {extras} INSERT INTO ev (at) VALUES ('2024-01-02');",
        f"CREATE TABLE ev {body} PARTITION BY RANGE (at);"
        f"CREATE TABLE ev_all PARTITION OF ev DEFAULT; {extras}",
    )
    statements = sqls(plan)
    assert "GRANT SELECT ON TABLE public.ev TO partition_reader;" in statements
    assert "COMMENT ON TABLE public.ev IS 'events';" in statements
    copy_back = next(s for s in statements if s.startswith("INSERT INTO public.ev"))
    assert "SELECT setval(pg_get_serial_sequence('public.ev', 'id'), max(id))" in copy_back


def test_a_table_that_becomes_a_partition_keeps_its_rows(
    server: Server, database: str, schema_dir: Path
) -> None:
    parent = "CREATE TABLE p (id int NOT NULL, region text NOT NULL) PARTITION BY LIST (region);"
    execute(
        database,
        parent + "CREATE TABLE p_eu (id int NOT NULL, region text NOT NULL);"
        "INSERT INTO p_eu VALUES (1, 'eu');",
    )
    write_schema(schema_dir, parent + "CREATE TABLE p_eu PARTITION OF p FOR VALUES IN ('eu');")
    plan = plan_for(server.url, database, schema_dir)
    # Attached as it is: on 18, after its NOT NULL constraints take the parent's names.
    steps = [step.sql for step in plan.steps if "schemactl_bound" not in step.sql]
    assert steps[-1].startswith("ALTER TABLE public.p ATTACH PARTITION public.p_eu")
    assert all("RENAME CONSTRAINT" in step for step in steps[:-1])
    run_steps(database, plan.up_sql())
    assert _rows(database, "SELECT tableoid::regclass::text, id FROM p") == [("p_eu", 1)]
    assert not plan_for(server.url, database, schema_dir).has_changes


def test_a_partitioned_parents_row_trigger_is_planned_once(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "",
        """
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE TABLE s (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
        CREATE TABLE s_1 PARTITION OF s FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE TRIGGER s_touch BEFORE INSERT ON s FOR EACH ROW EXECUTE FUNCTION touch();
        """,
    )
    assert [s for s in sqls(plan) if s.startswith("CREATE TRIGGER")] == [
        "CREATE TRIGGER s_touch BEFORE INSERT ON public.s FOR EACH ROW EXECUTE FUNCTION public.touch();"
    ]


def test_a_partitions_own_not_null_is_set_and_dropped_on_that_partition(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        PARENT + "CREATE TABLE orders_us PARTITION OF orders FOR VALUES IN ('us');",
        PARENT
        + "CREATE TABLE orders_us PARTITION OF orders (notes NOT NULL) FOR VALUES IN ('us');",
    )
    assert sqls(plan) == ["ALTER TABLE public.orders_us ALTER COLUMN notes SET NOT NULL;"]
    assert "validation_scan" in plan.steps[0].hazard_kinds
    assert [s.sql for s in plan.rollback] == [
        "ALTER TABLE public.orders_us ALTER COLUMN notes DROP NOT NULL;"
    ]


def test_the_attach_skips_its_scans_where_checks_prove_the_bound(
    server: Server, database: str, schema_dir: Path
) -> None:
    rest = "CREATE TABLE orders_rest PARTITION OF orders DEFAULT;"
    execute(
        database,
        PARENT + rest + "INSERT INTO orders VALUES (2, 'uk');"
        "CREATE TABLE orders_eu (LIKE orders); INSERT INTO orders_eu VALUES (1, 'eu');",
    )
    write_schema(
        schema_dir,
        PARENT + rest + "CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu');",
    )
    plan = plan_for(server.url, database, schema_dir)
    said: list[str] = []
    with psycopg.connect(database, autocommit=True) as conn:
        conn.add_notice_handler(lambda notice: said.append(notice.message_primary or ""))
        conn.execute("SET client_min_messages = debug1")
        for step in plan.steps:
            conn.execute(step.sql.encode())
    assert 'partition constraint for table "orders_eu" is implied by existing constraints' in said
    assert (
        'updated partition constraint for default partition "orders_rest" is implied by'
        " existing constraints" in said
    )
    assert _rows(database, "SELECT tableoid::regclass::text, id FROM orders ORDER BY id") == [
        ("orders_eu", 1),
        ("orders_rest", 2),
    ]
