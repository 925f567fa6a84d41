"""Reading schema/: statements, positions, refusals and load order (no database needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemactl.errors import SchemactlError, SchemaSourceError
from schemactl.source import read_desired_state


def write(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def names(folder: Path) -> list[str]:
    return [f"{s.path.name}:{s.location().line}" for s in read_desired_state(folder)]


def test_files_are_read_recursively_in_path_order(schema_dir: Path) -> None:
    write(schema_dir, "b/2.sql", "CREATE TABLE b2 (id int);")
    write(schema_dir, "a.sql", "CREATE TABLE a (id int);")
    write(schema_dir, "b/1.sql", "CREATE TABLE b1 (id int);")
    assert names(schema_dir) == ["a.sql:1", "1.sql:1", "2.sql:1"]


def test_a_file_may_reference_objects_of_a_later_file(schema_dir: Path) -> None:
    write(
        schema_dir,
        "00_comments.sql",
        "COMMENT ON TABLE trips IS 'x';\nCREATE INDEX ON trips (user_id);",
    )
    write(schema_dir, "10_trips.sql", "CREATE TABLE trips (id int, user_id int REFERENCES users);")
    write(schema_dir, "20_users.sql", "CREATE TABLE users (id int PRIMARY KEY);")
    assert names(schema_dir) == [
        "20_users.sql:1",
        "10_trips.sql:1",
        "00_comments.sql:1",
        "00_comments.sql:2",
    ]


def test_schemas_and_extensions_load_before_what_uses_them(schema_dir: Path) -> None:
    write(schema_dir, "a.sql", "CREATE TABLE app.t (id int);")
    write(schema_dir, "z.sql", "CREATE SCHEMA app;\nCREATE EXTENSION citext;")
    assert names(schema_dir) == ["z.sql:1", "z.sql:2", "a.sql:1"]


def test_a_syntax_error_names_file_line_and_column(schema_dir: Path) -> None:
    write(schema_dir, "t.sql", "CREATE TABLE a (id int);\n\nCREATE TABLE b (id intt,, x);\n")
    with pytest.raises(SchemaSourceError) as error:
        read_desired_state(schema_dir)
    assert str(error.value) == f'{schema_dir / "t.sql"}:3:25: syntax error at or near ","'


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ("INSERT INTO t VALUES (1);", "INSERT"),
        ("UPDATE t SET a = 1;", "UPDATE"),
        ("DELETE FROM t;", "DELETE"),
        ("DROP TABLE t;", "DROP"),
        ("BEGIN;", "transaction control"),
        ("COMMIT;", "transaction control"),
        ("ALTER TABLE t DROP COLUMN a;", "DROP"),
        ("DO $$ BEGIN END $$;", "DO blocks"),
    ],
)
def test_statements_that_are_not_declarative_are_refused_with_their_place(
    schema_dir: Path, statement: str, reason: str
) -> None:
    write(schema_dir, "t.sql", f"CREATE TABLE t (a int);\n  {statement}\n")
    with pytest.raises(SchemaSourceError) as error:
        read_desired_state(schema_dir)
    assert str(error.value).startswith(f"{schema_dir / 't.sql'}:2:3: ")
    assert reason in str(error.value)


def test_the_same_object_defined_twice_names_both_places(schema_dir: Path) -> None:
    write(schema_dir, "a.sql", "CREATE TABLE users (id int);")
    write(schema_dir, "b.sql", "\nCREATE TABLE public.users (id int);")
    with pytest.raises(SchemaSourceError) as error:
        read_desired_state(schema_dir)
    message = str(error.value)
    assert "b.sql:2:1" in message and "a.sql:1:1" in message and "defined twice" in message


def test_a_missing_schema_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SchemactlError, match="does not exist"):
        read_desired_state(tmp_path / "nope")


def test_an_empty_schema_folder_is_an_error_unless_allowed(schema_dir: Path) -> None:
    with pytest.raises(SchemactlError, match="--allow-empty"):
        read_desired_state(schema_dir)
    assert read_desired_state(schema_dir, allow_empty=True) == []


def test_a_trigger_file_may_come_before_its_function(schema_dir: Path) -> None:
    write(
        schema_dir,
        "a.sql",
        "CREATE TRIGGER touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();",
    )
    write(
        schema_dir,
        "b.sql",
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;",
    )
    write(schema_dir, "c.sql", "CREATE TABLE t (id int);")
    assert names(schema_dir) == ["b.sql:1", "c.sql:1", "a.sql:1"]


def test_a_foreign_key_waits_for_the_key_it_references_however_that_key_is_added(
    schema_dir: Path,
) -> None:
    write(
        schema_dir,
        "a_orders.sql",
        "CREATE TABLE orders (id int, user_id int);\n"
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fkey FOREIGN KEY (user_id) REFERENCES users (id);",
    )
    write(
        schema_dir,
        "b_users.sql",
        "CREATE TABLE users (id int, email text);\n"
        "ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY (id);\n"
        "CREATE UNIQUE INDEX users_email_key ON users (email);",
    )
    order = names(schema_dir)
    assert order.index("a_orders.sql:2") > order.index("b_users.sql:2")
    assert order.index("a_orders.sql:2") > order.index("b_users.sql:3")


def test_comments_on_table_members_wait_for_the_members(schema_dir: Path) -> None:
    write(
        schema_dir,
        "a_comments.sql",
        "COMMENT ON CONSTRAINT t_pkey ON t IS 'k';\n"
        "COMMENT ON TRIGGER t_touch ON t IS 'tr';\n"
        "COMMENT ON POLICY t_own ON t IS 'p';\n"
        "ALTER TABLE t DISABLE TRIGGER t_touch;\n"
        "COMMENT ON CONSTRAINT d_check ON DOMAIN d IS 'dc';",
    )
    write(
        schema_dir,
        "b_table.sql",
        "CREATE TABLE t (id int);\n"
        "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY (id);\n"
        "CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f();\n"
        "CREATE POLICY t_own ON t USING (true);\n"
        "CREATE DOMAIN d AS int;\n"
        "ALTER DOMAIN d ADD CONSTRAINT d_check CHECK (VALUE > 0);",
    )
    order = names(schema_dir)
    for member, comment in ((2, 1), (3, 2), (4, 3), (3, 4), (6, 5)):
        assert order.index(f"a_comments.sql:{comment}") > order.index(f"b_table.sql:{member}")


def test_routines_named_in_options_and_owned_by_tables_come_first(schema_dir: Path) -> None:
    write(
        schema_dir,
        "a.sql",
        "CREATE AGGREGATE agg(numeric) (SFUNC = public.acc, STYPE = numeric[]);\n"
        "ALTER SEQUENCE s OWNED BY public.t.id;",
    )
    write(
        schema_dir,
        "b.sql",
        "CREATE FUNCTION acc(numeric[], numeric) RETURNS numeric[] LANGUAGE sql AS 'SELECT $1';\n"
        "CREATE SEQUENCE s;\n"
        "CREATE TABLE t (id int);",
    )
    order = names(schema_dir)
    assert order.index("a.sql:1") > order.index("b.sql:1")
    assert order.index("a.sql:2") > order.index("b.sql:3")
