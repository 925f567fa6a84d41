"""External objects and platform profiles: a schema may use what it does not manage.

Objects in schemas schemactl leaves alone (``--exclude-schema``, or a platform's own
schemas with ``--profile``) are copied from the target into the dev database so the
schema loads, and are never planned, diffed, dropped or shown as drift.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
import pytest

from schemactl.catalog.external import read_external_objects
from schemactl.config import Scope
from schemactl.devdb.loader import ensure_roles
from schemactl.profiles import available_profiles, load_profile
from schemactl.source import read_desired_state
from schemactl.source.references import external_names
from tests.supabase import PROFILES, build_platform
from tests.support import Server, catalog_of, execute, pg_dump_of, run_cli, write_schema

pytestmark = pytest.mark.version_matrix  # once per PostgreSQL major version (tests/conftest.py)
Capsys = pytest.CaptureFixture[str]


def dump(url: str, schema: str) -> str:
    """pg_dump of one schema, privileges and owners included."""
    result = subprocess.run(
        [str(pg_dump_of(url)), "--schema-only", f"--schema={schema}", url],
        capture_output=True,
        text=True,
        check=True,
    )
    noise = ("--", "\\restrict", "\\unrestrict")  # \restrict carries a random key
    return "\n".join(line for line in result.stdout.splitlines() if not line.startswith(noise))


def cli_args(schema_dir: Path, database: str, server: Server, *more: str) -> list[str]:
    return ["--schema", str(schema_dir), "--database-url", database, "--dev-url", server.url, *more]


def acl(url: str, relation: str) -> dict[str, set[str]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT grantee::regrole::text, privilege_type FROM aclexplode("
            " (SELECT relacl FROM pg_class WHERE oid = %s::regclass))",
            (relation,),
        ).fetchall()
    grants: dict[str, set[str]] = {}
    for grantee, privilege in rows:
        grants.setdefault(grantee, set()).add(privilege)
    return grants


# Supabase, end to end.


def test_a_supabase_project_is_managed_with_the_profile_and_auth_is_left_as_it_was(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    build_platform(database)
    auth_before = dump(database, "auth")
    write_schema(schema_dir, PROFILES)
    args = cli_args(schema_dir, database, server, "--profile", "supabase")

    plan = run_cli(capsys, "plan", *args, "--format", "sql")
    assert plan.code == 0, plan.stderr
    assert "auth." not in plan.stdout.replace("auth.uid()", "").replace("auth.users(id)", "")
    assert "DEFAULT PRIVILEGES" not in plan.stdout

    applied = run_cli(capsys, "apply", *args, "--auto-approve")
    assert applied.code == 0, applied.stderr
    drift = run_cli(capsys, "drift", *args)
    assert drift.code == 0, drift.stdout + drift.stderr
    assert dump(database, "auth") == auth_before

    # The platform's default grants reached the new table; the schema took anon's back.
    grants = acl(database, "public.profiles")
    assert grants["anon"] == {"SELECT"}
    assert {"SELECT", "INSERT", "UPDATE", "DELETE"} <= grants["authenticated"]
    assert {"SELECT", "INSERT", "UPDATE", "DELETE"} <= grants["service_role"]


def test_a_rollback_is_not_refused_for_what_the_platform_changed_in_its_own_schemas(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    build_platform(database)
    write_schema(schema_dir, PROFILES)
    args = cli_args(schema_dir, database, server, "--profile", "supabase")
    assert run_cli(capsys, "apply", *args, "--auto-approve").code == 0
    # The platform migrates its auth schema on its own schedule.
    execute(database, "ALTER TABLE auth.users ADD COLUMN phone text")
    auth_now = dump(database, "auth")
    rolled = run_cli(
        capsys, "rollback", "--database-url", database, "--profile", "supabase", "--auto-approve"
    )
    assert rolled.code == 0, rolled.stdout + rolled.stderr
    assert "public.profiles" not in catalog_of(database).tables
    assert dump(database, "auth") == auth_now


def test_the_profile_policies_call_the_platforms_uid_function(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    build_platform(database)
    write_schema(schema_dir, PROFILES)
    args = cli_args(schema_dir, database, server, "--profile", "supabase", "--auto-approve")
    assert run_cli(capsys, "apply", *args).code == 0
    user = "9a6bc9a0-54b2-4d4e-9d2a-2a1c5b3c1f00"
    execute(database, f"INSERT INTO auth.users (id) VALUES ('{user}')")
    with psycopg.connect(database) as conn:
        conn.execute("SET ROLE authenticated")
        conn.execute("SELECT set_config('request.jwt.claims', %s, true)", (f'{{"sub": "{user}"}}',))
        conn.execute("INSERT INTO public.profiles (id, username) VALUES (%s, 'ada')", (user,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO public.profiles (id, username) VALUES (gen_random_uuid(), 'eve')"
            )


def test_the_platforms_default_grants_are_no_churn_with_the_profile_and_are_without_it(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    build_platform(database)
    execute(database, "CREATE TABLE public.notes (id bigserial PRIMARY KEY, body text)")
    write_schema(schema_dir, "CREATE TABLE public.notes (id bigserial PRIMARY KEY, body text);")
    args = cli_args(schema_dir, database, server, "--exclude-schema", "auth")
    args += ["--exclude-schema", "storage", "--exclude-schema", "extensions"]

    with_profile = run_cli(capsys, "plan", *args, "--profile", "supabase", "--format", "sql")
    assert with_profile.code == 0 and with_profile.stdout == ""

    without = run_cli(capsys, "plan", *args, "--format", "sql")
    assert "ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT" in without.stdout
    assert "ON TABLE public.notes FROM anon;" in without.stdout
    assert "REVOKE USAGE ON SCHEMA public FROM anon;" in without.stdout
    assert "ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin" in without.stdout


def test_a_view_over_the_platforms_storage_brings_what_storage_needs(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    if server.major < 15:
        pytest.skip("security_invoker views are PostgreSQL 15 and later")
    build_platform(database)
    storage_before = dump(database, "storage")
    write_schema(
        schema_dir,
        """
        create view public.my_files with (security_invoker = true) as
          select o.id, o.name, b.public
          from storage.objects o join storage.buckets b on b.id = o.bucket_id
          where o.owner = (select auth.uid());
        grant select on public.my_files to authenticated;
        """,
    )
    args = cli_args(schema_dir, database, server, "--profile", "supabase")
    plan = run_cli(capsys, "plan", *args, "--format", "sql")
    assert plan.code == 0, plan.stderr
    assert plan.stdout.startswith("CREATE VIEW public.my_files")
    assert "EVENT TRIGGER" not in plan.stdout and "PUBLICATION" not in plan.stdout
    assert run_cli(capsys, "apply", *args, "--auto-approve").code == 0
    assert run_cli(capsys, "drift", *args).code == 0
    assert dump(database, "storage") == storage_before


def test_a_job_declared_for_the_platforms_pg_cron_needs_nothing_from_the_target(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    build_platform(database)
    write_schema(
        schema_dir,
        PROFILES + "SELECT cron.schedule('tidy-profiles', '0 3 * * *',"
        " $$DELETE FROM public.profiles WHERE username IS NULL$$);\n",
    )
    plan = run_cli(capsys, "plan", *cli_args(schema_dir, database, server, "--profile", "supabase"))
    assert plan.code == 0, plan.stderr
    assert "CREATE TABLE public.profiles" in plan.stdout


def test_profile_is_read_from_schemactl_toml(
    server: Server,
    database: str,
    schema_dir: Path,
    capsys: Capsys,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build_platform(database)
    write_schema(schema_dir, PROFILES)
    (tmp_path / "schemactl.toml").write_text('profile = "supabase"\n')
    monkeypatch.chdir(tmp_path)
    args = cli_args(schema_dir, database, server, "--auto-approve")
    assert run_cli(capsys, "apply", *args).code == 0
    assert run_cli(capsys, "drift", *cli_args(schema_dir, database, server)).code == 0


def test_a_trigger_the_schema_puts_on_a_platform_table_is_named_as_not_planned(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    build_platform(database)
    write_schema(
        schema_dir,
        PROFILES
        + """
        create function public.handle_new_user() returns trigger
          language plpgsql security definer set search_path = '' as $$
        begin
          insert into public.profiles (id) values (new.id);
          return new;
        end $$;
        create trigger on_auth_user_created after insert on auth.users
          for each row execute function public.handle_new_user();
        """,
    )
    args = cli_args(schema_dir, database, server, "--profile", "supabase")
    plan = run_cli(capsys, "plan", *args)
    assert plan.code == 0, plan.stderr
    assert "trigger on_auth_user_created on auth.users" in " ".join(plan.stdout.split())
    assert "never planned" in plan.stdout
    assert run_cli(capsys, "apply", *args, "--auto-approve").code == 0
    assert "public.handle_new_user()" in catalog_of(database).functions
    assert run_cli(capsys, "drift", *args).code == 0


NEON = """
CREATE SCHEMA neon_auth;
CREATE TABLE neon_auth.users_sync (
    raw_json jsonb NOT NULL,
    id text GENERATED ALWAYS AS (raw_json ->> 'id') STORED NOT NULL PRIMARY KEY,
    name text GENERATED ALWAYS AS (raw_json ->> 'display_name') STORED,
    email text GENERATED ALWAYS AS (raw_json ->> 'primary_email') STORED,
    deleted_at timestamp with time zone
);
ALTER DEFAULT PRIVILEGES FOR ROLE cloud_admin IN SCHEMA public
    GRANT ALL ON TABLES TO neon_superuser WITH GRANT OPTION;
ALTER DEFAULT PRIVILEGES FOR ROLE cloud_admin IN SCHEMA public
    GRANT ALL ON SEQUENCES TO neon_superuser WITH GRANT OPTION;
"""


def test_a_neon_project_references_neon_auth_and_leaves_the_platforms_grants_alone(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    with psycopg.connect(database, autocommit=True) as conn:
        ensure_roles(conn, ["cloud_admin", "neon_superuser"])
        conn.execute(NEON.encode())
    write_schema(
        schema_dir,
        "CREATE TABLE public.todos (id bigserial PRIMARY KEY,"
        " owner_id text NOT NULL REFERENCES neon_auth.users_sync (id), title text);",
    )
    args = cli_args(schema_dir, database, server, "--profile", "neon")
    plan = run_cli(capsys, "plan", *args, "--format", "sql")
    assert plan.code == 0, plan.stderr
    assert "neon_auth.users_sync (" not in plan.stdout and "cloud_admin" not in plan.stdout
    assert run_cli(capsys, "apply", *args, "--auto-approve").code == 0
    assert run_cli(capsys, "drift", *args).code == 0


# External objects with --exclude-schema alone.


@pytest.mark.parametrize(
    "scope",
    [
        [
            "--exclude-schema",
            "auth",
            "--exclude-schema",
            "storage",
            "--exclude-schema",
            "extensions",
        ],
        ["--include-schema", "public"],
    ],
    ids=["exclude-schema", "include-schema"],
)
def test_a_schema_using_an_unmanaged_schemas_table_and_function_plans_and_applies(
    server: Server, database: str, schema_dir: Path, capsys: Capsys, scope: list[str]
) -> None:
    build_platform(database)
    auth_before = dump(database, "auth")
    write_schema(
        schema_dir,
        """
        CREATE TABLE public.profiles (
            id uuid PRIMARY KEY REFERENCES auth.users (id),
            level auth.aal_level NOT NULL DEFAULT 'aal1'
        );
        ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;
        CREATE POLICY own ON public.profiles USING ((select auth.uid()) = id);
        CREATE FUNCTION public.me() RETURNS uuid LANGUAGE sql STABLE AS $$ SELECT auth.uid() $$;
        """,
    )
    args = cli_args(schema_dir, database, server, *scope)
    plan = run_cli(capsys, "plan", *args, "--format", "sql")
    assert plan.code == 0, plan.stderr
    assert "CREATE TABLE public.profiles" in plan.stdout
    assert "CREATE TABLE auth" not in plan.stdout and "CREATE TYPE auth" not in plan.stdout
    assert run_cli(capsys, "apply", *args, "--auto-approve").code == 0
    assert run_cli(capsys, "drift", *args).code == 0
    assert dump(database, "auth") == auth_before

    # What happens in auth later is the platform's business, not drift.
    execute(database, "ALTER TABLE auth.users ADD COLUMN phone text; CREATE TABLE auth.x (id int)")
    assert run_cli(capsys, "drift", *args).code == 0


def test_only_what_the_schema_uses_is_read_and_what_that_needs(
    server: Server, database: str, schema_dir: Path
) -> None:
    build_platform(database)
    write_schema(
        schema_dir,
        """
        CREATE TABLE public.logins (
            identity uuid REFERENCES auth.identities (id),
            token bigint,
            folder text[] DEFAULT storage.foldername('a/b')
        );
        """,
    )
    scope = Scope(exclude=("auth", "storage", "extensions"))
    statements = read_desired_state(schema_dir)
    names = external_names(statements, scope.is_external)
    assert sorted(str(name) for name in names if name.name) == [
        "auth.identities",
        "storage.foldername",
    ]
    with psycopg.connect(database, autocommit=True) as conn:
        external = read_external_objects(conn, names, scope)
    # identities, and users through its foreign key; not the tables nobody named.
    assert sorted(external.tables) == ["auth.identities", "auth.users"]
    assert sorted(external.constraints) == [
        "auth.identities.identities_pkey",
        "auth.identities.identities_user_id_fkey",
        "auth.users.users_pkey",
    ]
    assert list(external.functions) == ["storage.foldername(name text)"]
    # identities' default calls uuid_generate_v4(): its extension comes, not the function.
    assert list(external.extensions) == ['"uuid-ossp"']
    assert sorted(external.schemas) == ["auth", "extensions", "storage"]
    assert not external.privileges and not external.policies and not external.triggers


PLATFORM_KINDS = """
CREATE SCHEMA extensions;
CREATE EXTENSION citext WITH SCHEMA extensions;
CREATE SCHEMA platform;
CREATE TYPE platform.kind AS ENUM ('person', 'team');
CREATE DOMAIN platform.handle AS extensions.citext CHECK (VALUE ~ '^[a-z0-9_]+$');
CREATE TYPE platform.address AS (street text, city text);
CREATE TABLE platform.accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    handle platform.handle UNIQUE,
    kind platform.kind NOT NULL,
    address platform.address
);
CREATE TABLE platform.events (at timestamptz NOT NULL, account bigint) PARTITION BY RANGE (at);
CREATE TABLE platform.events_2026 PARTITION OF platform.events
    FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE FUNCTION platform.claim() RETURNS text LANGUAGE sql STABLE
    AS $$ SELECT current_setting('app.account', true) $$;
CREATE FUNCTION platform.current_account() RETURNS bigint LANGUAGE sql STABLE
    AS $$ SELECT nullif(platform.claim(), '')::bigint $$;
CREATE TABLE platform.unrelated (id int);
"""


def test_what_the_named_objects_need_comes_along_and_nothing_else(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, PLATFORM_KINDS)
    write_schema(
        schema_dir,
        """
        CREATE TABLE public.notes (
            account bigint REFERENCES platform.accounts (id) DEFAULT platform.current_account(),
            at timestamptz NOT NULL
        );
        CREATE VIEW public.recent AS SELECT * FROM platform.events WHERE at > now() - interval '1 day';
        """,
    )
    scope = Scope(exclude=("platform", "extensions"))
    with psycopg.connect(database, autocommit=True) as conn:
        names = external_names(read_desired_state(schema_dir), scope.is_external)
        external = read_external_objects(conn, names, scope)
    assert sorted(external.tables) == ["platform.accounts", "platform.events"]
    assert sorted(external.types) == ["platform.address", "platform.handle", "platform.kind"]
    assert sorted(external.functions) == ["platform.claim()", "platform.current_account()"]
    assert list(external.extensions) == ["citext"]

    args = cli_args(schema_dir, database, server, "--exclude-schema", "platform")
    args += ["--exclude-schema", "extensions"]
    assert run_cli(capsys, "apply", *args, "--auto-approve").code == 0
    assert run_cli(capsys, "drift", *args).code == 0


def test_an_extension_member_the_schema_uses_is_received_as_its_extension(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    build_platform(database)
    write_schema(
        schema_dir,
        "CREATE TABLE public.t (id uuid DEFAULT extensions.uuid_generate_v4() PRIMARY KEY,"
        " secret bytea DEFAULT extensions.gen_random_bytes(16));",
    )
    args = cli_args(schema_dir, database, server, "--exclude-schema", "extensions")
    args += ["--exclude-schema", "auth", "--exclude-schema", "storage"]
    plan = run_cli(capsys, "plan", *args, "--format", "sql")
    assert plan.code == 0, plan.stderr
    assert "EXTENSION" not in plan.stdout
    assert run_cli(capsys, "apply", *args, "--auto-approve").code == 0
    assert run_cli(capsys, "drift", *args).code == 0


def test_a_schema_using_a_schema_the_target_lacks_is_a_clear_error(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id uuid REFERENCES auth.users (id));")
    result = run_cli(
        capsys, "plan", *cli_args(schema_dir, database, server, "--exclude-schema", "auth")
    )
    assert result.code == 1
    assert "auth.users" in result.stderr and "does not have" in result.stderr
    assert catalog_of(database).tables == {}


def test_without_the_exclusion_the_referenced_schema_must_be_in_schema_folder(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    build_platform(database)
    write_schema(schema_dir, "CREATE TABLE t (id uuid REFERENCES auth.users (id));")
    result = run_cli(capsys, "plan", *cli_args(schema_dir, database, server))
    assert result.code == 1
    assert 'schema "auth" does not exist' in result.stderr


# Commands without a target of their own.


def test_migrate_diff_without_a_target_names_what_it_cannot_read(
    server: Server,
    schema_dir: Path,
    tmp_path: Path,
    capsys: Capsys,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    write_schema(schema_dir, PROFILES)
    migrations = tmp_path / "migrations"
    result = run_cli(
        capsys, "migrate", "diff", "init", "--schema", str(schema_dir),
        "--migrations", str(migrations), "--dev-url", server.url, "--profile", "supabase",
    )  # fmt: skip
    assert result.code == 1
    assert "auth.uid" in result.stderr and "auth.users" in result.stderr
    assert "--database-url" in result.stderr
    assert not migrations.exists()


def test_migration_files_for_a_supabase_project_apply_and_verify(
    server: Server, database: str, schema_dir: Path, tmp_path: Path, capsys: Capsys
) -> None:
    build_platform(database)
    auth_before = dump(database, "auth")
    write_schema(schema_dir, PROFILES)
    migrations = tmp_path / "migrations"
    common = ["--database-url", database, "--profile", "supabase"]
    written = run_cli(
        capsys, "migrate", "diff", "profiles", "--schema", str(schema_dir),
        "--migrations", str(migrations), "--dev-url", server.url, *common,
    )  # fmt: skip
    assert written.code == 0, written.stderr
    (up,) = migrations.glob("*.up.sql")
    assert "CREATE TABLE public.profiles" in up.read_text()
    assert "auth.users (" not in up.read_text() and "DEFAULT PRIVILEGES" not in up.read_text()
    assert "REVOKE" in up.read_text()  # anon's share of the platform's default grants

    applied = run_cli(
        capsys, "migrate", "apply", "--migrations", str(migrations), "--database-url", database
    )
    assert applied.code == 0, applied.stderr
    verified = run_cli(
        capsys, "verify", "--schema", str(schema_dir), "--migrations", str(migrations),
        "--dev-url", server.url, *common,
    )  # fmt: skip
    assert verified.code == 0, verified.stdout
    assert dump(database, "auth") == auth_before


def test_policy_tests_of_a_supabase_schema_run_with_the_platforms_auth(
    server: Server,
    database: str,
    schema_dir: Path,
    tmp_path: Path,
    capsys: Capsys,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    build_platform(database)
    write_schema(schema_dir, PROFILES)
    tests = tmp_path / "policy_tests"
    (tests / "fixtures").mkdir(parents=True)
    ada, eve = "00000000-0000-0000-0000-0000000000ad", "00000000-0000-0000-0000-0000000000e0"
    (tests / "fixtures" / "users.sql").write_text(
        f"INSERT INTO auth.users (id) VALUES ('{ada}'), ('{eve}');\n"
        f"INSERT INTO public.profiles (id, username) VALUES ('{ada}', 'ada'), ('{eve}', 'eve');\n"
    )
    (tests / "profiles.sql").write_text(
        f"""-- test: a signed-in user changes only their own profile
-- as: authenticated
-- set: request.jwt.claims = '{{"sub": "{ada}"}}'
-- expect: 2 rows
SELECT * FROM public.profiles;

-- expect: 1 row
UPDATE public.profiles SET avatar_url = 'a.png';

-- test: anonymous visitors only read
-- as: anon
-- expect: error insufficient_privilege
UPDATE public.profiles SET avatar_url = 'x.png';
"""
    )
    args = ["test", "--schema", str(schema_dir), "--tests", str(tests), "--dev-url", server.url]
    args += ["--profile", "supabase"]
    result = run_cli(capsys, *args, "--database-url", database)
    assert result.code == 0, result.stdout + result.stderr
    assert " 0 failed" in result.stdout
    without_target = run_cli(capsys, *args)
    assert without_target.code == 1 and "--database-url" in without_target.stderr


# Profiles as data.


def test_profiles_ship_as_data_files() -> None:
    assert {"supabase", "neon"} <= set(available_profiles())
    supabase = load_profile("supabase")
    assert {"auth", "storage", "realtime", "extensions", "graphql_public", "vault"} <= set(
        supabase.schemas
    )
    assert {"anon", "authenticated", "service_role", "supabase_admin"} <= set(supabase.roles)
    assert {"pg_graphql", "pgcrypto", "uuid-ossp", "supabase_vault"} <= set(supabase.extensions)
    neon = load_profile("neon")
    assert "neon_superuser" in neon.roles
    assert neon.poolers == ("Neon's connection pooler",)


def test_an_unknown_profile_is_an_error_naming_the_known_ones(
    database: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    result = run_cli(
        capsys, "plan", "--schema", str(schema_dir), "--database-url", database, "--profile", "x"
    )
    assert result.code == 1
    assert "unknown profile 'x'" in result.stderr and "supabase" in result.stderr


def test_a_supabase_project_dumps_with_the_profile_and_the_dump_plans_empty(
    server: Server, database: str, tmp_path: Path, capsys: Capsys
) -> None:
    build_platform(database)
    execute(database, PROFILES)
    folder = tmp_path / "schema"
    dumped = run_cli(
        capsys, "dump", "--database-url", database, "--out", str(folder), "--profile", "supabase"
    )
    assert dumped.code == 0, dumped.stderr
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.sql"))
    assert "public/tables/profiles.sql" in files
    assert not any(path.startswith(("auth/", "storage/", "extensions/")) for path in files)
    planned = run_cli(capsys, "plan", *cli_args(folder, database, server, "--profile", "supabase", "--exit-code"))  # fmt: skip
    assert planned.code == 0, planned.stdout + planned.stderr
