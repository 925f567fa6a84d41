"""Online DDL: on tables that exist, locks stay short; nothing changes for new tables."""

from __future__ import annotations

import contextlib
from pathlib import Path

import psycopg
import pytest

from schemactl.apply.executor import StepFailed, group_steps
from tests.support import Server, apply_up, execute, plan_for, round_trip, sqls, write_schema


def test_an_index_on_an_existing_table_is_built_concurrently_outside_the_transaction(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE t (id int, email text);",
        "CREATE TABLE t (id int, email text, note text); CREATE INDEX t_email ON t (email);",
    )
    assert sqls(plan) == [
        "ALTER TABLE public.t ADD COLUMN note text;",
        "CREATE INDEX CONCURRENTLY t_email ON public.t USING btree (email);",
    ]
    assert [g.transactional for g in group_steps(plan.steps)] == [True, False]


def test_an_index_on_a_new_table_is_built_in_the_transaction(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "",
        "CREATE TABLE t (id int); CREATE INDEX t_id ON t (id);",
    )
    assert sqls(plan)[1] == "CREATE INDEX t_id ON public.t USING btree (id);"
    assert all(step.transactional for step in plan.steps)


def test_a_check_on_an_existing_table_is_added_not_valid_then_validated_separately(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE t (n int); INSERT INTO t VALUES (1);",
        "CREATE TABLE t (n int CONSTRAINT n_positive CHECK (n > 0));",
    )
    assert sqls(plan) == [
        "ALTER TABLE public.t ADD CONSTRAINT n_positive CHECK ((n > 0)) NOT VALID;",
        "ALTER TABLE public.t VALIDATE CONSTRAINT n_positive;",
    ]
    assert [len(g.steps) for g in group_steps(plan.steps)] == [1, 1]


def test_set_not_null_on_an_existing_table_skips_the_long_scan(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE t (a int);",
        "CREATE TABLE t (a int NOT NULL);",
    )
    assert sqls(plan) == [
        "ALTER TABLE public.t ADD CONSTRAINT schemactl_nn_a CHECK (a IS NOT NULL) NOT VALID;",
        "ALTER TABLE public.t VALIDATE CONSTRAINT schemactl_nn_a;",
        "ALTER TABLE public.t ALTER COLUMN a SET NOT NULL;",
        "ALTER TABLE public.t DROP CONSTRAINT schemactl_nn_a;",
    ]


def test_an_invalid_index_left_by_an_interrupted_build_is_rebuilt(
    server: Server, database: str, schema_dir: Path
) -> None:
    table = "CREATE TABLE t (id int); INSERT INTO t VALUES (1), (1);"
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(table.encode())
        # A unique build that fails leaves an INVALID index behind.
        with contextlib.suppress(psycopg.errors.UniqueViolation):
            conn.execute("CREATE UNIQUE INDEX CONCURRENTLY t_id ON t (id)")
        conn.execute("DELETE FROM t")
    write_schema(schema_dir, "CREATE TABLE t (id int); CREATE UNIQUE INDEX t_id ON t (id);")
    plan = plan_for(server.url, database, schema_dir)
    apply_up(database, plan)
    assert not plan_for(server.url, database, schema_dir).has_changes
    assert sqls(plan) == [
        "DROP INDEX CONCURRENTLY IF EXISTS public.t_id;",
        "CREATE UNIQUE INDEX CONCURRENTLY t_id ON public.t USING btree (id);",
    ]


def test_the_rollback_of_an_online_plan_is_one_transaction(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE t (id int);",
        "CREATE TABLE t (id int); CREATE INDEX t_i ON t (id);",
    )
    assert [s.sql for s in plan.rollback] == ["DROP INDEX public.t_i;"]
    assert all(step.transactional for step in plan.rollback)


def test_a_new_primary_key_on_an_existing_table_is_made_of_an_index_built_concurrently(
    server: Server, database: str, schema_dir: Path
) -> None:
    """ADD PRIMARY KEY would index every row under ACCESS EXCLUSIVE. The index is built
    concurrently instead, and becomes the key once its column is NOT NULL (itself set
    without the long scan): the only lock that waits for nothing is the last one."""
    plan = round_trip(
        server.url, database, schema_dir,
        "CREATE TABLE t (id int, n int); INSERT INTO t VALUES (1, 1), (2, 1);",
        "CREATE TABLE t (id int PRIMARY KEY, n int);",
    )  # fmt: skip
    assert sqls(plan) == [
        "ALTER TABLE public.t ADD CONSTRAINT schemactl_nn_id CHECK (id IS NOT NULL) NOT VALID;",
        "CREATE UNIQUE INDEX CONCURRENTLY t_pkey ON public.t USING btree (id);",
        "ALTER TABLE public.t VALIDATE CONSTRAINT schemactl_nn_id;",
        "ALTER TABLE public.t ALTER COLUMN id SET NOT NULL;",
        "ALTER TABLE public.t DROP CONSTRAINT schemactl_nn_id;",
        "ALTER TABLE public.t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_pkey;",
    ]
    assert not plan.steps[1].transactional
    assert plan.steps[1].hazard_kinds == {"index_build"}
    assert [s.sql for s in plan.rollback] == ["ALTER TABLE public.t DROP CONSTRAINT t_pkey;",
                                              "ALTER TABLE public.t ALTER COLUMN id DROP NOT NULL;"]  # fmt: skip


def test_a_unique_constraint_keeps_what_it_says_through_its_concurrent_index(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url, database, schema_dir,
        "CREATE TABLE t (a int, b int, c text); CREATE TABLE r (a int, b int);",
        """CREATE TABLE t (a int, b int, c text,
               CONSTRAINT t_ab UNIQUE NULLS NOT DISTINCT (a, b) INCLUDE (c)
                   WITH (fillfactor = 70) DEFERRABLE INITIALLY DEFERRED,
               CONSTRAINT "T b" UNIQUE (b));
           CREATE TABLE r (a int, b int REFERENCES t (b));""",
    )  # fmt: skip
    assert sqls(plan)[:2] == [
        'CREATE UNIQUE INDEX CONCURRENTLY "T b" ON public.t USING btree (b);',
        "CREATE UNIQUE INDEX CONCURRENTLY t_ab ON public.t USING btree (a, b) INCLUDE (c)"
        " NULLS NOT DISTINCT WITH (fillfactor=70);",
    ]
    # the foreign key stands on the unique index until it becomes the key
    assert sqls(plan)[2].startswith("ALTER TABLE public.r ADD CONSTRAINT r_b_fkey FOREIGN KEY (b)")
    assert sqls(plan)[-2:] == [
        'ALTER TABLE public.t ADD CONSTRAINT "T b" UNIQUE USING INDEX "T b";',
        "ALTER TABLE public.t ADD CONSTRAINT t_ab UNIQUE USING INDEX t_ab"
        " DEFERRABLE INITIALLY DEFERRED;",
    ]


def test_a_key_build_that_failed_over_duplicates_is_resumed_by_the_next_apply(
    server: Server, database: str, schema_dir: Path
) -> None:
    """The concurrent build leaves an INVALID index when it meets duplicates; once they
    are gone, the next plan drops it and builds the key again."""
    execute(database, "CREATE TABLE t (id int NOT NULL); INSERT INTO t VALUES (1), (1);")
    write_schema(schema_dir, "CREATE TABLE t (id int PRIMARY KEY);")
    with pytest.raises(StepFailed, match="could not create unique index"):
        apply_up(database, plan_for(server.url, database, schema_dir))
    execute(database, "DELETE FROM t WHERE ctid = (SELECT max(ctid) FROM t);")
    plan = plan_for(server.url, database, schema_dir)
    assert sqls(plan) == [
        "DROP INDEX CONCURRENTLY IF EXISTS public.t_pkey;",
        "CREATE UNIQUE INDEX CONCURRENTLY t_pkey ON public.t USING btree (id);",
        "ALTER TABLE public.t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_pkey;",
    ]
    apply_up(database, plan)
    assert not plan_for(server.url, database, schema_dir).has_changes


@pytest.mark.parametrize("online", [True, False], ids=["online", "offline"])
def test_a_unique_index_already_there_becomes_the_new_key_without_a_rebuild(
    server: Server, database: str, schema_dir: Path, online: bool
) -> None:
    """A database built by hand often has the unique index where the schema says UNIQUE:
    the key is made of it, under a brief lock, instead of dropping and building it."""
    plan = round_trip(
        server.url, database, schema_dir,
        "CREATE TABLE u (id int NOT NULL, email text);"
        "CREATE UNIQUE INDEX u_email_key ON u (email); CREATE UNIQUE INDEX u_pkey ON u (id);"
        "INSERT INTO u VALUES (1, 'a@x');",
        "CREATE TABLE u (id int PRIMARY KEY, email text UNIQUE);",
        online=online,
    )  # fmt: skip
    assert sqls(plan) == [
        "ALTER TABLE public.u ADD CONSTRAINT u_email_key UNIQUE USING INDEX u_email_key;",
        "ALTER TABLE public.u ADD CONSTRAINT u_pkey PRIMARY KEY USING INDEX u_pkey;",
    ]
    assert [s.sql for s in plan.rollback][:2] == [
        "ALTER TABLE public.u DROP CONSTRAINT u_email_key;",
        "ALTER TABLE public.u DROP CONSTRAINT u_pkey;",
    ]


def test_a_unique_index_of_another_shape_is_built_again_for_the_key(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url, database, schema_dir,
        "CREATE TABLE u (email text); CREATE UNIQUE INDEX u_email_key ON u (lower(email));",
        "CREATE TABLE u (email text UNIQUE);",
    )  # fmt: skip
    assert sqls(plan) == [
        "DROP INDEX CONCURRENTLY IF EXISTS public.u_email_key;",
        "CREATE UNIQUE INDEX CONCURRENTLY u_email_key ON public.u USING btree (email);",
        "ALTER TABLE public.u ADD CONSTRAINT u_email_key UNIQUE USING INDEX u_email_key;",
    ]


def test_a_key_replaced_under_its_own_name_is_swapped_for_an_index_built_concurrently(
    server: Server, database: str, schema_dir: Path
) -> None:
    """Dropping the old key and adding the new one rebuilt its index under ACCESS
    EXCLUSIVE. The new index is built concurrently under another name; the old key is
    dropped, the index renamed and made the key in one brief transaction, so the table
    is never without its key. A foreign key over the new key stands on the new index."""
    plan = round_trip(
        server.url, database, schema_dir,
        "CREATE TABLE a (id int PRIMARY KEY, email text);"
        "CREATE TABLE o (a_id int REFERENCES a); INSERT INTO a VALUES (1, 'x');"
        "COMMENT ON CONSTRAINT a_pkey ON a IS 'the key';",
        "CREATE TABLE a (id int, tenant int NOT NULL DEFAULT 1, email text,"
        " PRIMARY KEY (tenant, id)); COMMENT ON CONSTRAINT a_pkey ON a IS 'the key';"
        "CREATE TABLE o (a_id int, tenant int NOT NULL DEFAULT 1,"
        " FOREIGN KEY (tenant, a_id) REFERENCES a);",
    )  # fmt: skip
    steps = sqls(plan)
    assert (
        "CREATE UNIQUE INDEX CONCURRENTLY a_pkey_new ON public.a USING btree (tenant, id);" in steps
    )
    swap = "\n".join([
        "ALTER TABLE public.a DROP CONSTRAINT a_pkey;",
        "ALTER INDEX public.a_pkey_new RENAME TO a_pkey;",
        "ALTER TABLE public.a ADD CONSTRAINT a_pkey PRIMARY KEY USING INDEX a_pkey;",
    ])  # fmt: skip
    assert swap in steps
    assert steps.index(swap) > steps.index(
        "ALTER TABLE public.o VALIDATE CONSTRAINT o_tenant_a_id_fkey;"
    )
    assert not any("ADD CONSTRAINT a_pkey PRIMARY KEY (" in step for step in steps)
    (built,) = (s for s in plan.steps if s.sql.startswith("CREATE UNIQUE INDEX CONCURRENTLY"))
    assert not built.transactional and built.hazard_kinds == {"index_build"}
    assert [c.kind for c in built.preconditions] == ["unique", "no_nulls"]


def test_a_key_replaced_over_the_same_columns_that_foreign_keys_reference_is_rebuilt_in_place(
    server: Server, database: str, schema_dir: Path
) -> None:
    """A foreign key re-added over the same columns could stand on either index, and
    the old one could then not be dropped: that key is replaced in one statement."""
    plan = round_trip(
        server.url, database, schema_dir,
        "CREATE TABLE a (id int PRIMARY KEY, note text); CREATE TABLE o (a_id int REFERENCES a);",
        "CREATE TABLE a (id int, note text, PRIMARY KEY (id) INCLUDE (note));"
        "CREATE TABLE o (a_id int REFERENCES a);",
    )  # fmt: skip
    assert "ALTER TABLE public.a ADD CONSTRAINT a_pkey PRIMARY KEY (id) INCLUDE (note);" in sqls(
        plan
    )


EVENTS = """CREATE TABLE ev (id bigint NOT NULL, at date NOT NULL, v text{key}) PARTITION BY RANGE (at);
CREATE TABLE ev_2026 PARTITION OF ev FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE ev_2027 PARTITION OF ev FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');"""


def test_a_new_key_on_a_partitioned_table_adopts_keys_built_concurrently_on_its_partitions(
    server: Server, database: str, schema_dir: Path
) -> None:
    """ADD PRIMARY KEY on a partitioned table builds every partition's index under ACCESS
    EXCLUSIVE. Each partition that holds rows gets its key from an index built
    concurrently; the parent's key then adopts them without reading a row. A partition
    the plan creates is empty, and a foreign key to the new key comes after it."""
    plan = round_trip(
        server.url, database, schema_dir,
        EVENTS.format(key="") + "INSERT INTO ev VALUES (1, '2026-05-01', 'a'), (2, '2027-05-01', 'b');"
        "CREATE TABLE seen (ev_id bigint, ev_at date);",
        EVENTS.format(key=", PRIMARY KEY (id, at)")
        + "CREATE TABLE ev_2028 PARTITION OF ev FOR VALUES FROM ('2028-01-01') TO ('2029-01-01');"
        "CREATE TABLE seen (ev_id bigint, ev_at date, FOREIGN KEY (ev_id, ev_at) REFERENCES ev);",
    )  # fmt: skip
    steps = sqls(plan)
    builds = [
        "CREATE UNIQUE INDEX CONCURRENTLY ev_2026_pkey ON public.ev_2026 USING btree (id, at);",
        "CREATE UNIQUE INDEX CONCURRENTLY ev_2027_pkey ON public.ev_2027 USING btree (id, at);",
    ]
    keys = [
        "ALTER TABLE public.ev_2026 ADD CONSTRAINT ev_2026_pkey PRIMARY KEY USING INDEX ev_2026_pkey;",
        "ALTER TABLE public.ev_2027 ADD CONSTRAINT ev_2027_pkey PRIMARY KEY USING INDEX ev_2027_pkey;",
    ]
    parent = (
        "ALTER TABLE public.ev ADD CONSTRAINT ev_pkey PRIMARY KEY (id, at);"
        "  -- adopts public.ev_2026_pkey, public.ev_2027_pkey"
    )
    assert all(step in steps for step in [*builds, *keys, parent])
    assert max(steps.index(s) for s in builds) < min(steps.index(s) for s in keys)
    assert max(steps.index(s) for s in keys) < steps.index(parent)
    (foreign_key,) = (s for s in steps if "seen_ev_id_ev_at_fkey FOREIGN KEY" in s)
    assert steps.index(parent) < steps.index(foreign_key)
    (adopting,) = (s for s in plan.steps if s.sql == parent)
    assert adopting.hazard_kinds == {"access_exclusive_lock"}


def test_a_new_primary_key_over_a_nullable_column_of_a_partitioned_table_is_added_in_one_statement(
    server: Server, database: str, schema_dir: Path
) -> None:
    """Making a column NOT NULL online comes after the foreign keys: a key that needs it
    stays one statement, which the foreign keys over it need first."""
    plan = round_trip(
        server.url, database, schema_dir,
        EVENTS.format(key="").replace("id bigint NOT NULL", "id bigint"),
        EVENTS.format(key=", PRIMARY KEY (id, at)"),
    )  # fmt: skip
    assert "ALTER TABLE public.ev ADD CONSTRAINT ev_pkey PRIMARY KEY (id, at);" in sqls(plan)
    assert not any("CONCURRENTLY" in step for step in sqls(plan))


def test_a_changed_index_is_built_beside_the_old_one_and_swapped_in(
    server: Server, database: str, schema_dir: Path
) -> None:
    """Dropped first, the index left the table without it for the length of the build:
    queries that need it scan, and a unique one lets duplicates in meanwhile. The new
    index is built concurrently under another name; only then is the old one dropped
    (concurrently too) and the new one given its name."""
    plan = round_trip(
        server.url, database, schema_dir,
        "CREATE TABLE u (id int, email text, tenant int); INSERT INTO u VALUES (1, 'a', 1);"
        "CREATE UNIQUE INDEX u_email ON u (email); CREATE INDEX u_tenant ON u (tenant);"
        "COMMENT ON INDEX u_tenant IS 'by tenant';",
        "CREATE TABLE u (id int, email text, tenant int);"
        "CREATE UNIQUE INDEX u_email ON u (lower(email)); CREATE INDEX u_tenant ON u (tenant, id);"
        "COMMENT ON INDEX u_tenant IS 'by tenant';",
    )  # fmt: skip
    assert sqls(plan) == [
        "CREATE UNIQUE INDEX CONCURRENTLY u_email_new ON public.u USING btree (lower(email));",
        "CREATE INDEX CONCURRENTLY u_tenant_new ON public.u USING btree (tenant, id);",
        "DROP INDEX CONCURRENTLY IF EXISTS public.u_email;",
        "DROP INDEX CONCURRENTLY IF EXISTS public.u_tenant;",
        "ALTER INDEX public.u_email_new RENAME TO u_email;",
        "ALTER INDEX public.u_tenant_new RENAME TO u_tenant;",
        "COMMENT ON INDEX public.u_tenant IS 'by tenant';",
    ]
    assert [step.transactional for step in plan.steps] == [False] * 4 + [True] * 3
    (email,) = (s for s in plan.steps if "u_email_new" in s.sql and "CREATE" in s.sql)
    assert [c.kind for c in email.preconditions] == ["unique"]


def test_a_changed_index_a_foreign_key_stands_on_or_whose_new_name_is_taken_is_built_again(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url, database, schema_dir,
        "CREATE TABLE p (id int, n int); CREATE UNIQUE INDEX p_id ON p (id);"
        "CREATE TABLE c (p_id int REFERENCES p (id)); CREATE TABLE q (a int, b int);"
        "CREATE INDEX q_a ON q (a); CREATE TABLE q_a_new (a int);",
        "CREATE TABLE p (id int, n int); CREATE UNIQUE INDEX p_id ON p (id) INCLUDE (n);"
        "CREATE TABLE c (p_id int REFERENCES p (id)); CREATE TABLE q (a int, b int);"
        "CREATE INDEX q_a ON q (a, b); CREATE TABLE q_a_new (a int);",
    )  # fmt: skip
    steps = sqls(plan)
    assert "DROP INDEX CONCURRENTLY IF EXISTS public.q_a;" in steps
    assert "CREATE INDEX CONCURRENTLY q_a ON public.q USING btree (a, b);" in steps
    assert "DROP INDEX CONCURRENTLY IF EXISTS public.p_id;" in steps
    assert not any("RENAME" in step for step in steps)


def test_a_changed_index_over_a_column_that_changes_type_is_dropped_first(
    server: Server, database: str, schema_dir: Path
) -> None:
    """ALTER COLUMN ... TYPE rebuilds every index over the column under its lock: the
    old index goes before it, not after."""
    plan = round_trip(
        server.url, database, schema_dir,
        "CREATE TABLE q (a int, b int); CREATE INDEX q_a ON q (a);",
        "CREATE TABLE q (a bigint, b int); CREATE INDEX q_a ON q (a, b);",
    )  # fmt: skip
    assert sqls(plan) == [
        "DROP INDEX CONCURRENTLY IF EXISTS public.q_a;",
        "ALTER TABLE public.q ALTER COLUMN a TYPE bigint USING a::bigint;",
        "CREATE INDEX CONCURRENTLY q_a ON public.q USING btree (a, b);",
    ]


def test_a_key_replaced_over_a_column_that_changes_type_is_replaced_in_one_statement(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url, database, schema_dir,
        "CREATE TABLE k (id int PRIMARY KEY, n int);",
        "CREATE TABLE k (id bigint, n int, PRIMARY KEY (id, n));",
    )  # fmt: skip
    assert sqls(plan)[0] == "ALTER TABLE public.k DROP CONSTRAINT k_pkey;"
    assert "ALTER TABLE public.k ADD CONSTRAINT k_pkey PRIMARY KEY (id, n);" in sqls(plan)


# A view over two tables, dropped and created again because a column it shows changes type.
RETYPED_VIEW_BEFORE = """
CREATE TABLE t (id int PRIMARY KEY, owner text NOT NULL, body text);
CREATE TABLE u (id int PRIMARY KEY, t_id int, kind int);
CREATE VIEW v AS SELECT t.id, t.owner, u.kind FROM t JOIN u ON u.t_id = t.id;
CREATE INDEX t_body ON t (body);
"""


def test_builds_that_need_nothing_the_migration_changes_run_before_anything_is_dropped(
    server: Server, database: str, schema_dir: Path
) -> None:
    # Each build commits what came before it: built after DROP VIEW, the view would be
    # missing for as long as they ran.
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        RETYPED_VIEW_BEFORE,
        RETYPED_VIEW_BEFORE.replace("kind int", "kind bigint").replace(
            "CREATE INDEX t_body ON t (body);",
            "CREATE INDEX t_body ON t (lower(body)); CREATE INDEX t_owner ON t (owner);"
            " ALTER TABLE t ADD CONSTRAINT t_owner_body UNIQUE (owner, body);",
        ),
    )
    statements = sqls(plan)
    assert statements[:3] == [
        "CREATE UNIQUE INDEX CONCURRENTLY t_owner_body ON public.t USING btree (owner, body);",
        "CREATE INDEX CONCURRENTLY t_owner ON public.t USING btree (owner);",
        "CREATE INDEX CONCURRENTLY t_body_new ON public.t USING btree (lower(body));",
    ]
    assert statements[3] == "DROP VIEW public.v;"
    # The old index goes only once the new one is there, as before.
    assert statements.index("DROP INDEX CONCURRENTLY IF EXISTS public.t_body;") > 3


def test_a_build_on_a_table_the_migration_rewrites_stays_after_the_rewrite(
    server: Server, database: str, schema_dir: Path
) -> None:
    # The rewrite builds every index of the table again, under its lock: one built
    # before it would be built twice.
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        RETYPED_VIEW_BEFORE,
        RETYPED_VIEW_BEFORE.replace("kind int", "kind bigint") + "CREATE INDEX u_t ON u (t_id);",
    )
    statements = sqls(plan)
    rewrite = statements.index(
        "ALTER TABLE public.u ALTER COLUMN kind TYPE bigint USING kind::bigint;"
    )
    build = statements.index("CREATE INDEX CONCURRENTLY u_t ON public.u USING btree (t_id);")
    assert statements[0] == "DROP VIEW public.v;"
    assert rewrite < build
    # The reviewer is told what is missing meanwhile.
    assert [h.reason for h in plan.steps[build].hazards if h.kind == "dependent_recreate"] == [
        "missing while this runs: view public.v (dropped before it, created again after it)"
    ]


@pytest.mark.parametrize(
    ("added", "build"),
    [
        pytest.param(
            "ALTER TABLE t ADD COLUMN tag text; CREATE INDEX t_tag ON t (tag);",
            "CREATE INDEX CONCURRENTLY t_tag ON public.t USING btree (tag);",
            id="over a column it adds",
        ),
        pytest.param(
            "CREATE FUNCTION norm(text) RETURNS text IMMUTABLE LANGUAGE sql"
            " RETURN lower($1); CREATE INDEX t_norm ON t (norm(owner));",
            "CREATE INDEX CONCURRENTLY t_norm ON public.t USING btree (public.norm(owner));",
            id="calling a routine it creates",
        ),
        pytest.param(
            "CREATE COLLATION bytes (locale = 'C'); CREATE INDEX t_c ON t (owner COLLATE bytes);",
            "CREATE INDEX CONCURRENTLY t_c ON public.t USING btree (owner COLLATE public.bytes);",
            id="naming a collation it creates",
        ),
    ],
)
def test_a_build_that_needs_what_the_migration_makes_keeps_its_place(
    server: Server, database: str, schema_dir: Path, added: str, build: str
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        RETYPED_VIEW_BEFORE,
        RETYPED_VIEW_BEFORE.replace("kind int", "kind bigint") + added,
    )
    statements = sqls(plan)
    assert statements[0] == "DROP VIEW public.v;"
    assert build in statements


def test_builds_keep_their_place_where_nothing_is_dropped_and_created_again(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        RETYPED_VIEW_BEFORE,
        RETYPED_VIEW_BEFORE
        + "ALTER TABLE u ADD COLUMN note text; CREATE INDEX t_owner ON t (owner);",
    )
    assert sqls(plan) == [
        "ALTER TABLE public.u ADD COLUMN note text;",
        "CREATE INDEX CONCURRENTLY t_owner ON public.t USING btree (owner);",
    ]
