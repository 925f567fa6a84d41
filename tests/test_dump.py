"""``schemactl dump``: a live database written out as a schema folder that plans empty
against it. The round trip is the contract; layouts, filters and the folder follow."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from schemactl.cli.dump import LayoutChoice
from schemactl.devdb.loader import ensure_roles
from schemactl.dump.layout import Layout
from tests.support import Server, execute, run_cli, skip_unless_loads, write_schema

Capsys = pytest.CaptureFixture[str]
pytestmark = pytest.mark.version_matrix  # once per PostgreSQL major version (tests/conftest.py)
EXAMPLE = Path(__file__).resolve().parents[1] / "schema"

SHOWCASE = """
CREATE SCHEMA app;
CREATE EXTENSION citext WITH SCHEMA public;
CREATE TYPE app.mood AS ENUM ('happy', 'sad');
CREATE DOMAIN app.positive AS integer CHECK (VALUE > 0);
CREATE SEQUENCE app.invoice_numbers START 1000;
CREATE TABLE app.users (
    id bigserial PRIMARY KEY,
    email public.citext NOT NULL UNIQUE,
    mood app.mood,
    score app.positive
);
CREATE TABLE app.orders (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES app.users (id),
    number bigint NOT NULL DEFAULT nextval('app.invoice_numbers')
);
CREATE INDEX orders_user_idx ON app.orders (user_id);
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RETURN NEW; END $$;
CREATE FUNCTION app.order_count(bigint) RETURNS bigint LANGUAGE sql STABLE
    AS $$ SELECT count(*) FROM app.orders WHERE user_id = $1 $$;
CREATE FUNCTION app.order_count(bigint, integer) RETURNS bigint LANGUAGE sql STABLE
    AS $$ SELECT count(*) FROM app.orders WHERE user_id = $1 AND id > $2 $$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch();
ALTER TABLE app.orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_orders ON app.orders USING (user_id = current_setting('app.user')::bigint);
CREATE VIEW app.busy_users AS SELECT u.id, app.order_count(u.id) AS orders FROM app.users u;
CREATE MATERIALIZED VIEW app.order_totals AS SELECT user_id, count(*) AS n FROM app.orders GROUP BY user_id;
CREATE UNIQUE INDEX order_totals_user_key ON app.order_totals (user_id);
COMMENT ON TABLE app.users IS 'People';
COMMENT ON COLUMN app.users.email IS 'Login';
COMMENT ON CONSTRAINT users_email_key ON app.users IS 'One account per email';
COMMENT ON TRIGGER orders_touch ON app.orders IS 'Keeps rows fresh';
GRANT USAGE ON SCHEMA app TO dump_reader;
GRANT SELECT ON app.users TO dump_reader;
"""


def dump_and_plan(
    capsys: Capsys, server: Server, database: str, out: Path, *options: str
) -> tuple[str, str]:
    """Dump ``database`` into ``out``, plan ``out`` against it; returns (dump, plan) output."""
    dumped = run_cli(capsys, "dump", "--database-url", database, "--out", str(out), *options)
    assert dumped.code == 0, dumped.stderr
    planned = run_cli(
        capsys,
        "plan",
        "--schema",
        str(out),
        "--database-url",
        database,
        "--dev-url",
        server.url,
        "--exit-code",
        *_filters(options),
    )
    assert planned.code == 0, planned.stdout + planned.stderr
    return dumped.stdout, planned.stdout


def _filters(options: tuple[str, ...]) -> list[str]:
    """The scope options among a dump's options: the plan must look at the same scope."""
    kept: list[str] = []
    pairs = iter(options)
    for option in pairs:
        value = next(pairs)
        if option in ("--include-schema", "--exclude-schema", "--exclude"):
            kept += [option, value]
    return kept


def create_role(server: Server, name: str) -> None:
    """Roles are server-wide: created once for the whole session's server."""
    with psycopg.connect(server.url, autocommit=True) as conn:
        ensure_roles(conn, [name])


def files_of(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text()
        for p in sorted(folder.rglob("*.sql"))
        if p.is_file()
    }


@pytest.fixture
def showcase(server: Server, database: str) -> str:
    create_role(server, "dump_reader")
    execute(database, SHOWCASE)
    return database


def test_a_dump_of_the_example_database_plans_empty_against_it(
    server: Server, database: str, tmp_path: Path, capsys: Capsys
) -> None:
    skip_unless_loads(server, EXAMPLE)
    args = ["--schema", str(EXAMPLE), "--database-url", database, "--dev-url", server.url]
    assert run_cli(capsys, "apply", *args, "--auto-approve").code == 0
    dumped, planned = dump_and_plan(capsys, server, database, tmp_path / "schema")
    assert "Wrote" in dumped
    assert "No changes" in planned
    files = files_of(tmp_path / "schema")
    assert "public/tables/users.sql" in files
    assert "public/materialized_views/user_booking_stats.sql" in files
    assert "extensions/citext.sql" in files
    assert "other.sql" not in files  # every statement found the object it belongs to


def test_the_same_database_always_gives_byte_identical_files(
    showcase: str, tmp_path: Path, capsys: Capsys
) -> None:
    for name in ("first", "second"):
        assert run_cli(capsys, "dump", "--database-url", showcase, "--out", str(tmp_path / name)).code == 0  # fmt: skip
    assert files_of(tmp_path / "first") == files_of(tmp_path / "second")


def test_by_table_gives_each_table_its_members_and_other_objects_files_of_their_own(
    server: Server, showcase: str, tmp_path: Path, capsys: Capsys
) -> None:
    dump_and_plan(capsys, server, showcase, tmp_path / "schema")
    files = files_of(tmp_path / "schema")
    assert sorted(files) == [
        "app/functions/order_count.sql",
        "app/functions/touch.sql",
        "app/materialized_views/order_totals.sql",
        "app/schema.sql",
        "app/sequences/invoice_numbers.sql",
        "app/tables/orders.sql",
        "app/tables/users.sql",
        "app/types/mood.sql",
        "app/types/positive.sql",
        "app/views/busy_users.sql",
        "extensions/citext.sql",
    ]
    orders = files["app/tables/orders.sql"]
    for member in (
        "CREATE TABLE app.orders (",
        "ADD CONSTRAINT orders_pkey PRIMARY KEY (id)",
        "ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES app.users(id)",
        "CREATE INDEX orders_user_idx ON app.orders",
        "CREATE TRIGGER orders_touch",
        "ALTER TABLE app.orders ENABLE ROW LEVEL SECURITY;",
        "CREATE POLICY own_orders ON app.orders",
        "COMMENT ON TRIGGER orders_touch ON app.orders IS 'Keeps rows fresh';",
    ):
        assert member in orders
    users = files["app/tables/users.sql"]
    assert "CREATE SEQUENCE app.users_id_seq" in users  # a serial's sequence goes with its table
    assert "GRANT SELECT ON TABLE app.users TO dump_reader;" in users
    assert "COMMENT ON CONSTRAINT users_email_key ON app.users" in users
    assert files["app/functions/order_count.sql"].count("CREATE OR REPLACE FUNCTION") == 2
    assert "CREATE UNIQUE INDEX order_totals_user_key" in files["app/materialized_views/order_totals.sql"]  # fmt: skip
    assert "GRANT USAGE ON SCHEMA app TO dump_reader;" in files["app/schema.sql"]
    assert all(text.endswith(";\n") and "\n\n\n" not in text for text in files.values())


@pytest.mark.parametrize("layout", ["by-kind", "single"])
def test_every_layout_plans_empty(
    server: Server, showcase: str, tmp_path: Path, capsys: Capsys, layout: str
) -> None:
    dump_and_plan(capsys, server, showcase, tmp_path / "schema", "--layout", layout)
    files = files_of(tmp_path / "schema")
    if layout == "single":
        assert list(files) == ["schema.sql"]
    else:
        assert {"app/tables.sql", "app/indexes.sql", "app/policies.sql", "app/comments.sql"} <= set(files)  # fmt: skip


def test_the_layout_option_offers_exactly_the_dump_layouts() -> None:
    assert [choice.value for choice in LayoutChoice] == [layout.value for layout in Layout]


def test_out_dash_writes_one_file_to_stdout(showcase: str, capsys: Capsys) -> None:
    result = run_cli(capsys, "dump", "--database-url", showcase, "--out", "-")
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("CREATE SCHEMA app;")
    assert "CREATE TABLE app.users (" in result.stdout
    refused = run_cli(capsys, "dump", "--database-url", showcase, "--out", "-", "--layout", "by-kind")  # fmt: skip
    assert refused.code == 1
    assert "--layout single" in refused.stderr


def test_a_folder_holding_sql_files_is_replaced_only_with_force(
    showcase: str, tmp_path: Path, capsys: Capsys
) -> None:
    folder = tmp_path / "schema"
    folder.mkdir()
    write_schema(folder, "CREATE TABLE stale (id int);", "stale.sql")
    (folder / "README.md").write_text("kept")
    refused = run_cli(capsys, "dump", "--database-url", showcase, "--out", str(folder))
    assert refused.code == 1
    assert "--force" in refused.stderr
    assert (folder / "stale.sql").exists()
    forced = run_cli(capsys, "dump", "--database-url", showcase, "--out", str(folder), "--force")
    assert forced.code == 0, forced.stderr
    assert not (folder / "stale.sql").exists()
    assert (folder / "README.md").read_text() == "kept"
    assert (folder / "app" / "tables" / "users.sql").exists()


def test_scope_filters_choose_what_is_dumped_and_the_plan_agrees(
    server: Server, database: str, tmp_path: Path, capsys: Capsys
) -> None:
    execute(
        database,
        """
        CREATE SCHEMA app;
        CREATE TABLE app.orders (id int PRIMARY KEY);
        CREATE TABLE app.order_archive (id int);
        CREATE FUNCTION app.order_total(int) RETURNS int LANGUAGE sql AS 'SELECT $1';
        CREATE VIEW app.busy AS SELECT id FROM app.orders;
        CREATE TABLE public.scratch_1 (id int);
        CREATE TABLE public.kept (id int);
        """,
    )
    dump_and_plan(
        capsys, server, database, tmp_path / "only_app", "--include-schema", "app",
        "--exclude", "order_*", "--exclude", "app.busy",
    )  # fmt: skip
    assert sorted(files_of(tmp_path / "only_app")) == ["app/schema.sql", "app/tables/orders.sql"]

    dump_and_plan(capsys, server, database, tmp_path / "no_scratch", "--exclude", "public.scratch_*")  # fmt: skip
    files = files_of(tmp_path / "no_scratch")
    assert "public/tables/kept.sql" in files
    assert "app/tables/order_archive.sql" in files
    assert "public/tables/scratch_1.sql" not in files


def test_owners_other_than_the_dumping_role_are_stated(
    server: Server, database: str, tmp_path: Path, capsys: Capsys
) -> None:
    create_role(server, "dump_owner")
    execute(database, "CREATE TABLE t (id int); ALTER TABLE t OWNER TO dump_owner;")
    dump_and_plan(capsys, server, database, tmp_path / "schema")
    assert "ALTER TABLE public.t OWNER TO dump_owner;" in files_of(tmp_path / "schema")["public/tables/t.sql"]  # fmt: skip


def test_a_changed_public_schema_is_dumped_as_the_change(
    server: Server, database: str, tmp_path: Path, capsys: Capsys
) -> None:
    execute(
        database,
        "REVOKE USAGE ON SCHEMA public FROM PUBLIC; COMMENT ON SCHEMA public IS 'ours';"
        "CREATE TABLE t (id int);",
    )
    dump_and_plan(capsys, server, database, tmp_path / "schema")
    public = files_of(tmp_path / "schema")["public/schema.sql"]
    assert "CREATE SCHEMA" not in public
    assert "REVOKE USAGE ON SCHEMA public FROM PUBLIC;" in public
    assert "COMMENT ON SCHEMA public IS 'ours';" in public


def test_names_that_need_quoting_get_safe_distinct_file_names(
    server: Server, database: str, tmp_path: Path, capsys: Capsys
) -> None:
    execute(
        database,
        'CREATE TABLE "Users" (id int); CREATE TABLE users (id int);'
        'CREATE TABLE "odd/name here" (id int);',
    )
    dump_and_plan(capsys, server, database, tmp_path / "schema")
    files = files_of(tmp_path / "schema")
    assert sorted(files) == [
        "public/tables/Users.sql",
        "public/tables/odd_name_here.sql",
        "public/tables/users_2.sql",
    ]
    assert 'CREATE TABLE public."Users"' in files["public/tables/Users.sql"]


def test_an_empty_database_dumps_to_an_empty_folder(
    server: Server, database: str, tmp_path: Path, capsys: Capsys
) -> None:
    result = run_cli(capsys, "dump", "--database-url", database, "--out", str(tmp_path / "s"))
    assert result.code == 0, result.stderr
    assert "Wrote 0 file(s)" in result.stdout
    assert files_of(tmp_path / "s") == {}


def test_an_unreachable_database_is_one_line_without_the_password(
    tmp_path: Path, capsys: Capsys
) -> None:
    result = run_cli(
        capsys, "dump", "--database-url", "postgresql://u:s3cret@127.0.0.1:1/db",
        "--out", str(tmp_path / "s"),
    )  # fmt: skip
    assert result.code == 1
    assert "s3cret" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "s").exists()
