"""Benchmark: ``schemactl fleet apply`` across many databases against a loop of applies.

Creates N databases (default 200) on one throwaway server, each holding the same
first version of a small schema, then times, in one run, bringing them to the
second version (one more table):

* ``schemactl fleet apply --parallel 8`` over all of them (desired state loaded once);
* the loop a team writes without fleet: ``schemactl apply`` once per database, in
  sequence, on a second set of N databases in the same state.

Both use the same server as dev server (``--dev-url``). It checks every database
reached the schema with one history row, and prints the times and their ratio.
Absolute times on a shared machine are noise; the ratio is the figure.

    python bench/fleet.py [--databases 200] [--parallel 8]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import conninfo, sql

from schemactl.devdb.embedded import EmbeddedServer

V1 = """
CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, created_at timestamptz DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint REFERENCES accounts, total numeric(12,2));
CREATE INDEX orders_account_idx ON orders (account_id);
"""
V2 = V1 + "CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint REFERENCES orders);\n"


def databases(server: EmbeddedServer, prefix: str, count: int) -> list[str]:
    urls = []
    with psycopg.connect(server.url, autocommit=True) as conn:
        for i in range(count):
            name = f"{prefix}{i:04d}"
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            urls.append(conninfo.make_conninfo(server.url, dbname=name))
    for url in urls:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(V1.encode())
    return urls


def schemactl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schemactl", *args], capture_output=True, text=True, check=False
    )


def check(urls: list[str]) -> None:
    for url in urls:
        with psycopg.connect(url) as conn:
            has = conn.execute("SELECT to_regclass('refunds') IS NOT NULL").fetchone()
            rows = conn.execute("SELECT count(*) FROM schemactl.history").fetchone()
        if not (has and has[0]) or rows != (1,):
            raise SystemExit(f"{url}: not brought to the schema with one history row")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--databases", type=int, default=200)
    parser.add_argument("--parallel", type=int, default=8)
    args = parser.parse_args()
    with (
        EmbeddedServer(settings={"max_connections": "300"}) as server,
        tempfile.TemporaryDirectory() as tmp,
    ):
        schema = Path(tmp) / "schema"
        schema.mkdir()
        (schema / "schema.sql").write_text(V2)
        fleet_urls = databases(server, "fleet_", args.databases)
        loop_urls = databases(server, "loop_", args.databases)
        targets = Path(tmp) / "targets.txt"
        targets.write_text("\n".join(fleet_urls) + "\n")

        started = time.monotonic()
        result = schemactl(
            "fleet", "apply", "--targets", str(targets), "--schema", str(schema),
            "--dev-url", server.url, "--auto-approve", "--parallel", str(args.parallel),
        )  # fmt: skip
        fleet_seconds = time.monotonic() - started
        if result.returncode != 0:
            raise SystemExit(result.stdout[-2000:] + result.stderr[-2000:])
        check(fleet_urls)

        started = time.monotonic()
        for url in loop_urls:
            done = schemactl(
                "apply", "--schema", str(schema), "--database-url", url,
                "--dev-url", server.url, "--auto-approve",
            )  # fmt: skip
            if done.returncode != 0:
                raise SystemExit(done.stderr[-2000:])
        loop_seconds = time.monotonic() - started
        check(loop_urls)

        drift = schemactl(
            "fleet", "drift", "--targets", str(targets), "--schema", str(schema),
            "--dev-url", server.url, "--parallel", str(args.parallel),
        )  # fmt: skip
        print(f"databases: {args.databases}")
        print(f"fleet apply --parallel {args.parallel}: {fleet_seconds:.1f} s")
        print(f"one apply per database, in sequence: {loop_seconds:.1f} s")
        print(f"ratio (sequence / fleet): {loop_seconds / fleet_seconds:.1f}x")
        print(
            f"fleet drift afterwards: exit {drift.returncode}, {drift.stdout.strip().splitlines()[-1]}"
        )


if __name__ == "__main__":
    main()
