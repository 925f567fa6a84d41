"""Roles as code: CREATE ROLE, ALTER ROLE ... WITH, GRANT role TO role and DROP ROLE in
schema/ are declarations. A role is created when the target's server lacks it, altered
when its attributes differ, dropped only when the schema says DROP ROLE and the plan is
allowed role_drop; passwords never belong to a schema. Roles are server-wide, so most
specifications plan against the suite's server with the dev database on another one,
as a user's laptop and their production server would be."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import conninfo, sql

from schemactl.devdb.embedded import EmbeddedServer
from tests.support import CliResult, Server, execute, run_cli, write_schema

Capsys = pytest.CaptureFixture[str]


@pytest.fixture(scope="module")
def elsewhere(server: Server) -> Iterator[str]:
    """A second server, for dev databases: nothing done there reaches the target's roles.
    Of the suite server's major version, as a dev server must be."""
    with EmbeddedServer(major=server.major) as dev:
        yield dev.url


class Roles:
    """Unique role names for one test, dropped (with what they hold) when it ends."""

    def __init__(self, servers: list[str], database: str) -> None:
        self.servers, self.database = servers, database
        self.suffix = secrets.token_hex(3)
        self.names: list[str] = []

    def __call__(self, stem: str) -> str:
        name = f"{stem}_{self.suffix}"
        self.names.append(name)
        return name

    def drop_all(self) -> None:
        with psycopg.connect(self.database, autocommit=True) as conn:
            for name in self.names:
                if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone():
                    conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
        for server in self.servers:
            with psycopg.connect(server, autocommit=True) as conn:
                for name in self.names:
                    conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


@pytest.fixture
def roles(server: Server, database: str, elsewhere: str) -> Iterator[Roles]:
    made = Roles([server.url, elsewhere], database)
    yield made
    made.drop_all()


def schemactl(
    capsys: Capsys, command: str, schema: Path, target: str, dev: str, *extra: str
) -> CliResult:
    return run_cli(
        capsys, command, "--schema", str(schema), "--database-url", target, "--dev-url", dev, *extra
    )


def planned(capsys: Capsys, schema: Path, target: str, dev: str) -> list[dict[str, object]]:
    result = schemactl(capsys, "plan", schema, target, dev, "--format", "json")
    assert result.code == 0, result.stderr
    steps: list[dict[str, object]] = json.loads(result.stdout)["steps"]
    return steps


def role_row(url: str, name: str) -> tuple[object, ...] | None:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT rolcanlogin, rolcreatedb, rolinherit, rolconnlimit,"
            " to_char(rolvaliduntil AT TIME ZONE 'UTC', 'YYYY-MM-DD'),"
            " shobj_description(oid, 'pg_authid')"
            " FROM pg_roles WHERE rolname = %s",
            (name,),
        ).fetchone()


def memberships(url: str, member: str) -> set[tuple[str, bool]]:
    with psycopg.connect(url) as conn:
        found = conn.execute(
            "SELECT g.rolname, a.admin_option FROM pg_auth_members a"
            " JOIN pg_roles m ON m.oid = a.member JOIN pg_roles g ON g.oid = a.roleid"
            " WHERE m.rolname = %s",
            (member,),
        ).fetchall()
    return {(str(role), bool(admin)) for role, admin in found}


def test_a_role_the_schema_creates_is_planned_when_missing_and_then_nothing_drifts(
    database: str, elsewhere: str, schema_dir: Path, roles: Roles, capsys: Capsys
) -> None:
    app, reader = roles("app"), roles("reader")
    write_schema(
        schema_dir,
        f"CREATE ROLE {app} LOGIN CONNECTION LIMIT 5 VALID UNTIL '2031-01-01 00:00:00+00';\n"
        f"CREATE ROLE {reader};\n"
        f"GRANT {reader} TO {app};\n"
        f"COMMENT ON ROLE {app} IS 'the application';\n"
        "CREATE TABLE t (id int);\n"
        f"GRANT SELECT ON t TO {reader};\n",
    )
    steps = planned(capsys, schema_dir, database, elsewhere)
    sql_of = [str(s["sql"]) for s in steps]
    assert sql_of[:3] == [
        f"CREATE ROLE {app} WITH LOGIN CONNECTION LIMIT 5 VALID UNTIL '2031-01-01 00:00:00+00';\n"
        f"COMMENT ON ROLE {app} IS 'the application';",
        f"CREATE ROLE {reader} WITH NOLOGIN;",
        f"GRANT {reader} TO {app};",
    ]
    applied = schemactl(capsys, "apply", schema_dir, database, elsewhere, "--auto-approve")
    assert applied.code == 0, applied.stderr
    assert role_row(database, app) == (True, False, True, 5, "2031-01-01", "the application")
    assert memberships(database, app) == {(reader, False)}
    assert schemactl(capsys, "drift", schema_dir, database, elsewhere).code == 0


def test_attributes_that_differ_are_altered_in_place_and_rollback_restores_them(
    database: str, elsewhere: str, schema_dir: Path, roles: Roles, capsys: Capsys
) -> None:
    worker = roles("worker")
    execute(database, f"CREATE ROLE {worker} NOLOGIN PASSWORD 'kept-out-of-sight'")
    write_schema(schema_dir, f"CREATE ROLE {worker} LOGIN CREATEDB CONNECTION LIMIT 3;")
    steps = planned(capsys, schema_dir, database, elsewhere)
    assert [s["sql"] for s in steps] == [
        f"ALTER ROLE {worker} WITH LOGIN CREATEDB CONNECTION LIMIT 3;"
    ]
    assert steps[0]["hazards"] == [
        {
            "kind": "authz_change",
            "reason": f"changes role {worker} (NOLOGIN -> LOGIN, NOCREATEDB -> CREATEDB, "
            "unlimited -> 3) for the whole server",
        }
    ]
    assert schemactl(capsys, "apply", schema_dir, database, elsewhere, "--auto-approve").code == 0
    assert role_row(database, worker) == (True, True, True, 3, None, None)
    rolled = run_cli(capsys, "rollback", "--database-url", database, "--auto-approve")
    assert rolled.code == 0, rolled.stderr
    assert role_row(database, worker) == (False, False, True, -1, None, None)
    with psycopg.connect(database) as conn:
        history = conn.execute("SELECT row_to_json(h)::text FROM schemactl.history h").fetchall()
        # The password is untouched: schemactl never reads, compares or writes one.
        verifier = conn.execute(
            "SELECT rolpassword FROM pg_authid WHERE rolname = %s", (worker,)
        ).fetchone()
    assert verifier is not None and str(verifier[0]).startswith("SCRAM-SHA-256$")
    assert "kept-out-of-sight" not in str(history) and "SCRAM" not in str(history)


def test_a_created_roles_memberships_are_exactly_the_schemas(
    database: str, elsewhere: str, schema_dir: Path, roles: Roles, capsys: Capsys
) -> None:
    member, old_group, new_group = roles("member"), roles("old_group"), roles("new_group")
    outsider = roles("outsider")
    execute(
        database,
        f"CREATE ROLE {old_group}; CREATE ROLE {new_group}; CREATE ROLE {member};"
        f" CREATE ROLE {outsider}; GRANT {old_group} TO {member}; GRANT {old_group} TO {outsider};",
    )
    write_schema(
        schema_dir,
        f"CREATE ROLE {member};\nGRANT {new_group} TO {member} WITH ADMIN OPTION;\n"
        f"GRANT {new_group} TO {outsider};\n",
    )
    steps = planned(capsys, schema_dir, database, elsewhere)
    assert sorted(str(s["sql"]) for s in steps) == sorted(
        [
            f"REVOKE {old_group} FROM {member};",
            f"GRANT {new_group} TO {member} WITH ADMIN OPTION;",
            f"GRANT {new_group} TO {outsider};",
        ]
    )
    assert schemactl(capsys, "apply", schema_dir, database, elsewhere, "--auto-approve").code == 0
    assert memberships(database, member) == {(new_group, True)}
    # A role the schema does not create keeps the memberships the schema does not name.
    assert memberships(database, outsider) == {(old_group, False), (new_group, False)}


def test_a_role_the_schema_stops_declaring_is_left_alone(
    database: str, elsewhere: str, schema_dir: Path, roles: Roles, capsys: Capsys
) -> None:
    kept = roles("kept")
    write_schema(schema_dir, f"CREATE ROLE {kept} LOGIN;\nCREATE TABLE t (id int);\n")
    assert schemactl(capsys, "apply", schema_dir, database, elsewhere, "--auto-approve").code == 0
    write_schema(schema_dir, "CREATE TABLE t (id int);\n")
    again = schemactl(capsys, "plan", schema_dir, database, elsewhere, "--exit-code")
    assert again.code == 0, again.stdout
    assert role_row(database, kept) is not None


def test_drop_role_in_the_schema_drops_it_only_when_role_drop_is_allowed(
    database: str, elsewhere: str, schema_dir: Path, roles: Roles, capsys: Capsys
) -> None:
    retired = roles("retired")
    execute(database, f"CREATE ROLE {retired} LOGIN")
    write_schema(schema_dir, f"DROP ROLE IF EXISTS {retired};\nCREATE TABLE t (id int);\n")
    steps = planned(capsys, schema_dir, database, elsewhere)
    drop = next(s for s in steps if s["kind"] == "role")
    assert drop["sql"] == f"DROP ROLE {retired};"
    assert drop["hazards"] == [
        {
            "kind": "role_drop",
            "reason": f"drops role {retired} from the whole server, as the schema's DROP ROLE "
            "says; it can log in, and no one will log in as it again",
        }
    ]
    refused = schemactl(capsys, "apply", schema_dir, database, elsewhere, "--auto-approve")
    assert refused.code == 1 and "role_drop" in refused.stderr
    assert role_row(database, retired) is not None
    allowed = schemactl(
        capsys, "apply", schema_dir, database, elsewhere, "--auto-approve",
        "--allow-hazards", "role_drop",
    )  # fmt: skip
    assert allowed.code == 0, allowed.stderr
    assert role_row(database, retired) is None
    assert schemactl(capsys, "plan", schema_dir, database, elsewhere, "--exit-code").code == 0


def test_a_role_other_databases_use_is_named_as_a_hazard(
    server: Server, database: str, elsewhere: str, schema_dir: Path, roles: Roles, capsys: Capsys
) -> None:
    shared = roles("shared")
    other = f"other_{roles.suffix}"
    execute(server.url, f"CREATE ROLE {shared}")
    execute(server.url, f"CREATE DATABASE {other}")
    try:
        execute(
            conninfo.make_conninfo(server.url, dbname=other),
            f"CREATE TABLE reports (id int); GRANT SELECT ON reports TO {shared};",
        )
        write_schema(schema_dir, f"CREATE ROLE {shared} BYPASSRLS;")
        (alter,) = planned(capsys, schema_dir, database, elsewhere)
        assert f"databases {other} use it too" in str(alter["hazards"])
        write_schema(schema_dir, f"DROP ROLE {shared};")
        (drop,) = planned(capsys, schema_dir, database, elsewhere)
        assert f"databases {other} use it" in str(drop["hazards"])
        result = schemactl(
            capsys, "apply", schema_dir, database, elsewhere, "--auto-approve",
            "--allow-hazards", "role_drop",
        )  # fmt: skip
        assert result.code == 1 and "nothing changed" in result.stderr
        assert role_row(database, shared) is not None
    finally:
        execute(server.url, f"DROP DATABASE {other} WITH (FORCE)")


def test_a_shared_dev_server_that_is_the_targets_own_keeps_working(
    server: Server, database: str, schema_dir: Path, roles: Roles, capsys: Capsys
) -> None:
    login = roles("login")
    write_schema(
        schema_dir,
        f"CREATE ROLE {login} LOGIN;\nCREATE TABLE t (id int);\nGRANT SELECT ON t TO {login};\n",
    )
    before = dev_databases(server.url)
    applied = schemactl(capsys, "apply", schema_dir, database, server.url, "--auto-approve")
    assert applied.code == 0, applied.stderr
    assert role_row(database, login) == (True, False, True, -1, None, None)
    assert schemactl(capsys, "plan", schema_dir, database, server.url, "--exit-code").code == 0
    assert dev_databases(server.url) == before  # the dev databases it made are gone


def dev_databases(server_url: str) -> set[str]:
    """The dev databases on a server (other tests of the session may leave theirs)."""
    with psycopg.connect(server_url) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'schemactl_dev_%'"
        ).fetchall()
    return {row[0] for row in rows}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "CREATE ROLE r LOGIN PASSWORD 'hunter2-in-git';",
            "passwords do not belong in schema files",
        ),
        ("CREATE ROLE r;\nALTER ROLE r WITH PASSWORD 'hunter2-in-git';", "remove PASSWORD"),
        (
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'r') THEN "
            "CREATE ROLE r; END IF; END $$;",
            "write a plain CREATE ROLE",
        ),
        ("CREATE ROLE r;\nCREATE ROLE r LOGIN;", "role r is created twice: also at"),
        ("ALTER ROLE r WITH LOGIN;", "the schema does not create role r"),
        ("CREATE ROLE r;\nREVOKE r FROM s;", "REVOKE is a change"),
        ("CREATE ROLE r;\nDROP ROLE r;", "role r is dropped here but created at"),
        ("CREATE TABLE t (id int);\nGRANT SELECT ON t TO r;\nDROP ROLE r;", "but used at"),
        ("CREATE ROLE pg_mine;", "reserved"),
        ("CREATE ROLE r;\nALTER ROLE r SET search_path = app;", "per-role settings"),
        ("GRANT r TO CURRENT_USER;", "name the role"),
    ],
)
def test_what_a_schema_may_not_say_about_roles_is_one_line_with_its_place(
    schema_dir: Path, capsys: Capsys, text: str, expected: str
) -> None:
    write_schema(schema_dir, text, "roles.sql")
    result = run_cli(
        capsys, "plan", "--schema", str(schema_dir), "--database-url", "postgresql:///unused"
    )
    assert result.code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {schema_dir / 'roles.sql'}:")
    assert expected in lines[0]
    assert "hunter2-in-git" not in result.stdout + result.stderr


def test_a_platforms_roles_are_not_the_schemas_to_create(
    database: str, elsewhere: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE ROLE authenticated NOLOGIN;\nCREATE TABLE t (id int);\n")
    result = schemactl(capsys, "plan", schema_dir, database, elsewhere, "--profile", "supabase")
    assert result.code == 1
    assert "role authenticated belongs to the platform (profile supabase)" in result.stderr


def test_migration_files_leave_roles_out_and_say_so(
    server: Server, schema_dir: Path, tmp_path: Path, roles: Roles, capsys: Capsys
) -> None:
    reader = roles("reader")
    write_schema(
        schema_dir,
        f"CREATE ROLE {reader};\nCREATE TABLE t (id int);\nGRANT SELECT ON t TO {reader};\n",
    )
    migrations = tmp_path / "migrations"
    result = run_cli(
        capsys, "migrate", "diff", "init", "--schema", str(schema_dir),
        "--migrations", str(migrations), "--dev-url", server.url,
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert "migration files leave roles out" in result.stdout and reader in result.stdout
    (up,) = migrations.glob("*.up.sql")
    assert "CREATE ROLE" not in up.read_text() and f"TO {reader}" in up.read_text()
