"""Benchmark: catalog introspection of a large schema, side by side with pg_dump.

Builds N tables (each with a primary key, a foreign key, a check, a unique
constraint, two indexes, a default and a comment) in a throwaway server, then
times schemactl's introspection (one catalog query per object kind) against
``pg_dump --schema-only`` of the same database, in the same run. Absolute times
on a shared machine are noise; the ratio is the figure.

    python bench/introspection.py [--tables 2000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time

import psycopg

from schemactl.catalog import introspect
from schemactl.devdb.embedded import EmbeddedServer


def build(url: str, tables: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE parent (id bigint PRIMARY KEY)")
        for i in range(tables):
            conn.execute(
                f"""CREATE TABLE t{i} (
                    id bigint PRIMARY KEY,
                    parent_id bigint REFERENCES parent,
                    code text UNIQUE,
                    amount numeric(12, 2) CHECK (amount > 0),
                    status varchar(20) DEFAULT 'new' CHECK (status IN ('new', 'done')),
                    created_at timestamptz NOT NULL DEFAULT now());
                CREATE INDEX t{i}_created ON t{i} (created_at DESC);
                CREATE INDEX t{i}_open ON t{i} (parent_id) WHERE status = 'new';
                COMMENT ON TABLE t{i} IS 'table {i}';"""
            )


def timed(action: object, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with EmbeddedServer() as server:
        build(server.url, args.tables)
        pg_dump = str(server.bin_dir / "pg_dump")
        with psycopg.connect(server.url, autocommit=True) as conn:
            catalog = introspect(conn)
            ours = timed(lambda: introspect(conn), args.repeat)
        dump = timed(
            lambda: subprocess.run(
                [pg_dump, "--schema-only", server.url], capture_output=True, check=True
            ),
            args.repeat,
        )
    ours_median, dump_median = statistics.median(ours), statistics.median(dump)
    print(
        f"tables: {len(catalog.tables)}, constraints: {len(catalog.constraints)}, "
        f"indexes: {len(catalog.indexes)}"
    )
    print(f"schemactl introspection: median {ours_median:.3f}s over {args.repeat} runs")
    print(f"pg_dump --schema-only:   median {dump_median:.3f}s over {args.repeat} runs")
    print(f"ratio introspection / pg_dump: {ours_median / dump_median:.2f}")


if __name__ == "__main__":
    main()
