"""NOT NULL constraints have names from PostgreSQL 18 on, and are kept as declared.

PostgreSQL 18 records every NOT NULL as a constraint (``pg_constraint.contype =
'n'``) with a name, which ``CREATE TABLE ... LIKE``, partitions and inheritance take
from the table they copy, and which may be ``NO INHERIT`` or ``NOT VALID``. pg_dump
prints the names PostgreSQL would not choose by itself. schemactl creates, renames,
validates and comments them as the schema declares; a plan between an older major
version and 18 never shows them.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import conninfo, sql

from tests.conftest import ServerPool
from tests.support import (
    Server,
    execute,
    load_schema_folder,
    plan_for,
    round_trip,
    run_cli,
    schema_dump,
    sqls,
    write_schema,
)

TEMPLATE = """
CREATE TABLE public.stamps (
    created_at timestamptz NOT NULL DEFAULT now(),
    note text CONSTRAINT note_given NOT NULL
);
"""
LIKE_TABLES = (
    TEMPLATE
    + """
CREATE TABLE public.products (id int PRIMARY KEY, LIKE public.stamps INCLUDING DEFAULTS);
CREATE TABLE public.readings (band int NOT NULL, value int NOT NULL) PARTITION BY LIST (band);
CREATE TABLE public.readings_1 PARTITION OF public.readings FOR VALUES IN (1);
"""
)
# A partition attached after it was created on its own keeps the names it had then.
ATTACHED = """
CREATE TABLE public.p (band int NOT NULL, geom int NOT NULL) PARTITION BY LIST (band);
CREATE TABLE public.p_12 (band int NOT NULL, geom int NOT NULL);
ALTER TABLE public.p ATTACH PARTITION public.p_12 FOR VALUES IN (12);
"""
CREATED_AS_PARTITION = """
CREATE TABLE public.p (band int NOT NULL, geom int NOT NULL) PARTITION BY LIST (band);
CREATE TABLE public.p_12 PARTITION OF public.p FOR VALUES IN (12);
"""


def not_null_names(url: str, table: str) -> list[tuple[str, str, bool, bool]]:
    """(column, constraint, NO INHERIT, validated) of a table's NOT NULL constraints."""
    with psycopg.connect(url) as conn:
        return [
            (str(r[0]), str(r[1]), bool(r[2]), bool(r[3]))
            for r in conn.execute(
                "SELECT a.attname, c.conname, c.connoinherit, c.convalidated"
                " FROM pg_constraint c JOIN pg_attribute a"
                "   ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
                " WHERE c.contype = 'n' AND c.conrelid = %s::regclass ORDER BY a.attnum",
                (table,),
            )
        ]


def loaded_directly(server_url: str, schema_dir: Path) -> list[str]:
    """pg_dump's schema of a database built by running the schema's files by hand."""
    name = f"direct_{secrets.token_hex(5)}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    url = conninfo.make_conninfo(server_url, dbname=name)
    try:
        load_schema_folder(url, schema_dir)
        return schema_dump(url)
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.mark.version_matrix
def test_tables_made_with_like_and_partitions_are_built_as_pg_dump_shows_them(
    server: Server, database: str, schema_dir: Path
) -> None:
    """On 18 the LIKE table's NOT NULLs are named after the template's; on older
    versions there are no names: either way, the same schema as loaded by hand."""
    round_trip(server.url, database, schema_dir, TEMPLATE, LIKE_TABLES)  # up, then down

    apply_again = plan_for(server.url, database, schema_dir)
    for step in apply_again.steps:
        execute(database, step.sql)
    assert schema_dump(database) == loaded_directly(server.url, schema_dir)


def test_a_table_made_with_like_gets_the_templates_names(
    database_on_18: tuple[str, str], schema_dir: Path
) -> None:
    server_url, target = database_on_18

    plan = round_trip(server_url, target, schema_dir, TEMPLATE, LIKE_TABLES)

    [create] = [s for s in sqls(plan) if s.startswith("CREATE TABLE public.products")]
    assert "created_at timestamp with time zone DEFAULT now() CONSTRAINT " in create
    assert "stamps_created_at_not_null NOT NULL" in create
    assert "note text CONSTRAINT note_given NOT NULL" in create
    assert "id integer NOT NULL" in create  # the name PostgreSQL chooses is not said
    apply = plan_for(server_url, target, schema_dir)
    for step in apply.steps:
        execute(target, step.sql)
    assert not_null_names(target, "public.products") == [
        ("id", "products_id_not_null", False, True),
        ("created_at", "stamps_created_at_not_null", False, True),
        ("note", "note_given", False, True),
    ]


def test_a_not_null_constraint_named_otherwise_is_renamed_in_place(
    database_on_18: tuple[str, str], schema_dir: Path
) -> None:
    server_url, target = database_on_18

    plan = round_trip(
        server_url, target, schema_dir,
        "CREATE TABLE public.t (a int CONSTRAINT a_required NOT NULL);",
        "CREATE TABLE public.t (a int CONSTRAINT a_present NOT NULL);",
    )  # fmt: skip

    assert sqls(plan) == ["ALTER TABLE public.t RENAME CONSTRAINT a_required TO a_present;"]
    assert plan.steps[0].hazards == ()


def test_an_attached_partition_is_detached_to_take_its_parents_names(
    database_on_18: tuple[str, str], schema_dir: Path
) -> None:
    """PostgreSQL renames an inherited constraint only through its parent: the
    partition leaves the parent for the rename, and ATTACH scans it once more."""
    server_url, target = database_on_18

    plan = round_trip(server_url, target, schema_dir, ATTACHED, CREATED_AS_PARTITION)

    assert sqls(plan) == [
        "ALTER TABLE public.p DETACH PARTITION public.p_12;",
        "ALTER TABLE public.p_12 RENAME CONSTRAINT p_12_band_not_null TO p_band_not_null;",
        "ALTER TABLE public.p_12 RENAME CONSTRAINT p_12_geom_not_null TO p_geom_not_null;",
        "ALTER TABLE public.p ATTACH PARTITION public.p_12 FOR VALUES IN (12);",
    ]
    assert {h.kind for h in plan.steps[-1].hazards} == {"validation_scan", "access_exclusive_lock"}
    assert "to rename its NOT NULL constraints" in plan.steps[-1].hazards[0].reason


def test_a_partition_created_anew_keeps_names_of_its_own(
    database_on_18: tuple[str, str], schema_dir: Path
) -> None:
    """A partition schema/ attaches after creating it on its own is created as a
    partition, its own names said."""
    server_url, target = database_on_18

    plan = round_trip(server_url, target, schema_dir, "", ATTACHED)

    [create] = [s for s in sqls(plan) if s.startswith("CREATE TABLE public.p_12")]
    assert "CONSTRAINT p_12_band_not_null NOT NULL band" in create
    for step in plan_for(server_url, target, schema_dir).steps:
        execute(target, step.sql)
    assert not_null_names(target, "public.p_12") == [
        ("band", "p_12_band_not_null", False, True),
        ("geom", "p_12_geom_not_null", False, True),
    ]
    assert schema_dump(target) == loaded_directly(server_url, schema_dir)


def test_an_inheriting_table_leaves_its_parent_to_take_its_names(
    database_on_18: tuple[str, str], schema_dir: Path
) -> None:
    """An inheriting table with one parent leaves it and joins it again (no scan)."""
    server_url, target = database_on_18
    old = """
    CREATE TABLE public.p (a int NOT NULL);
    CREATE TABLE public.c (a int CONSTRAINT c_a_own NOT NULL);
    ALTER TABLE public.c INHERIT public.p;
    """
    new = """
    CREATE TABLE public.p (a int NOT NULL);
    CREATE TABLE public.c (a int NOT NULL) INHERITS (public.p);
    """

    plan = round_trip(server_url, target, schema_dir, old, new)

    assert sqls(plan) == [
        "ALTER TABLE public.c NO INHERIT public.p;",
        "ALTER TABLE public.c RENAME CONSTRAINT c_a_own TO c_a_not_null;",
        "ALTER TABLE public.c INHERIT public.p;",
    ]
    for step in plan_for(server_url, target, schema_dir).steps:
        execute(target, step.sql)
    assert schema_dump(target) == loaded_directly(server_url, schema_dir)


def test_a_parents_rename_reaches_the_partitions_named_alike(
    database_on_18: tuple[str, str], schema_dir: Path
) -> None:
    server_url, target = database_on_18
    old = """
    CREATE TABLE public.p (band int CONSTRAINT band_old NOT NULL) PARTITION BY LIST (band);
    CREATE TABLE public.p_1 PARTITION OF public.p FOR VALUES IN (1);
    """

    plan = round_trip(server_url, target, schema_dir, old, old.replace("band_old", "band_new"))

    assert sqls(plan) == ["ALTER TABLE public.p RENAME CONSTRAINT band_old TO band_new;"]


def test_a_new_column_and_a_new_not_null_take_the_declared_names(
    database_on_18: tuple[str, str], schema_dir: Path
) -> None:
    server_url, target = database_on_18

    plan = round_trip(
        server_url, target, schema_dir,
        "CREATE TABLE public.t (a int, c int);",
        "CREATE TABLE public.t (a int CONSTRAINT a_given NOT NULL,"
        " b int CONSTRAINT b_given NOT NULL DEFAULT 0, c int NOT NULL);",
        online=False,
    )  # fmt: skip
    online = plan_for(server_url, target, schema_dir, online=True)

    assert sqls(plan) == [
        "ALTER TABLE public.t ADD COLUMN b integer DEFAULT 0 CONSTRAINT b_given NOT NULL;",
        "ALTER TABLE public.t ADD CONSTRAINT a_given NOT NULL a;",
        "ALTER TABLE public.t ALTER COLUMN c SET NOT NULL;",
    ]
    # Online, a validated check proves the rows first; the named constraint follows.
    assert "ALTER TABLE public.t ADD CONSTRAINT a_given NOT NULL a;" in sqls(online)
    assert "ALTER TABLE public.t VALIDATE CONSTRAINT schemactl_nn_a;" in sqls(online)


def test_no_inherit_not_valid_and_comments_are_created_as_declared(
    database_on_18: tuple[str, str], schema_dir: Path
) -> None:
    server_url, target = database_on_18
    new = """
    CREATE TABLE public.t (a int, b int CONSTRAINT b_kept NOT NULL NO INHERIT);
    ALTER TABLE public.t ADD CONSTRAINT a_unchecked NOT NULL a NOT VALID;
    COMMENT ON CONSTRAINT b_kept ON public.t IS 'only here';
    """

    plan = round_trip(server_url, target, schema_dir, "", new)

    assert sqls(plan) == [
        "CREATE TABLE public.t (\n    a integer,\n"
        "    b integer CONSTRAINT b_kept NOT NULL NO INHERIT\n);",
        "ALTER TABLE public.t ADD CONSTRAINT a_unchecked NOT NULL a NOT VALID;",
        "COMMENT ON CONSTRAINT b_kept ON public.t IS 'only here';",
    ]
    for step in plan_for(server_url, target, schema_dir).steps:
        execute(target, step.sql)
    assert schema_dump(target) == loaded_directly(server_url, schema_dir)


def test_an_unchecked_not_null_is_validated_and_no_inherit_altered_in_place(
    database_on_18: tuple[str, str], schema_dir: Path
) -> None:
    server_url, target = database_on_18
    old = """
    CREATE TABLE public.t (a int, b int CONSTRAINT b_nn NOT NULL);
    ALTER TABLE public.t ADD CONSTRAINT a_nn NOT NULL a NOT VALID;
    """
    new = "CREATE TABLE public.t (a int CONSTRAINT a_nn NOT NULL, b int CONSTRAINT b_nn NOT NULL NO INHERIT);"

    plan = round_trip(server_url, target, schema_dir, old, new)

    assert sqls(plan) == [
        "ALTER TABLE public.t ALTER CONSTRAINT b_nn NO INHERIT;",
        "ALTER TABLE public.t VALIDATE CONSTRAINT a_nn;",
    ]
    # The rollback cannot un-check a constraint: it drops it and adds it NOT VALID again.
    assert "ALTER TABLE public.t ADD CONSTRAINT a_nn NOT NULL a NOT VALID;" in plan.down_sql()


@pytest.fixture
def on_17_and_18(servers: ServerPool) -> Iterator[dict[int, tuple[str, str]]]:
    """A new database on the suite's PostgreSQL 17 and 18 servers: {major: (server, db)}."""
    made: dict[int, tuple[str, str]] = {}
    for major in (17, 18):
        server_url = servers.get(major).url
        name = f"nn{major}_{secrets.token_hex(5)}"
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name))
            )
        made[major] = (server_url, conninfo.make_conninfo(server_url, dbname=name))
    yield made
    for server_url, url in made.values():
        name = conninfo.conninfo_to_dict(url)["dbname"]
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def test_not_null_names_are_no_difference_between_17_and_18(
    on_17_and_18: dict[int, tuple[str, str]], schema_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Checked with a dev server of the other major version: 17 has no names to compare."""
    write_schema(schema_dir, LIKE_TABLES)
    for target_major, dev_major in ((18, 17), (17, 18)):
        target = on_17_and_18[target_major][1]
        load_schema_folder(target, schema_dir)
        planned = run_cli(
            capsys, "plan", "--schema", str(schema_dir), "--database-url", target,
            "--dev-url", on_17_and_18[dev_major][0], "--allow-version-mismatch",
            "--format", "json",
        )  # fmt: skip

        assert planned.code == 0, planned.stdout + planned.stderr
        assert json.loads(planned.stdout)["steps"] == [], (target_major, dev_major)
