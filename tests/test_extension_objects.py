"""Objects that belong to an extension are the extension's, never the user's.

``CREATE EXTENSION`` makes tables (PostGIS's ``spatial_ref_sys``, pg_partman's
``part_config``), their constraints, indexes and sequences, functions, types, casts,
operators and operator classes. pg_depend marks each as a member (deptype 'e'); the
constraints and indexes of a member table are its own. None of them is ever planned:
the extension creates, upgrades and drops them. Tested with the real extensions.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import Server, execute, plan_for, round_trip, run_cli, sqls, write_schema

POSTGIS_APP = """
CREATE EXTENSION postgis;
CREATE TABLE places (
    id serial PRIMARY KEY,
    name text NOT NULL,
    geom geometry(Point, 4326) NOT NULL
);
CREATE INDEX places_geom_idx ON places USING gist (geom);
CREATE VIEW nearby AS SELECT id, name, ST_AsText(geom) AS wkt FROM places;
"""


def _mentions(plan_sql: list[str], *names: str) -> list[str]:
    return [sql for sql in plan_sql if any(name in sql for name in names)]


@pytest.mark.needs("postgis")
def test_a_postgis_schema_applies_from_empty_and_then_plans_nothing(
    server: Server, database: str, schema_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_schema(schema_dir, POSTGIS_APP)
    plan = plan_for(server.url, database, schema_dir)
    assert _mentions(sqls(plan), "spatial_ref_sys") == []
    common = ["--schema", str(schema_dir), "--database-url", database, "--dev-url", server.url]
    applied = run_cli(capsys, "apply", *common, "--auto-approve")
    assert applied.code == 0, applied.stderr or applied.stdout
    drift = run_cli(capsys, "drift", *common)
    assert drift.code == 0, drift.stdout + drift.stderr


@pytest.mark.needs("postgis")
def test_changes_next_to_postgis_round_trip_without_touching_its_objects(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        POSTGIS_APP,
        POSTGIS_APP
        + "CREATE TABLE routes (id bigint PRIMARY KEY, path geometry(LineString, 4326));",
    )
    assert sqls(plan) == [
        "CREATE TABLE public.routes (\n"
        "    id bigint NOT NULL,\n"
        "    path public.geometry(LineString,4326)\n"
        ");",
        "ALTER TABLE public.routes ADD CONSTRAINT routes_pkey PRIMARY KEY (id);",
    ]


@pytest.mark.needs("postgis")
def test_what_a_user_adds_to_an_extension_table_follows_pg_dump_and_is_not_planned(
    server: Server, database: str, schema_dir: Path
) -> None:
    # pg_dump leaves out every index of a member table, so a schema folder written from
    # a dump could not hold it either: it is the extension's table, not the schema's.
    write_schema(schema_dir, POSTGIS_APP)
    execute(database, POSTGIS_APP)
    execute(database, "CREATE INDEX srs_auth ON spatial_ref_sys (auth_name, auth_srid);")
    assert not plan_for(server.url, database, schema_dir).has_changes


@pytest.mark.needs("postgis", "postgis_topology")
def test_an_extension_with_its_own_schema_tables_and_sequences_plans_nothing_of_them(
    server: Server, database: str, schema_dir: Path
) -> None:
    # postgis_topology: tables topology and layer, a serial sequence, primary keys, a
    # foreign key and a unique constraint, all the extension's. Its control file names the
    # schema, which CREATE EXTENSION makes and does not own (pg_dump prints it too).
    schema = "CREATE EXTENSION postgis;\nCREATE EXTENSION postgis_topology;\n"
    plan = round_trip(server.url, database, schema_dir, "", schema)
    assert [sql for sql in sqls(plan) if sql.startswith("CREATE")] == [
        "CREATE SCHEMA topology;",
        "CREATE EXTENSION postgis WITH SCHEMA public VERSION '3.3.2';",
        "CREATE EXTENSION postgis_topology WITH SCHEMA topology VERSION '3.3.2';",
    ]
    assert {step.kind for step in plan.steps} == {"schema", "extension", "privilege", "comment"}
    assert [step.sql for step in plan.rollback][:2] == [
        "DROP EXTENSION postgis_topology;",
        "DROP EXTENSION postgis;",
    ]


@pytest.mark.needs("pg_partman")
def test_config_tables_in_a_user_schema_are_the_extensions(
    server: Server, database: str, schema_dir: Path
) -> None:
    # pg_partman's part_config and part_config_sub live in the user's schema "partman",
    # are marked as configuration (pg_extension.extconfig) and carry constraints.
    schema = "CREATE SCHEMA partman;\nCREATE EXTENSION pg_partman SCHEMA partman;\n"
    plan = round_trip(server.url, database, schema_dir, "", schema)
    assert _mentions(sqls(plan), "part_config") == []
    assert [step.kind for step in plan.steps] == ["schema", "extension"]
