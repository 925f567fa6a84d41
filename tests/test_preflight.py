"""Preflight: before apply (and in plan), the target's rows are asked whether each step
that can fail on data would succeed. A violated condition blocks apply with the step,
the table, a count and the remedy; nothing is changed, and preflight only reads."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from psycopg.pq import TransactionStatus

from schemactl.apply.preflight import ROW_LIMIT, PreflightReport, preflight
from schemactl.db import CountingCursor
from schemactl.plan import Plan
from tests.support import (
    CliResult,
    Server,
    catalog_of,
    comparable,
    execute,
    plan_for,
    run_cli,
    write_schema,
)

Capsys = pytest.CaptureFixture[str]


def preflight_of(
    server: Server, database: str, schema_dir: Path, old: str, new: str, online: bool = True
) -> tuple[Plan, PreflightReport]:
    execute(database, old)
    write_schema(schema_dir, new)
    plan = plan_for(server.url, database, schema_dir, online)
    with psycopg.connect(database, autocommit=True) as conn:
        return plan, preflight(conn, plan)


def problems(report: PreflightReport) -> list[str]:
    return [f.problem for f in report.blocking]


def apply(
    server: Server, database: str, schema_dir: Path, capsys: Capsys, *extra: str
) -> CliResult:
    args = ["--schema", str(schema_dir), "--database-url", database, "--dev-url", server.url]
    return run_cli(capsys, "apply", *args, "--auto-approve", *extra)


def test_a_not_null_column_without_a_default_on_a_table_with_rows_blocks_apply(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, "CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 3);")
    before = comparable(catalog_of(database))
    write_schema(schema_dir, "CREATE TABLE t (id int, email text NOT NULL);")
    refused = apply(server, database, schema_dir, capsys)
    assert refused.code == 1
    message = " ".join(refused.stderr.split())
    assert (
        "refusing to apply: the target's rows would make these steps fail (nothing was changed)"
        in message
    )
    assert "step 1 `ALTER TABLE public.t ADD COLUMN email text NOT NULL;`" in message
    assert "public.t has 3 rows: adding email NOT NULL without a DEFAULT fails" in message
    assert (
        "remedy: give email a DEFAULT, or add it without NOT NULL, fill it in a migration file"
        in message
    )
    assert comparable(catalog_of(database)) == before
    # The plan shows the same finding, under the tree.
    args = ["--schema", str(schema_dir), "--database-url", database, "--dev-url", server.url]
    shown = run_cli(capsys, "plan", *args, "--no-sql")
    assert shown.code == 0
    text = " ".join(shown.stdout.split())
    assert "1 would make apply fail" in text
    assert "public.t has 3 rows" in text


def test_an_empty_table_takes_the_not_null_column(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, "CREATE TABLE t (id int);")
    write_schema(schema_dir, "CREATE TABLE t (id int, email text NOT NULL);")
    applied = apply(server, database, schema_dir, capsys)
    assert applied.code == 0, applied.stderr
    assert "all hold" in applied.stdout


@pytest.mark.parametrize("online", [True, False], ids=["online", "offline"])
def test_set_not_null_over_nulls_is_found_with_its_count(
    server: Server, database: str, schema_dir: Path, online: bool
) -> None:
    _, report = preflight_of(
        server, database, schema_dir,
        "CREATE TABLE t (id int, name text); INSERT INTO t VALUES (1, 'a'), (2, NULL), (3, NULL);",
        "CREATE TABLE t (id int, name text NOT NULL);",
        online,
    )  # fmt: skip
    assert problems(report) == ["public.t: 2 rows with NULL in name"]
    (finding,) = report.blocking
    assert "SET NOT NULL" in finding.step.sql or "VALIDATE CONSTRAINT" in finding.step.sql
    assert "fill the NULLs in a migration file first" in finding.remedy


def test_a_new_unique_index_over_duplicates_is_found(
    server: Server, database: str, schema_dir: Path
) -> None:
    _, report = preflight_of(
        server, database, schema_dir,
        "CREATE TABLE t (email text, gone boolean);"
        "INSERT INTO t VALUES ('a@x', false), ('A@x', false), ('b@x', false), ('b@x', true), (NULL, false), (NULL, false);",
        "CREATE TABLE t (email text, gone boolean);"
        "CREATE UNIQUE INDEX t_email ON t (lower(email)) WHERE NOT gone;",
    )  # fmt: skip
    assert problems(report) == ["public.t: 1 value of ((lower(email))) held by more than one row"]
    assert report.blocking[0].remedy == "remove or merge the duplicates in a migration file first"


def test_a_unique_constraint_and_a_primary_key_over_bad_rows_are_found(
    server: Server, database: str, schema_dir: Path
) -> None:
    _, report = preflight_of(
        server, database, schema_dir,
        "CREATE TABLE t (id int, code text); INSERT INTO t VALUES (1, 'x'), (1, 'x'), (NULL, 'y');",
        "CREATE TABLE t (id int PRIMARY KEY, code text UNIQUE);",
    )  # fmt: skip
    assert sorted(problems(report)) == [
        "public.t: 1 row with NULL in id",
        "public.t: 1 value of (code) held by more than one row",
        "public.t: 1 value of (id) held by more than one row",
    ]


@pytest.mark.parametrize("online", [True, False], ids=["online", "offline"])
def test_a_check_over_violating_rows_is_found(
    server: Server, database: str, schema_dir: Path, online: bool
) -> None:
    _, report = preflight_of(
        server, database, schema_dir,
        "CREATE TABLE t (price numeric, note text); INSERT INTO t VALUES (1, 'a%'), (-1, 'b'), (0, 'c'), (NULL, 'd');",
        "CREATE TABLE t (price numeric CHECK (price > 0), note text CHECK (note LIKE '%'));",
        online,
    )  # fmt: skip
    assert problems(report) == ["public.t: 2 rows violating CHECK ((price > (0)::numeric))"]
    assert "NOT VALID" in report.blocking[0].remedy


def test_a_foreign_key_over_orphan_rows_is_found(
    server: Server, database: str, schema_dir: Path
) -> None:
    _, report = preflight_of(
        server, database, schema_dir,
        "CREATE TABLE p (id int PRIMARY KEY); INSERT INTO p VALUES (1);"
        "CREATE TABLE c (p_id int); INSERT INTO c VALUES (1), (2), (3), (NULL);",
        "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p_id int REFERENCES p);",
    )  # fmt: skip
    assert problems(report) == ["public.c: 2 rows without a match for (p_id) in public.p"]
    assert "declare the foreign key NOT VALID" in report.blocking[0].remedy


def test_a_type_change_whose_cast_fails_for_a_row_is_found(
    server: Server, database: str, schema_dir: Path
) -> None:
    _, report = preflight_of(
        server, database, schema_dir,
        "CREATE TABLE t (amount text); INSERT INTO t VALUES ('12'), ('abc'), ('7');",
        "CREATE TABLE t (amount integer);",
    )  # fmt: skip
    (problem,) = problems(report)
    assert problem.startswith("public.t: at least one row fails amount::integer: ")
    assert "invalid input syntax for type integer" in problem


def test_a_narrower_varchar_that_would_cut_values_is_found(
    server: Server, database: str, schema_dir: Path
) -> None:
    _, report = preflight_of(
        server, database, schema_dir,
        "CREATE TABLE t (code varchar(20)); INSERT INTO t VALUES ('short'), ('much too long for it');",
        "CREATE TABLE t (code varchar(10));",
    )  # fmt: skip
    (problem,) = problems(report)
    assert problem.startswith("public.t: 1 row with code longer than 10 characters")


def test_an_enum_value_removed_that_rows_still_hold_is_found(
    server: Server, database: str, schema_dir: Path
) -> None:
    _, report = preflight_of(
        server, database, schema_dir,
        "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); CREATE TABLE t (m mood);"
        "INSERT INTO t VALUES ('sad'), ('ok'), ('ok');",
        "CREATE TYPE mood AS ENUM ('sad', 'happy'); CREATE TABLE t (m mood);",
    )  # fmt: skip
    assert problems(report) == ["public.t: 2 rows still holding 'ok' in m, which the type loses"]
    assert "move those rows to another value" in report.blocking[0].remedy


def test_a_rebuilt_tables_rows_holding_a_label_its_enum_loses_are_found(
    server: Server, database: str, schema_dir: Path
) -> None:
    _, report = preflight_of(
        server, database, schema_dir,
        "CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE TABLE ev (at date NOT NULL, m mood);"
        "INSERT INTO ev VALUES ('2024-01-01', 'ok');",
        "CREATE TYPE mood AS ENUM ('sad'); CREATE TABLE ev (at date NOT NULL, m mood)"
        " PARTITION BY RANGE (at); CREATE TABLE ev_all PARTITION OF ev DEFAULT;",
    )  # fmt: skip
    assert problems(report) == ["public.ev: 1 row still holding 'ok' in m, which the type loses"]


def test_a_sequence_limit_moved_in_behind_its_current_value_is_found(
    server: Server, database: str, schema_dir: Path
) -> None:
    """An ascending sequence's MAXVALUE (a descending one's MINVALUE) lowered past the
    values it gave fails at apply ("RESTART value (50) cannot be greater than MAXVALUE
    (10)"); there is no moving back without reusing values, so the plan says so first."""
    _, report = preflight_of(
        server, database, schema_dir,
        "CREATE SEQUENCE ticket_no; SELECT setval('ticket_no', 50);"
        "CREATE SEQUENCE countdown INCREMENT BY -1; SELECT setval('countdown', -50);"
        "CREATE SEQUENCE spare; SELECT setval('spare', 5);"
        "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY, v int);"
        "SELECT setval('t_id_seq', 20);",
        "CREATE SEQUENCE ticket_no MAXVALUE 10;"
        "CREATE SEQUENCE countdown INCREMENT BY -1 MINVALUE -10;"
        "CREATE SEQUENCE spare MAXVALUE 10;"
        "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY (MAXVALUE 15), v int);",
    )  # fmt: skip
    assert sorted(problems(report)) == [
        "public.countdown stands at -50, outside its new MINVALUE -10",
        "public.t_id_seq stands at 20, outside its new MAXVALUE 15",
        "public.ticket_no stands at 50, outside its new MAXVALUE 10",
    ]
    assert "keep the limit at or beyond the current value" in report.blocking[0].remedy


def test_counts_stop_at_the_row_limit(server: Server, database: str, schema_dir: Path) -> None:
    _, report = preflight_of(
        server, database, schema_dir,
        f"CREATE TABLE t (a int); INSERT INTO t SELECT NULL FROM generate_series(1, {ROW_LIMIT + 5});",
        "CREATE TABLE t (a int NOT NULL);",
    )  # fmt: skip
    assert problems(report) == [f"public.t: more than {ROW_LIMIT} rows with NULL in a"]


def test_conditions_that_hold_find_nothing(server: Server, database: str, schema_dir: Path) -> None:
    _, report = preflight_of(
        server, database, schema_dir,
        "CREATE TABLE t (a int, b text); INSERT INTO t VALUES (1, '1'), (2, '2');",
        "CREATE TABLE t (a int NOT NULL UNIQUE CHECK (a > 0), b integer);",
    )  # fmt: skip
    assert report.checked >= 4
    assert report.findings == ()


def test_a_slow_check_is_reported_unchecked_and_blocks_nothing(
    server: Server, database: str, schema_dir: Path
) -> None:
    slow = "CREATE FUNCTION slow_ok(int) RETURNS boolean LANGUAGE sql AS 'SELECT pg_sleep(0.2) IS NOT NULL';"
    execute(database, slow + "CREATE TABLE t (a int); INSERT INTO t SELECT generate_series(1, 5);")
    write_schema(schema_dir, slow + "CREATE TABLE t (a int CHECK (public.slow_ok(a)));")
    plan = plan_for(server.url, database, schema_dir)
    with psycopg.connect(database, autocommit=True) as conn:
        report = preflight(conn, plan, timeout="100ms")
    assert report.blocking == []
    (unchecked,) = report.unchecked
    assert unchecked.problem == (
        "not checked whether every row satisfies CHECK (public.slow_ok(a)): the check of "
        "public.t took longer than 100ms (--preflight-timeout; --no-preflight skips it)"
    )
    assert report.summary() == f"{report.checked} condition(s) asked of the target's rows: " + (
        f"{report.checked - 1} hold, 1 could not be checked" if report.checked > 1
        else "1 could not be checked"
    )  # fmt: skip


def test_the_summary_counts_conditions_that_fail_and_that_hold_apart(
    server: Server, database: str, schema_dir: Path
) -> None:
    _, report = preflight_of(
        server, database, schema_dir,
        "CREATE TABLE t (a int, b text); INSERT INTO t VALUES (NULL, 'x'), (1, 'y');",
        "CREATE TABLE t (a int NOT NULL, b text UNIQUE);",
    )  # fmt: skip
    assert report.summary() == (
        f"{report.checked} condition(s) asked of the target's rows: "
        f"{report.checked - 1} hold, 1 would make apply fail"
    )


def test_preflight_only_reads(server: Server, database: str, schema_dir: Path) -> None:
    old = "CREATE TABLE t (a int, b text); INSERT INTO t VALUES (NULL, 'x'), (NULL, 'x');"
    execute(database, old)
    before = comparable(catalog_of(database))
    _, report = preflight_of(
        server, database, schema_dir, "", "CREATE TABLE t (a int NOT NULL, b text UNIQUE);"
    )
    assert len(report.blocking) == 2
    assert comparable(catalog_of(database)) == before
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (2,)


def test_no_preflight_skips_it_and_the_server_refuses_instead(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, "CREATE TABLE t (id int); INSERT INTO t VALUES (1);")
    before = comparable(catalog_of(database))
    write_schema(schema_dir, "CREATE TABLE t (id int, email text NOT NULL);")
    failed = apply(server, database, schema_dir, capsys, "--no-preflight")
    assert failed.code == 1
    assert "contains null values" in failed.stderr
    assert "nothing changed" in failed.stderr
    assert comparable(catalog_of(database)) == before


def test_a_reviewed_plan_file_is_preflighted_against_the_rows_of_the_day(
    server: Server, database: str, schema_dir: Path, capsys: Capsys, tmp_path: Path
) -> None:
    execute(database, "CREATE TABLE t (id int, name text);")
    write_schema(schema_dir, "CREATE TABLE t (id int, name text NOT NULL);")
    args = ["--schema", str(schema_dir), "--database-url", database, "--dev-url", server.url]
    plan_file = tmp_path / "plan.json"
    assert run_cli(capsys, "plan", *args, "--out", str(plan_file)).code == 0
    document = json.loads(plan_file.read_text())
    assert document["preflight"] == {"checked": 1, "findings": []}
    execute(database, "INSERT INTO t VALUES (1, NULL);")  # data only: the fingerprint holds
    refused = apply(server, database, schema_dir, capsys, "--plan", str(plan_file))
    assert refused.code == 1
    assert "public.t: 1 row with NULL in name" in refused.stderr


def test_plan_json_carries_the_findings(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    execute(database, "CREATE TABLE t (id int); INSERT INTO t VALUES (1), (1);")
    write_schema(schema_dir, "CREATE TABLE t (id int UNIQUE);")
    args = ["--schema", str(schema_dir), "--database-url", database, "--dev-url", server.url]
    document = json.loads(run_cli(capsys, "plan", *args, "--format", "json").stdout)
    (finding,) = document["preflight"]["findings"]
    assert finding["blocking"] is True
    assert finding["table"] == "public.t"
    assert finding["condition"] == "unique"
    assert finding["problem"] == "public.t: 1 value of (id) held by more than one row"
    assert finding["step"] == 1


def preflight_counted(
    server: Server, database: str, schema_dir: Path, counted: dict[str, int], old: str, new: str
) -> tuple[PreflightReport, int]:
    """The report, and how many query strings preflight sent the server."""
    execute(database, old)
    write_schema(schema_dir, new)
    plan = plan_for(server.url, database, schema_dir)
    with psycopg.connect(database, autocommit=True, cursor_factory=CountingCursor) as conn:
        before = counted.get("round_trips", 0)
        report = preflight(conn, plan)
        assert conn.info.transaction_status == TransactionStatus.IDLE
    return report, counted["round_trips"] - before


def test_every_condition_is_asked_in_one_round_trip(
    server: Server, database: str, schema_dir: Path, counted: dict[str, int]
) -> None:
    """A managed server is tens of milliseconds away: one query string holds every
    question, each in a read-only transaction of its own under the timeout."""
    report, sent = preflight_counted(
        server, database, schema_dir, counted,
        "CREATE TABLE t (id int, price numeric, note text);"
        "INSERT INTO t VALUES (1, 1, NULL), (1, -1, 'b'), (2, 2, 'c');",
        "CREATE TABLE t (id int UNIQUE, price numeric CHECK (price > 0), note text NOT NULL);",
    )  # fmt: skip
    assert sorted(problems(report)) == [
        "public.t: 1 row violating CHECK ((price > (0)::numeric))",
        "public.t: 1 row with NULL in note",
        "public.t: 1 value of (id) held by more than one row",
    ]
    assert report.checked == 3 and sent == 1


def test_a_question_that_fails_has_each_asked_again_alone_and_spoils_none_of_the_others(
    server: Server, database: str, schema_dir: Path, counted: dict[str, int]
) -> None:
    """The failure (here a cast that fails on a row) is put on its own condition; the
    connection is left outside a transaction."""
    report, sent = preflight_counted(
        server, database, schema_dir, counted,
        "CREATE TABLE t (amount text, price numeric, note text);"
        "INSERT INTO t VALUES ('12', 1, NULL), ('abc', -1, 'b'), ('7', 2, 'c');",
        "CREATE TABLE t (amount integer, price numeric CHECK (price > 0), note text NOT NULL);",
    )  # fmt: skip
    found = problems(report)
    assert any(p.startswith("public.t: at least one row fails amount::integer") for p in found)
    assert "public.t: 1 row violating CHECK ((price > (0)::numeric))" in found
    assert "public.t: 1 row with NULL in note" in found
    # together, then a ROLLBACK; each alone, and a ROLLBACK for the failed cast again
    assert sent == 2 + report.checked + 1


def test_a_check_naming_a_label_the_plan_adds_is_reported_unchecked_with_why(
    server: Server, database: str, schema_dir: Path
) -> None:
    _, report = preflight_of(
        server, database, schema_dir,
        "CREATE TYPE status AS ENUM ('open'); CREATE TABLE t (s status);"
        "INSERT INTO t VALUES ('open');",
        "CREATE TYPE status AS ENUM ('open', 'new'); CREATE TABLE t (s status CHECK (s <> 'new'));",
    )  # fmt: skip
    assert report.blocking == []
    (unchecked,) = report.unchecked
    assert unchecked.problem == (
        "not checked whether every row satisfies CHECK ((s <> 'new'::public.status)): "
        'invalid input value for enum status: "new" (the plan adds the label first)'
    )


def test_conditions_over_columns_the_plan_adds_are_asked_of_the_values_rows_will_hold(
    server: Server, database: str, schema_dir: Path
) -> None:
    """A column the plan adds holds its default (or NULL) in every existing row: keys and
    checks over it are asked of the rows as the plan leaves them, not left unchecked."""
    _, report = preflight_of(
        server, database, schema_dir,
        "CREATE TABLE t (id int PRIMARY KEY, email text); INSERT INTO t VALUES (1, 'a'), (2, 'a'), (3, 'b');",
        "CREATE TABLE t (id int, email text, tenant int NOT NULL DEFAULT 1, region text,"
        " status text NOT NULL DEFAULT 'draft' CHECK (status IN ('active', 'closed')),"
        " PRIMARY KEY (tenant, id), UNIQUE (tenant, email), UNIQUE (region, email));",
    )  # fmt: skip
    assert sorted(problems(report)) == [
        "public.t: 1 value of (tenant, email) held by more than one row",
        "public.t: 3 rows violating CHECK ((status = ANY (ARRAY['active'::text, 'closed'::text])))",
    ]
    assert report.unchecked == []
    assert "3 hold" in report.summary()
    (check,) = (f for f in report.blocking if "CHECK" in f.problem)
    assert check.remedy.startswith("the existing rows get the DEFAULT of status, which the plan")


def test_a_foreign_key_over_columns_both_tables_gain_is_asked_of_both_defaults(
    server: Server, database: str, schema_dir: Path
) -> None:
    _, report = preflight_of(
        server, database, schema_dir,
        "CREATE TABLE p (id int PRIMARY KEY); INSERT INTO p VALUES (1), (2);"
        "CREATE TABLE c (p_id int); INSERT INTO c VALUES (1), (2);",
        "CREATE TABLE p (id int, tenant int NOT NULL DEFAULT 1, PRIMARY KEY (tenant, id));"
        "CREATE TABLE c (p_id int, tenant int NOT NULL DEFAULT 2,"
        " FOREIGN KEY (tenant, p_id) REFERENCES p (tenant, id));",
    )  # fmt: skip
    assert problems(report) == ["public.c: 2 rows without a match for (tenant, p_id) in public.p"]


def test_a_check_over_a_new_column_that_existing_rows_break_refuses_the_online_apply(
    server: Server, database: str, schema_dir: Path, capsys: Capsys
) -> None:
    """Online, the plan runs in several transactions: without the finding, the steps
    before the validation were committed and the apply stopped half way."""
    execute(database, "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2);")
    before = comparable(catalog_of(database))
    write_schema(
        schema_dir,
        "CREATE TABLE t (id int PRIMARY KEY, email text UNIQUE,"
        " status text NOT NULL DEFAULT 'draft' CHECK (status IN ('active', 'closed')));",
    )
    refused = apply(server, database, schema_dir, capsys, "--online")
    assert refused.code == 1
    assert "public.t: 2 rows violating CHECK" in " ".join(refused.stderr.split())
    assert comparable(catalog_of(database)) == before


def test_a_column_whose_rows_get_values_preflight_cannot_know_leaves_its_conditions_unchecked(
    server: Server, database: str, schema_dir: Path
) -> None:
    """A volatile default gives each row its own value when the column is added (and
    asking it could move a sequence on); a domain's default is the domain's. Such
    conditions are reported unchecked, each saying what it would have asked."""
    _, report = preflight_of(
        server, database, schema_dir,
        "CREATE DOMAIN five AS int DEFAULT 5; CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2);",
        "CREATE DOMAIN five AS int DEFAULT 5;"
        "CREATE TABLE t (id int, token uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,"
        " f five CHECK (f < 3));",
    )  # fmt: skip
    assert report.blocking == []
    assert sorted(f.problem for f in report.unchecked) == [
        'not checked whether (token) is unique: column "token" does not exist '
        "(the plan creates it first)",
        'not checked whether every row satisfies CHECK (((f)::integer < 3)): column "f" does not '
        "exist (the plan creates it first)",
    ]


def test_a_foreign_key_to_a_table_the_plan_creates_finds_every_row_that_names_one(
    server: Server, database: str, schema_dir: Path
) -> None:
    """The new table is empty when the foreign key is added: every row whose key is not
    NULL is an orphan. (Asked of the target, the question failed for want of the table
    and was reported unchecked; online, the apply then stopped at the validation.)"""
    _, report = preflight_of(
        server, database, schema_dir,
        "CREATE TABLE t (id int, status_id int); INSERT INTO t VALUES (1, 1), (2, 1), (3, NULL);",
        "CREATE TABLE statuses (id int PRIMARY KEY, name text);"
        "CREATE TABLE t (id int, status_id int REFERENCES statuses);",
    )  # fmt: skip
    assert problems(report) == [
        "public.t: 2 rows without a match for (status_id) in public.statuses, which the plan "
        "creates empty"
    ]
    assert report.blocking[0].remedy.startswith("fill public.statuses in a migration file first")
