"""The README's tutorial, run word for word as a new user would type it.

The commands are read from README.md itself (the ``sh`` blocks of the tutorial
section), so the tutorial and this specification cannot disagree. The test gives
the tutorial what it asks the reader for: schemactl on PATH, ``psql``, and a
database named by ``DATABASE_URL`` (plus the suite's server for dev databases).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.support import Server

README = Path(__file__).resolve().parent.parent / "README.md"
HEADING = "## Tutorial: an existing database, under schemactl"
TIMEOUT_SECONDS = 900


def tutorial_blocks() -> list[str]:
    """The tutorial's shell blocks, in order."""
    text = README.read_text()
    assert HEADING in text, "the README lost its tutorial"
    section = text.split(HEADING, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```sh\n(.*?)^```$", section, re.S | re.M)


def test_the_tutorial_has_each_step() -> None:
    script = "\n".join(tutorial_blocks())
    for step in (
        "schemactl init shop --from-database",
        "schemactl plan --env dev",
        "schemactl apply --env dev --auto-approve",
        "-- @renamed from=fullname",
        "schemactl drift --env prod",
    ):
        assert step in script


@pytest.mark.skipif(shutil.which("psql") is None, reason="the tutorial uses psql")
def test_the_readme_tutorial_runs_word_for_word(
    server: Server, database: str, tmp_path: Path
) -> None:
    script = "set -euo pipefail\n" + "\n".join(tutorial_blocks())
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SCHEMACTL_", "PG")) and not key.endswith("DATABASE_URL")
    }
    env.update(
        DATABASE_URL=database,
        SCHEMACTL_DEV_URL=server.url,
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    run = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
    )  # fmt: skip
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    said = " ".join(run.stdout.split())
    assert "customers.sql orders.sql" in said  # ls schema/public/tables
    assert "No changes: the database matches the schema." in said
    assert "CREATE INDEX CONCURRENTLY orders_placed_at_idx ON public.orders" in said
    assert "ALTER TABLE public.customers RENAME COLUMN fullname TO full_name;" in said
    assert "DROP COLUMN" not in said
    assert "drift found (exit 2)" in said
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT id, full_name FROM customers").fetchall() == [
            (1, "Ada Lovelace")
        ]
        indexes = {
            row[0]
            for row in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'orders'")
        }
    assert {"orders_placed_at_idx", "orders_customer_idx"} <= indexes
    project = tmp_path / "shop"
    assert (project / ".github/workflows/schema-drift.yml").is_file()
    assert (
        "-- @renamed from=fullname" in (project / "schema/public/tables/customers.sql").read_text()
    )
