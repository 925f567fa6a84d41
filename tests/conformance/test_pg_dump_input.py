"""pg_dump output of conformance cases, unmodified in schema/, plans empty against its source.

The cases whose desired state has functions, policies, partitions, views and
materialized views, dependency chains between them, and default privileges: a
database D is loaded with setup + new, ``pg_dump --schema-only`` of D (plain, and
with ``--clean --if-exists``) is the schema folder, and ``plan --exit-code`` against
D must find nothing. A case whose SQL does not load on this server is skipped.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from schemactl.devdb.loader import ensure_roles
from tests.conformance.corpus import CORPUS, Case, cases
from tests.support import pg_dump, run_cli

CATEGORIES = (
    "create_function",
    "create_policy",
    "create_view",
    "create_materialized_view",
    "create_trigger",
    "dependency",
)
PARTITIONS = "PARTITION"


def _chosen(case: Case) -> bool:
    category = case.id.split("/", 1)[0]
    return (
        category in CATEGORIES
        or PARTITIONS in case.new_sql().upper()
        or case.id == "privilege/revoke_default_privilege"
    )


CHOSEN = [case for case in cases() if _chosen(case)]

# On the default server only: tests/test_pg_dump_input.py runs each version's pg_dump.
pytestmark = pytest.mark.conformance

if not CHOSEN:
    pytest.skip(
        f"conformance corpus not found at {CORPUS} (../shared is absent)", allow_module_level=True
    )


@pytest.mark.parametrize("case", CHOSEN, ids=[case.id for case in CHOSEN])
def test_pg_dump_of_the_desired_state_plans_empty(
    case: Case, server, database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with psycopg.connect(server.url, autocommit=True) as conn:
        ensure_roles(conn, case.roles)
    try:
        with psycopg.connect(database, autocommit=True) as conn:
            for part in (case.setup_sql(), case.new_sql()):
                if part.strip():
                    conn.execute(part.encode())
    except psycopg.Error as exc:
        pytest.skip(f"does not load on this server: {exc.diag.message_primary}")
    for variant, options in (("plain", ()), ("clean", ("--clean", "--if-exists"))):
        folder = tmp_path / variant
        folder.mkdir()
        (folder / "dump.sql").write_text(pg_dump(database, *options))
        planned = run_cli(
            capsys, "plan", "--schema", str(folder), "--database-url", database,
            "--dev-url", server.url, "--allow-empty", "--exit-code",
        )  # fmt: skip
        assert planned.code == 0, f"{variant}: {planned.stdout}{planned.stderr}"
