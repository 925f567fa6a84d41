"""pg_dump output is a schema folder as it is: ``pg_dump --schema-only > schema/dump.sql``
plans empty against its source. What a dump holds besides declarations is understood
or skipped with a note; what runs code or changes data stays refused with its place."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemactl.errors import SchemaSourceError
from schemactl.source import read_desired_source
from tests.support import Server, execute, pg_dump, run_cli, skip_unless_loads, write_schema

Capsys = pytest.CaptureFixture[str]
pytestmark = pytest.mark.version_matrix  # once per PostgreSQL major version (tests/conftest.py)
EXAMPLE = Path(__file__).resolve().parents[1] / "schema"

RICH = """
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('happy', 'sad');
CREATE DOMAIN app.positive AS integer CHECK (VALUE > 0);
CREATE TABLE app.accounts (id serial PRIMARY KEY, mood app.mood, score app.positive);
CREATE TABLE app.orders (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id integer NOT NULL REFERENCES app.accounts
);
CREATE TABLE app.events (id bigint, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE app.events_rest PARTITION OF app.events DEFAULT;
CREATE INDEX events_at ON app.events (at);
CREATE FUNCTION app.order_count(integer) RETURNS bigint LANGUAGE sql STABLE
    AS $$ SELECT count(*) FROM app.orders WHERE account_id = $1 $$;
CREATE VIEW app.busy AS SELECT a.id, app.order_count(a.id) AS orders FROM app.accounts a;
CREATE MATERIALIZED VIEW app.totals AS SELECT account_id, count(*) AS n FROM app.orders GROUP BY 1;
CREATE UNIQUE INDEX totals_account ON app.totals (account_id);
ALTER TABLE app.orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON app.orders USING (account_id = current_setting('app.account')::int);
COMMENT ON TABLE app.orders IS 'Orders';
CREATE TABLE public.schema_migrations (version character varying NOT NULL PRIMARY KEY);
"""


def plan_folder(
    capsys: Capsys, server: Server, database: str, folder: Path, *extra: str
) -> tuple[int, str, str]:
    result = run_cli(
        capsys, "plan", "--schema", str(folder), "--database-url", database,
        "--dev-url", server.url, "--exit-code", *extra,
    )  # fmt: skip
    return result.code, result.stdout, result.stderr


@pytest.mark.parametrize("options", [(), ("--clean", "--if-exists")], ids=["plain", "clean"])
def test_pg_dump_of_the_example_database_plans_empty_unmodified(
    server: Server, database: str, schema_dir: Path, capsys: Capsys, options: tuple[str, ...]
) -> None:
    skip_unless_loads(server, EXAMPLE)
    args = ["--schema", str(EXAMPLE), "--database-url", database, "--dev-url", server.url]
    assert run_cli(capsys, "apply", *args, "--auto-approve").code == 0
    write_schema(schema_dir, pg_dump(database, *options), "dump.sql")
    code, stdout, stderr = plan_folder(capsys, server, database, schema_dir)
    assert code == 0, stdout + stderr
    assert "No changes" in stdout


@pytest.mark.parametrize("options", [(), ("--clean", "--if-exists")], ids=["plain", "clean"])
def test_pg_dump_with_partitions_views_functions_and_policies_plans_empty(
    server: Server, database: str, schema_dir: Path, capsys: Capsys, options: tuple[str, ...]
) -> None:
    execute(database, RICH)
    write_schema(schema_dir, pg_dump(database, *options), "dump.sql")
    code, stdout, stderr = plan_folder(capsys, server, database, schema_dir)
    assert code == 0, stdout + stderr
    if options:
        assert "pg_dump --clean --if-exists" in stderr


def test_a_rails_structure_sql_plans_empty_and_its_bookkeeping_rows_are_noted(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, RICH)
    structure = (
        pg_dump(database)
        + 'SET search_path TO "$user", public;\n\n'
        + 'INSERT INTO "schema_migrations" (version) VALUES\n'
        + "('20240101000000'),\n('20240102000000');\n\n\n"
    )
    write_schema(schema_dir, structure, "structure.sql")
    code, stdout, stderr = plan_folder(capsys, server, database, schema_dir)
    assert code == 0, stdout + stderr
    line = structure[: structure.index("INSERT INTO")].count("\n") + 1
    assert f"structure.sql:{line}:1): Rails, Ecto, golang-migrate or dbmate bookkeeping" in stderr


def test_pg_dump_create_writes_a_database_and_connects_to_it_and_both_are_skipped(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, "CREATE TABLE t (id int PRIMARY KEY);")
    write_schema(schema_dir, pg_dump(database, "--create"), "dump.sql")
    code, stdout, stderr = plan_folder(capsys, server, database, schema_dir)
    assert code == 0, stdout + stderr
    assert "schemactl works in the database it is pointed at" in stderr


def test_psql_meta_commands_are_blanked_and_positions_stay_right(schema_dir: Path) -> None:
    write_schema(
        schema_dir,
        "\\restrict abc123\n"
        "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ SELECT '\n\\not a command' $$;\n"
        "CREATE TABLE t (note text DEFAULT E'it''s \\\\\n\\x');\n"
        "   \\unrestrict abc123\n",
    )
    state = read_desired_source(schema_dir)
    assert [s.kind for s in state.statements] == ["CreateFunctionStmt", "CreateStmt"]
    assert [(s.location.line, s.reason[:24]) for s in state.skipped] == [
        (1, "psql's \\restrict / \\unre"),
        (6, "psql's \\restrict / \\unre"),
    ]
    write_schema(schema_dir, "\\restrict k\nCREATE TABLE a (id int);\n\nCREATE TABLE b (id intt,, x);\n")  # fmt: skip
    with pytest.raises(SchemaSourceError) as error:
        read_desired_source(schema_dir)
    assert str(error.value).startswith(f"{schema_dir / 'schema.sql'}:4:25: syntax error")


def test_meta_commands_that_do_more_than_steer_psql_are_refused_with_their_place(
    schema_dir: Path,
) -> None:
    write_schema(schema_dir, "CREATE TABLE a (id int);\n  \\i other.sql\n")
    with pytest.raises(SchemaSourceError) as error:
        read_desired_source(schema_dir)
    assert str(error.value).startswith(f"{schema_dir / 'schema.sql'}:2:3: psql meta-command \\i")


@pytest.mark.parametrize(
    ("statement", "refused"),
    [
        ("DROP TABLE IF EXISTS t;", False),
        ("DROP VIEW IF EXISTS v;", False),
        ("ALTER TABLE IF EXISTS ONLY t DROP CONSTRAINT IF EXISTS t_pkey;", False),
        ("ALTER TABLE IF EXISTS t ALTER COLUMN id DROP DEFAULT;", False),
        ("DROP TABLE t;", True),
        ("ALTER TABLE t DROP CONSTRAINT t_pkey;", True),
        ("ALTER TABLE IF EXISTS t ADD COLUMN x int, DROP CONSTRAINT IF EXISTS c;", True),
        ("SELECT pg_catalog.set_config('search_path', '', false);", False),
        ("SELECT set_config('search_path', 'app', false), set_config('a.b', 'c', false);", False),
        ("SELECT set_config('search_path', 'x', false) FROM pg_class;", True),
        ("SELECT pg_catalog.setval('s', 42, true);", True),
        ("INSERT INTO schema_migrations (version) VALUES ('1');", False),
        ("INSERT INTO schema_migrations (version) SELECT relname FROM pg_class;", True),
        ("INSERT INTO users (name) VALUES ('admin');", True),
        ("CREATE SCHEMA public;", False),
        ("CREATE DATABASE other;", False),
        ("ALTER DATABASE other OWNER TO someone;", False),
    ],
)
def test_what_a_dump_holds_besides_declarations(
    schema_dir: Path, statement: str, refused: bool
) -> None:
    write_schema(schema_dir, f"CREATE TABLE t (id int);\n{statement}\n")
    if refused:
        with pytest.raises(SchemaSourceError) as error:
            read_desired_source(schema_dir)
        assert f"{schema_dir / 'schema.sql'}:2:1: " in str(error.value)
        return
    state = read_desired_source(schema_dir)
    assert "CREATE TABLE t (id int)" in [s.sql for s in state.statements]
    assert len(state.statements) + len(state.skipped) == 2


def test_session_settings_load_before_everything_else(schema_dir: Path) -> None:
    write_schema(
        schema_dir,
        "CREATE TABLE app.t (id int);\nSELECT pg_catalog.set_config('search_path', '', false);\n"
        "CREATE SCHEMA app;\n",
    )
    kinds = [s.kind for s in read_desired_source(schema_dir).statements]
    assert kinds == ["SelectStmt", "CreateSchemaStmt", "CreateStmt"]


def test_create_schema_public_states_at_most_its_owner(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(server.url, "DO $$ BEGIN CREATE ROLE public_owner NOLOGIN; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$;")  # fmt: skip
    execute(database, "ALTER SCHEMA public OWNER TO public_owner; CREATE TABLE t (id int);")
    write_schema(
        schema_dir,
        "DROP SCHEMA IF EXISTS public;\nCREATE SCHEMA public AUTHORIZATION public_owner;\n"
        "CREATE TABLE public.t (id int);\n",
    )
    code, stdout, stderr = plan_folder(capsys, server, database, schema_dir)
    assert code == 0, stdout + stderr
    write_schema(schema_dir, "CREATE SCHEMA public;\nCREATE TABLE public.t (id int);\n")
    code, stdout, stderr = plan_folder(capsys, server, database, schema_dir)
    assert code == 0, stdout + stderr  # an owner not stated is left alone
    assert "every database has the public schema" in stderr


def test_a_view_created_as_a_placeholder_and_completed_later_is_one_view(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(
        database,
        "CREATE TABLE t (id int, name text);CREATE VIEW v AS SELECT id, name FROM t WHERE id > 0;",
    )
    write_schema(
        schema_dir,
        "CREATE OR REPLACE VIEW public.v AS\n SELECT t.id, t.name FROM public.t WHERE t.id > 0;\n",
        "a_completion.sql",
    )
    write_schema(
        schema_dir,
        "CREATE VIEW public.v AS\n SELECT\n    NULL::integer AS id,\n    NULL::text AS name;\n"
        "CREATE TABLE public.t (id integer, name text);\n",
        "b_dump.sql",
    )
    code, stdout, stderr = plan_folder(capsys, server, database, schema_dir)
    assert code == 0, stdout + stderr  # the placeholder alone would differ: its last definition won

    write_schema(schema_dir, "CREATE VIEW public.v AS SELECT 1 AS id;\n", "c_again.sql")
    with pytest.raises(SchemaSourceError) as error:
        read_desired_source(schema_dir)
    assert "public.v is defined twice" in str(error.value)


def test_default_privileges_pg_dump_writes_last_reach_only_objects_created_later(
    schema_dir: Path,
) -> None:
    body = (
        "CREATE TABLE public.t (id int);\n"
        "GRANT SELECT ON TABLE public.t TO reader;\n"
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT ON TABLES TO reader;\n"
    )
    write_schema(schema_dir, "--\n-- PostgreSQL database dump\n--\n\n" + body, "dump.sql")
    write_schema(schema_dir, "CREATE TABLE public.later (id int);\n", "later.sql")
    kinds = [(s.path.name, s.kind) for s in read_desired_source(schema_dir).statements]
    assert kinds == [
        ("dump.sql", "CreateStmt"),
        ("dump.sql", "GrantStmt"),
        ("dump.sql", "AlterDefaultPrivilegesStmt"),
        ("later.sql", "CreateStmt"),
    ]
    write_schema(schema_dir, body, "dump.sql")  # written by hand: in force before anything
    assert read_desired_source(schema_dir).statements[0].kind == "AlterDefaultPrivilegesStmt"


def test_pg_dump_of_a_view_in_a_dependency_loop_plans_empty(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    # The view calls a function whose body reads the view: pg_dump breaks the loop with a
    # placeholder view completed later (PostgreSQL 16 on), or a table and its _RETURN rule.
    execute(
        database,
        "CREATE TABLE t (id int); CREATE VIEW v AS SELECT id FROM t;"
        "CREATE FUNCTION f() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM v; END;"
        "CREATE OR REPLACE VIEW v AS SELECT id, f() AS n FROM t;",
    )
    dump = pg_dump(database)
    write_schema(schema_dir, dump, "dump.sql")
    code, stdout, stderr = plan_folder(capsys, server, database, schema_dir)
    assert code == 0, stdout + stderr
    if server.major >= 16:
        assert "CREATE OR REPLACE VIEW public.v AS" in dump


def test_diff_between_a_pg_dump_folder_and_its_source_is_empty_and_notes_what_it_skipped(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, "CREATE TABLE t (id int PRIMARY KEY);")
    write_schema(schema_dir, pg_dump(database, "--clean", "--if-exists"), "dump.sql")
    result = run_cli(
        capsys, "diff", "--from", database, "--to", str(schema_dir), "--dev-url", server.url
    )
    assert result.code == 0, result.stdout + result.stderr
    assert "pg_dump --clean --if-exists" in result.stderr
