"""Loading the dev database (embedded, or on ``--dev-url``'s server) while the schema's
files are still being read: a head start that never changes what is planned, nor what
bad input reports, and creates no role on a shared server before the folder is checked."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import psycopg
import pytest

from schemactl import metrics
from schemactl.config import Scope
from schemactl.devdb.binaries import binaries_at_hand
from schemactl.devdb.early_load import EarlyLoad
from schemactl.devdb.loader import loaded_statements
from schemactl.errors import SchemaSourceError
from schemactl.pipeline import DesiredSource, plan_against
from schemactl.profiles import load_profile
from schemactl.source import Statement
from tests.support import Server, catalog_of, comparable, run_cli

Capsys = pytest.CaptureFixture[str]

# A folder in load order: every file needs only those before it.
IN_ORDER = {
    "01_tables.sql": """
        CREATE TABLE account (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                              email text NOT NULL CHECK (email LIKE '%@%'));
        CREATE TABLE trip (id bigint PRIMARY KEY,
                           account_id bigint NOT NULL REFERENCES account (id),
                           created_at timestamptz NOT NULL DEFAULT now());
        CREATE INDEX trip_account ON trip (account_id) WHERE account_id > 0;
        COMMENT ON TABLE trip IS 'A planned journey';
    """,
    "02_security.sql": """
        CREATE ROLE early_reader NOLOGIN;
        ALTER TABLE trip ENABLE ROW LEVEL SECURITY;
        CREATE POLICY own_trips ON trip TO early_reader USING (account_id = 1);
        GRANT SELECT ON trip TO early_reader;
    """,
    "03_routines.sql": """
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN NEW.created_at := now(); RETURN NEW; END $$;
        CREATE TRIGGER trip_touch BEFORE UPDATE ON trip FOR EACH ROW EXECUTE FUNCTION touch();
        CREATE VIEW trip_count AS SELECT account_id, count(*) AS trips FROM trip GROUP BY 1;
    """,
}


def write_folder(schema_dir: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (schema_dir / name).write_text(text)


def plan_sql(
    database: str, source: DesiredSource, scope: Scope | None = None
) -> tuple[str, dict[str, int]]:
    recorder = metrics.enable()
    try:
        with psycopg.connect(database, autocommit=True) as conn:
            plan = plan_against(conn, source, scope or Scope())
    finally:
        metrics.disable()
    return plan.up_sql(), recorder.counts


class ReadSlowly(EarlyLoad):
    """A folder read as slowly as a large one: each file is sent (or its batch has
    failed) before the next is read."""

    offered = 0

    def __init__(self, target_url: str, dev_url: str | None, pg_bin: str | None) -> None:
        super().__init__(target_url, dev_url, pg_bin)
        self.sent_after_each_file: list[int] = []

    def offer(self, statements: Sequence[Statement]) -> None:
        super().offer(statements)
        self.offered += len(loaded_statements(statements))
        deadline = time.monotonic() + 30
        while self.statements_sent < self.offered and not self.stalled:
            assert time.monotonic() < deadline, "the worker never sent the file"
            time.sleep(0.005)
        self.sent_after_each_file.append(self.statements_sent)


def early_and_plain(
    server: Server, database: str, schema_dir: Path, early: ReadSlowly | None = None
) -> tuple[str, str, dict[str, int]]:
    """The plan with a head start on the embedded server, the files sent one by one
    in path order, and the plan without one, and the head start's counts. The plain
    one runs first: loading on the target's own server creates the roles the schema
    uses there, server-wide."""
    plain_sql, _ = plan_sql(database, DesiredSource(schema_dir, dev_url=server.url))
    with early or ReadSlowly(database, None, None) as head_start:
        early_sql, counts = plan_sql(database, DesiredSource(schema_dir, early=head_start))
    return early_sql, plain_sql, counts


def roles_named(server: Server, prefix: str) -> list[str]:
    with psycopg.connect(server.url) as conn:
        rows = conn.execute("SELECT rolname FROM pg_roles WHERE starts_with(rolname, %s)", [prefix])
        return [row[0] for row in rows]


def no_worker_left() -> bool:
    return not any(thread.name == "early-load" for thread in threading.enumerate())


def test_files_in_load_order_are_loaded_while_read_and_plan_the_same(
    server: Server, database: str, schema_dir: Path
) -> None:
    write_folder(schema_dir, IN_ORDER)

    early_sql, plain_sql, counts = early_and_plain(server, database, schema_dir)

    assert counts["early_loads"] == 1
    assert counts["early_load_kept"] == 10 and "early_load_restarts" not in counts
    assert early_sql == plain_sql
    assert "CREATE POLICY own_trips" in early_sql
    assert no_worker_left()


def test_a_dev_url_server_is_loaded_early_in_a_database_of_the_runs_own(
    server: Server, database: str, schema_dir: Path
) -> None:
    write_folder(schema_dir, IN_ORDER)
    plain_sql, _ = plan_sql(database, DesiredSource(schema_dir, dev_url=server.url))

    with ReadSlowly(database, server.url, None) as early:
        early_sql, counts = plan_sql(
            database, DesiredSource(schema_dir, dev_url=server.url, early=early)
        )

    assert counts["early_loads"] == 1 and counts["early_load_kept"] == 10
    assert early_sql == plain_sql
    assert no_worker_left()


def test_a_shared_dev_server_gets_no_role_before_the_folder_is_checked(
    server: Server, database: str, schema_dir: Path
) -> None:
    """Roles are server-wide: the files that need a role the server lacks wait, and the
    role is made only once the pipeline has accepted the folder's role declarations.
    Here it refuses one (a platform's role), so nothing is made at all."""
    fresh = f"early_fresh_{secrets.token_hex(4)}"
    write_folder(schema_dir, {
        "01_tables.sql": IN_ORDER["01_tables.sql"],
        "02_grants.sql": f"GRANT SELECT ON trip TO {fresh};",
        "03_platform.sql": "CREATE ROLE authenticated NOLOGIN;",
    })  # fmt: skip
    supabase = Scope(profile=load_profile("supabase"))

    with ReadSlowly(database, server.url, None) as early:
        source = DesiredSource(schema_dir, dev_url=server.url, early=early)
        with pytest.raises(SchemaSourceError, match="belongs to the platform"):
            plan_sql(database, source, supabase)

    assert roles_named(server, fresh) == []
    assert no_worker_left()


def test_roles_a_shared_dev_server_lacks_are_made_once_the_folder_is_accepted(
    server: Server, database: str, schema_dir: Path
) -> None:
    fresh = f"early_fresh_{secrets.token_hex(4)}"
    files = {**IN_ORDER, "04_grants.sql": f"CREATE ROLE {fresh} NOLOGIN;\n"
                                          f"GRANT SELECT ON account TO {fresh};"}  # fmt: skip
    write_folder(schema_dir, files)

    with ReadSlowly(database, server.url, None) as early:
        early_sql, counts = plan_sql(
            database, DesiredSource(schema_dir, dev_url=server.url, early=early)
        )

    assert counts["early_loads"] == 1
    assert f"GRANT SELECT ON TABLE public.account TO {fresh}" in early_sql
    assert roles_named(server, fresh) == [fresh]
    assert no_worker_left()


def test_a_file_read_before_what_it_needs_is_loaded_again_in_load_order(
    server: Server, database: str, schema_dir: Path
) -> None:
    """The routines' file sorts first: its batch fails (the trigger's table is not there
    yet), the server rolls it back, and the load order takes over."""
    write_folder(
        schema_dir, {f"{9 - i}_{name}": text for i, (name, text) in enumerate(IN_ORDER.items())}
    )

    early_sql, plain_sql, counts = early_and_plain(server, database, schema_dir)

    assert counts["early_loads"] == 1
    assert early_sql == plain_sql


def test_a_path_order_that_loads_but_is_not_the_load_order_is_loaded_anew(
    server: Server, database: str, schema_dir: Path
) -> None:
    """PostgreSQL takes the foreign key before the unique index it sorts after (the load
    order waits for every key of the table it references): the database is made again."""
    write_folder(schema_dir, {
        "01_a.sql": "CREATE TABLE a (id int PRIMARY KEY, code int NOT NULL);",
        "02_b.sql": "CREATE TABLE b (a_id int REFERENCES a (id));",
        "03_a_key.sql": "CREATE UNIQUE INDEX a_code ON a (code);",
    })  # fmt: skip

    early_sql, plain_sql, counts = early_and_plain(server, database, schema_dir)

    assert counts["early_loads"] == 1 and counts["early_load_restarts"] == 1
    assert early_sql == plain_sql


def test_sending_stops_at_the_first_file_the_load_order_takes_earlier(
    server: Server, database: str, schema_dir: Path
) -> None:
    """Schemas load before tables: a schema created in a later file than a table means
    what was sent cannot be kept, and nothing more is sent in path order."""
    write_folder(schema_dir, {
        "01_a.sql": "CREATE TABLE a (id int PRIMARY KEY);",
        "02_extra.sql": "CREATE SCHEMA extra;\nCREATE TABLE extra.b (a_id int REFERENCES a);",
        "03_c.sql": "CREATE TABLE c (id int);",
    })  # fmt: skip
    early = ReadSlowly(database, None, None)

    early_sql, plain_sql, counts = early_and_plain(server, database, schema_dir, early)

    assert early.sent_after_each_file == [1, 1, 1]
    assert counts["early_loads"] == 1 and counts["early_load_restarts"] == 1
    assert early_sql == plain_sql


def test_a_statement_that_must_run_alone_loads_as_without_a_head_start(
    server: Server, database: str, schema_dir: Path
) -> None:
    write_folder(schema_dir, {
        **IN_ORDER,
        "04_index.sql": "CREATE INDEX CONCURRENTLY account_email ON account (email);",
    })  # fmt: skip

    early_sql, plain_sql, counts = early_and_plain(server, database, schema_dir)

    assert "early_loads" not in counts
    assert early_sql == plain_sql
    assert no_worker_left()


def test_bad_input_is_reported_as_ever_and_nothing_is_left_running(
    database: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_folder(
        schema_dir,
        {**IN_ORDER, "09_bad.sql": "CREATE TABLE ok (id int);\nCREATE TABLE x (id int,);"},
    )
    before = catalog_of(database)

    result = run_cli(capsys, "plan", "--schema", str(schema_dir), "--database-url", database)

    assert result.code == 1
    assert "09_bad.sql:2:" in result.stderr
    assert no_worker_left()
    assert comparable(catalog_of(database)) == comparable(before)


def test_a_rejected_statement_names_its_file_line_and_column(
    database: str, schema_dir: Path, capsys: Capsys
) -> None:
    """The head start's batch fails; the load that follows pins the statement."""
    write_folder(
        schema_dir, {**IN_ORDER, "05_view.sql": "\nCREATE VIEW broken AS SELECT nope FROM trip;"}
    )

    result = run_cli(capsys, "plan", "--schema", str(schema_dir), "--database-url", database)

    assert result.code == 1
    assert "05_view.sql:2:" in result.stderr and "nope" in result.stderr
    assert no_worker_left()


def test_apply_with_the_embedded_server_reaches_the_desired_state(
    database: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_folder(schema_dir, IN_ORDER)
    args = ("--schema", str(schema_dir), "--database-url", database)

    applied = run_cli(capsys, "apply", *args, "--auto-approve")
    again = run_cli(capsys, "plan", *args, "--no-cache", "--exit-code")

    assert applied.code == 0, applied.stderr
    assert again.code == 0, again.stdout
    assert no_worker_left()


def test_an_unreachable_target_is_one_error_without_its_password(
    schema_dir: Path, capsys: Capsys
) -> None:
    """The worker's own attempt to read the target's version fails quietly; the error
    is the command's, reported once the files are read."""
    write_folder(schema_dir, IN_ORDER)
    url = "postgresql://someone:s3cret-pw@127.0.0.1:1/nowhere"

    result = run_cli(capsys, "plan", "--schema", str(schema_dir), "--database-url", url)

    assert result.code == 1
    assert result.stderr.count("error:") == 1 and "cannot connect" in result.stderr
    assert "s3cret-pw" not in result.stderr + result.stdout
    assert no_worker_left()


def test_server_binaries_are_never_downloaded_early(server: Server) -> None:
    """The head start uses binaries at hand only: a download waits for the files to be
    read, so bad input is reported without it."""
    with psycopg.connect(server.url) as conn:
        major = conn.info.server_version // 10000

    assert binaries_at_hand(None, major)
    assert not binaries_at_hand(None, 99)
