"""Renames without data loss: declared where the object is defined, planned as RENAME.

``-- @renamed from=old_name`` beside a column, table, index, constraint, view,
function or type (or ``[renamed_from.KIND]`` in schemactl.toml) turns a drop and an
add into ``ALTER ... RENAME``: every row stays, the rollback renames back, and once
it ran the hint changes nothing. Undeclared drops and adds of the same shape are
questioned in the plan's warnings.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from schemactl.errors import SchemaSourceError
from schemactl.source.hints import rename_hints
from schemactl.source.statements import read_statements
from tests.support import (
    Server,
    apply_up,
    catalog_of,
    comparable,
    execute,
    plan_for,
    round_trip,
    run_cli,
    sqls,
    write_schema,
)

Capsys = pytest.CaptureFixture[str]

USERS = """
CREATE TABLE users (
    id serial PRIMARY KEY,
    fullname text NOT NULL CHECK (fullname <> ''),
    email text UNIQUE
);
CREATE INDEX users_fullname_idx ON users (fullname);
CREATE INDEX by_email ON users (lower(email));
CREATE TABLE orders (id serial PRIMARY KEY, user_id int REFERENCES users (id));
INSERT INTO users (fullname, email) VALUES ('Ada Lovelace', 'ada@example.com'),
                                           ('Grace Hopper', 'grace@example.com');
INSERT INTO orders (user_id) VALUES (1), (2), (2);
"""

PEOPLE = """
CREATE TABLE people ( -- @renamed from=users
    id serial PRIMARY KEY,
    full_name text NOT NULL CHECK (full_name <> ''), -- @renamed from=fullname
    email text UNIQUE
);
CREATE INDEX people_full_name_idx ON people (full_name);
-- @renamed from=by_email
CREATE INDEX by_lower_email ON people (lower(email));
CREATE TABLE orders (id serial PRIMARY KEY, user_id int REFERENCES people (id));
"""


def rows(url: str, query: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(query.encode()).fetchall()


def cli(schema_dir: Path, database: str, server: Server) -> list[str]:
    return ["--schema", str(schema_dir), "--database-url", database, "--dev-url", server.url]


def test_a_populated_column_table_and_index_keep_every_row_and_roll_back(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, USERS)
    before = comparable(catalog_of(database))
    write_schema(schema_dir, PEOPLE)
    applied = run_cli(capsys, "apply", *cli(schema_dir, database, server), "--auto-approve")
    assert applied.code == 0, applied.stderr
    assert rows(database, "SELECT id, full_name, email FROM people ORDER BY id") == [
        (1, "Ada Lovelace", "ada@example.com"),
        (2, "Grace Hopper", "grace@example.com"),
    ]
    assert rows(database, "SELECT count(*) FROM orders JOIN people ON people.id = user_id") == [
        (3,)
    ]
    assert run_cli(capsys, "drift", *cli(schema_dir, database, server)).code == 0
    rolled = run_cli(capsys, "rollback", "--database-url", database, "--auto-approve")
    assert rolled.code == 0, rolled.stderr
    assert comparable(catalog_of(database)) == before
    assert rows(database, "SELECT id, fullname FROM users ORDER BY id") == [
        (1, "Ada Lovelace"),
        (2, "Grace Hopper"),
    ]


def test_the_plan_renames_and_drops_nothing(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(database, USERS)
    write_schema(schema_dir, PEOPLE)
    plan = plan_for(server.url, database, schema_dir)
    assert sqls(plan) == [
        "ALTER SEQUENCE public.users_id_seq RENAME TO people_id_seq;",
        "ALTER INDEX public.users_fullname_idx RENAME TO people_full_name_idx;",
        "ALTER TABLE public.users RENAME CONSTRAINT users_pkey TO people_pkey;",
        "ALTER TABLE public.users RENAME CONSTRAINT users_fullname_check TO people_full_name_check;",
        "ALTER TABLE public.users RENAME CONSTRAINT users_email_key TO people_email_key;",
        "ALTER INDEX public.by_email RENAME TO by_lower_email;",
        "ALTER TABLE public.users RENAME TO people;",
        "ALTER TABLE public.people RENAME COLUMN fullname TO full_name;",
    ]
    assert not [h for step in plan.steps for h in step.hazards if h.kind == "data_loss"]
    assert plan.rollback[0].sql == "ALTER TABLE public.people RENAME COLUMN full_name TO fullname;"
    renamed = next(s for s in plan.steps if s.sql.endswith("RENAME COLUMN fullname TO full_name;"))
    assert renamed.subject is not None and renamed.subject.part == "full_name"
    assert [(a.name, a.old, a.new) for a in renamed.attributes] == [
        ("name", "fullname", "full_name")
    ]


def test_a_hint_whose_old_name_is_gone_changes_nothing(
    server: Server, database: str, schema_dir: Path
) -> None:
    """It may stay in the file: on a database that already has the new names, and on an
    empty one, the plan is what it would be without it."""
    write_schema(schema_dir, PEOPLE)
    fresh = plan_for(server.url, database, schema_dir)
    assert not any("RENAME" in sql for sql in sqls(fresh))
    execute(database, USERS)
    apply_up(database, plan_for(server.url, database, schema_dir))
    assert not plan_for(server.url, database, schema_dir).has_changes


def test_renamed_from_in_schemactl_toml_for_one_release(
    server: Server,
    database: str,
    tmp_path: Path,
    schema_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "schemactl.toml").write_text(
        '[renamed_from.column]\n"public.users.full_name" = "fullname"\n'
        '[renamed_from.table]\n"archive" = "old_archive"\n'
    )
    execute(
        database, "CREATE TABLE users (id int, fullname text); CREATE TABLE old_archive (x int);"
    )
    execute(database, "INSERT INTO users VALUES (1, 'Ada'); INSERT INTO old_archive VALUES (7);")
    plan = round_trip(
        server.url, database, schema_dir, "",
        "CREATE TABLE users (id int, full_name text); CREATE TABLE archive (x int);",
    )  # fmt: skip
    assert sqls(plan) == [
        "ALTER TABLE public.old_archive RENAME TO archive;",
        "ALTER TABLE public.users RENAME COLUMN fullname TO full_name;",
    ]


def test_a_drop_and_add_of_the_same_shape_asks_did_you_rename(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, "CREATE TABLE users (id int, fullname text, CONSTRAINT a CHECK (id > 0));")
    write_schema(
        schema_dir, "CREATE TABLE users (id int, full_name text, CONSTRAINT b CHECK (id > 0));"
    )
    result = run_cli(capsys, "plan", *cli(schema_dir, database, server))
    text = " ".join(result.stdout.split())
    assert (
        "did you rename column public.users.fullname to full_name? As planned, fullname is "
        "dropped with its data and full_name created; to rename it instead, declare it on the "
        'line of column full_name: "-- @renamed from=fullname" (or in schemactl.toml: '
        '[renamed_from.column] "public.users.full_name" = "fullname")'
    ) in text
    assert "did you rename constraint public.users.a to b?" in text


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "CREATE TABLE t (a int, CONSTRAINT positive CHECK (a > 0));",
            "CREATE TABLE t (a int, CONSTRAINT a_positive CHECK (a > 0) -- @renamed from=positive\n);",
            "ALTER TABLE public.t RENAME CONSTRAINT positive TO a_positive;",
        ),
        (
            "CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t;",
            "CREATE TABLE t (a int); CREATE VIEW w AS SELECT a FROM t; -- @renamed from=v",
            "ALTER VIEW public.v RENAME TO w;",
        ),
        (
            "CREATE TABLE t (a int); CREATE MATERIALIZED VIEW m AS SELECT a FROM t;",
            "CREATE TABLE t (a int);\n-- @renamed from=m\nCREATE MATERIALIZED VIEW n AS SELECT a FROM t;",
            "ALTER MATERIALIZED VIEW public.m RENAME TO n;",
        ),
        (
            "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'SELECT x';",
            "CREATE FUNCTION g(x int) RETURNS int LANGUAGE sql AS 'SELECT x'; -- @renamed from=f",
            "ALTER FUNCTION public.f(x integer) RENAME TO g;",
        ),
        (
            "CREATE TYPE mood AS ENUM ('ok'); CREATE TABLE t (m mood);",
            "CREATE TYPE feeling AS ENUM ('ok'); -- @renamed from=mood\nCREATE TABLE t (m feeling);",
            "ALTER TYPE public.mood RENAME TO feeling;",
        ),
        (
            "CREATE DOMAIN code AS text CHECK (VALUE <> ''); CREATE TABLE t (c code);",
            "CREATE DOMAIN label AS text CHECK (VALUE <> ''); -- @renamed from=code\n"
            "CREATE TABLE t (c label);",
            "ALTER DOMAIN public.code RENAME TO label;",
        ),
        (
            "CREATE SEQUENCE counter;",
            "CREATE SEQUENCE tally; -- @renamed from=counter",
            "ALTER SEQUENCE public.counter RENAME TO tally;",
        ),
        (
            "CREATE TABLE t (a int);",
            "CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int; -- @renamed from=c",
            "ALTER TABLE public.t ADD COLUMN b integer;",
        ),
        (
            'CREATE TABLE t (a int, "Mixed Case" int);',
            'CREATE TABLE t (a int, "order" int -- @renamed from="Mixed Case"\n);',
            'ALTER TABLE public.t RENAME COLUMN "Mixed Case" TO "order";',
        ),
    ],
    ids=[
        "constraint", "view", "materialized-view", "function", "enum", "domain", "sequence",
        "hint-without-old-name", "quoted-names",
    ],
)  # fmt: skip
def test_each_kind_is_renamed_and_renamed_back(
    server: Server, database: str, schema_dir: Path, old: str, new: str, expected: str
) -> None:
    plan = round_trip(server.url, database, schema_dir, old, new)
    assert expected in sqls(plan)
    assert not any(s.sql.startswith("DROP") for s in plan.steps)


def test_a_hint_belongs_to_the_definition_it_stands_by(tmp_path: Path) -> None:
    path = write_schema(
        tmp_path,
        """-- @renamed from=users
CREATE TABLE people (
  id bigint, -- @renamed from=ident
  -- @renamed from=fullname
  full_name text,
  CONSTRAINT named CHECK (id > 0), -- @renamed from="Old Check"
  email text /* @renamed from=mail */
);
CREATE TABLE t2 (a int); -- @renamed from=t1
CREATE INDEX people_email_idx ON people (email); -- @renamed from=users_email_idx
ALTER TABLE t2 ADD COLUMN b int; -- @renamed from=bb
CREATE TABLE p (
  a int
) -- @renamed from=q
;
""",
    )
    found = [(h.kind, h.qualified, h.old) for h in rename_hints(read_statements(path))]
    assert found == [
        ("table", "public.people", "users"),
        ("column", "public.people.id", "ident"),
        ("column", "public.people.full_name", "fullname"),
        ("constraint", "public.people.named", "Old Check"),
        ("column", "public.people.email", "mail"),
        ("table", "public.t2", "t1"),
        ("index", "public.people_email_idx", "users_email_idx"),
        ("column", "public.t2.b", "bb"),
        ("table", "public.p", "q"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("CREATE TABLE t (a int); -- @renamed fullname", "1:28: a rename hint reads"),
        ("CREATE TABLE t (a int -- @renamed from=s.x\n);", "1:26: a rename hint reads"),
        ("GRANT SELECT ON t TO PUBLIC; -- @renamed from=x", "1:1: rename hints apply to tables"),
        ("CREATE TABLE t (a int, CHECK (a > 0) -- @renamed from=x\n);", "name the constraint"),
    ],
)
def test_a_hint_that_cannot_apply_is_a_source_error(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write_schema(tmp_path, text)
    with pytest.raises(SchemaSourceError, match=message):
        rename_hints(read_statements(path))


def test_migrate_diff_writes_the_rename_and_its_way_back(
    server: Server, database: str, tmp_path: Path, capsys: Capsys
) -> None:
    schema, migrations = tmp_path / "schema", tmp_path / "migrations"
    schema.mkdir()
    write_schema(schema, "CREATE TABLE users (id int PRIMARY KEY, fullname text);")

    def migrate(*args: str) -> None:
        result = run_cli(capsys, "migrate", *args, "--migrations", str(migrations))
        assert result.code == 0, result.stderr

    migrate("diff", "initial", "--schema", str(schema), "--dev-url", server.url)
    migrate("apply", "--database-url", database)
    execute(database, "INSERT INTO users VALUES (1, 'Ada')")
    write_schema(
        schema,
        "CREATE TABLE users (id int PRIMARY KEY, full_name text -- @renamed from=fullname\n);",
    )
    migrate("diff", "rename_fullname", "--schema", str(schema), "--dev-url", server.url)
    up = next(migrations.glob("*_rename_fullname.up.sql")).read_text()
    down = next(migrations.glob("*_rename_fullname.down.sql")).read_text()
    assert "ALTER TABLE public.users RENAME COLUMN fullname TO full_name;" in up
    assert "DROP" not in up and "NOT REVERSIBLE" not in down
    assert "ALTER TABLE public.users RENAME COLUMN full_name TO fullname;" in down
    migrate("apply", "--database-url", database)
    assert rows(database, "SELECT id, full_name FROM users") == [(1, "Ada")]
