"""Constraints: primary, unique, check, foreign key, exclusion — compared as PostgreSQL prints them."""

from __future__ import annotations

from pathlib import Path

from tests.support import Server, plan_for, round_trip, sqls

USERS = "CREATE TABLE users (id int PRIMARY KEY, email text);"


def test_constraints_of_a_new_table_follow_it(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "",
        USERS
        + "CREATE TABLE trips (id int PRIMARY KEY, user_id int REFERENCES users ON DELETE CASCADE,"
        " starts date, ends date, CHECK (ends >= starts));",
    )
    assert [s for s in sqls(plan) if "CONSTRAINT" in s] == [
        "ALTER TABLE public.trips ADD CONSTRAINT trips_check CHECK ((ends >= starts));",
        "ALTER TABLE public.trips ADD CONSTRAINT trips_pkey PRIMARY KEY (id);",
        "ALTER TABLE public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);",
        "ALTER TABLE public.trips ADD CONSTRAINT trips_user_id_fkey FOREIGN KEY (user_id) "
        "REFERENCES public.users(id) ON DELETE CASCADE;",
    ]


def test_a_changed_check_is_dropped_and_added(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE t (price numeric CONSTRAINT price_positive CHECK (price > 0));",
        "CREATE TABLE t (price numeric CONSTRAINT price_positive CHECK (price >= 1));",
        online=False,
    )
    assert sqls(plan) == [
        "ALTER TABLE public.t DROP CONSTRAINT price_positive;",
        "ALTER TABLE public.t ADD CONSTRAINT price_positive CHECK ((price >= (1)::numeric));",
    ]
    assert "validation_scan" in plan.steps[1].hazard_kinds


def test_an_in_list_check_on_varchar_does_not_flap(
    server: Server, database: str, schema_dir: Path
) -> None:
    """PostgreSQL prints this check differently once re-created from its own printout."""
    new = "CREATE TABLE t (status varchar(20) CHECK (status IN ('a', 'b')));"
    plan = round_trip(server.url, database, schema_dir, "", new)
    assert len(plan.steps) == 2


def test_foreign_key_actions_and_deferrability_are_part_of_the_definition(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        USERS + "CREATE TABLE s (u int CONSTRAINT s_u_fkey REFERENCES users);",
        USERS + "CREATE TABLE s (u int CONSTRAINT s_u_fkey REFERENCES users ON DELETE SET NULL"
        " DEFERRABLE INITIALLY DEFERRED);",
        online=False,
    )
    assert sqls(plan) == [
        "ALTER TABLE public.s DROP CONSTRAINT s_u_fkey;",
        "ALTER TABLE public.s ADD CONSTRAINT s_u_fkey FOREIGN KEY (u) REFERENCES public.users(id) "
        "ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;",
    ]


def test_mutual_foreign_keys_are_added_after_both_tables(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "",
        "CREATE TABLE a (id int PRIMARY KEY, b_id int);"
        "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);"
        "ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b;",
    )
    kinds = [s.split()[0] + (" FK" if "FOREIGN KEY" in s else "") for s in sqls(plan)]
    assert kinds.index("ALTER FK") > kinds.index("CREATE") and kinds.count("CREATE") == 2
    assert all(k == "ALTER FK" for k in kinds[-2:])


def test_unique_nulls_not_distinct_and_exclusion_constraints(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE EXTENSION btree_gist; CREATE TABLE r (room int, during tsrange, code text UNIQUE);",
        "CREATE EXTENSION btree_gist; CREATE TABLE r (room int, during tsrange,"
        " code text UNIQUE NULLS NOT DISTINCT, EXCLUDE USING gist (room WITH =, during WITH &&));",
    )
    # online (the default), the unique constraint is swapped for an index built
    # concurrently (tests/test_online.py); offline it is dropped and added
    assert sqls(plan) == [
        "ALTER TABLE public.r ADD CONSTRAINT r_room_during_excl EXCLUDE USING gist "
        "(room WITH =, during WITH &&);",
        "CREATE UNIQUE INDEX CONCURRENTLY r_code_key_new ON public.r USING btree (code)"
        " NULLS NOT DISTINCT;",
        "ALTER TABLE public.r DROP CONSTRAINT r_code_key;\n"
        "ALTER INDEX public.r_code_key_new RENAME TO r_code_key;\n"
        "ALTER TABLE public.r ADD CONSTRAINT r_code_key UNIQUE USING INDEX r_code_key;",
    ]
    assert sqls(plan_for(server.url, database, schema_dir, online=False)) == [
        "ALTER TABLE public.r DROP CONSTRAINT r_code_key;",
        "ALTER TABLE public.r ADD CONSTRAINT r_room_during_excl EXCLUDE USING gist "
        "(room WITH =, during WITH &&);",
        "ALTER TABLE public.r ADD CONSTRAINT r_code_key UNIQUE NULLS NOT DISTINCT (code);",
    ]  # the rollback left the old schema: offline, the key is dropped and added


def test_a_not_valid_constraint_is_validated_in_place(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE t (n int); ALTER TABLE t ADD CONSTRAINT n_pos CHECK (n > 0) NOT VALID;",
        "CREATE TABLE t (n int CONSTRAINT n_pos CHECK (n > 0));",
    )
    assert sqls(plan) == ["ALTER TABLE public.t VALIDATE CONSTRAINT n_pos;"]


def test_a_removed_primary_key_is_dropped(server: Server, database: str, schema_dir: Path) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE t (id int PRIMARY KEY);",
        "CREATE TABLE t (id int);",
    )
    assert sqls(plan) == [
        "ALTER TABLE public.t DROP CONSTRAINT t_pkey;",
        "ALTER TABLE public.t ALTER COLUMN id DROP NOT NULL;",
    ]


def test_foreign_keys_on_a_replaced_unique_key_are_dropped_first_and_added_again(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE cases (id int NOT NULL CONSTRAINT cases_id_key UNIQUE);"
        "CREATE TABLE notes (case_id int CONSTRAINT notes_case_fkey REFERENCES cases (id));",
        "CREATE TABLE cases (id int PRIMARY KEY);"
        "CREATE TABLE notes (case_id int CONSTRAINT notes_case_fkey REFERENCES cases (id));",
        online=False,
    )
    assert sqls(plan) == [
        "ALTER TABLE public.notes DROP CONSTRAINT notes_case_fkey;",
        "ALTER TABLE public.cases DROP CONSTRAINT cases_id_key;",
        "ALTER TABLE public.cases ADD CONSTRAINT cases_pkey PRIMARY KEY (id);",
        "ALTER TABLE public.notes ADD CONSTRAINT notes_case_fkey FOREIGN KEY (case_id) "
        "REFERENCES public.cases(id);",
    ]


def test_a_foreign_key_whose_two_ends_change_type_is_dropped_first_and_added_again(
    server: Server, database: str, schema_dir: Path
) -> None:
    """PostgreSQL checks the key again after each table's ALTER: with only one end
    converted, integer and text do not compare."""
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE cases (id int PRIMARY KEY);"
        "CREATE TABLE notes (id int, case_id int REFERENCES cases);"
        "INSERT INTO cases VALUES (1); INSERT INTO notes VALUES (1, 1);",
        "CREATE TABLE cases (id text PRIMARY KEY);"
        "CREATE TABLE notes (id int, case_id text REFERENCES cases);",
        online=False,
    )
    steps = sqls(plan)
    assert steps[0] == "ALTER TABLE public.notes DROP CONSTRAINT notes_case_id_fkey;"
    assert steps[-1] == (
        "ALTER TABLE public.notes ADD CONSTRAINT notes_case_id_fkey FOREIGN KEY (case_id) "
        "REFERENCES public.cases(id);"
    )
    assert "public.cases it references change type" in plan.steps[0].hazards[0].reason


def test_a_foreign_key_whose_referenced_end_alone_changes_type_stays(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TABLE cases (id int PRIMARY KEY);"
        "CREATE TABLE notes (case_id bigint REFERENCES cases);",
        "CREATE TABLE cases (id bigint PRIMARY KEY);"
        "CREATE TABLE notes (case_id bigint REFERENCES cases);",
    )
    assert sqls(plan) == ["ALTER TABLE public.cases ALTER COLUMN id TYPE bigint USING id::bigint;"]
