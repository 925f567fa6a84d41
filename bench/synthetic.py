"""Synthetic schemas of N tables with every common object kind, in realistic proportions.

Per table: an identity key, a foreign key to its neighbour, a check, defaults, three
indexes (the key's among them) (a GIN index on every third table, a partial one on the others), comments.
Every 5th table has row-level security with a policy, every 10th a trigger, every 20th a
view, every 100th a materialized view with an index, and every 50th a partitioned table
of 12 monthly partitions beside it.

Two variants of one schema are written: ``current`` (what the target holds) and
``desired`` (the schema files), which differ in about 1% of the objects: added and
dropped columns and indexes, a changed check, default, comment and view. Each variant
is a schema folder (one file per table, as schemactl users write them) and one file in
load order (``all.sql``), which the other tools need (``psql -1 -f``).

    python -m bench.synthetic 1000 /tmp/synthetic
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

ROLES = ("bench_reader", "bench_writer")
TRIGGER_FUNCTION = """CREATE FUNCTION public.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION public.touch_updated_at() IS 'Sets updated_at on every update.';
"""
STATUS_TYPE = """CREATE TYPE public.status AS ENUM ('new', 'active', 'closed');

CREATE DOMAIN public.money_amount AS numeric(12,2) CHECK (VALUE >= 0);
"""
MONTHS = 12
PARTITION_YEAR = 2025


@dataclass(frozen=True)
class Variant:
    """Which side of the comparison a file is written for."""

    desired: bool

    def changed(self, i: int, slot: int) -> bool:
        """Whether table ``i`` carries change number ``slot`` in the desired variant: one
        table in a hundred per kind of change."""
        return self.desired and i % 100 == slot


ADDED_COLUMN, CHANGED_CHECK, ADDED_INDEX, DROPPED_INDEX, CHANGED_COMMENT, CHANGED_DEFAULT = (
    11,
    31,
    51,
    71,
    91,
    61,
)


def name(i: int) -> str:
    return f"t{i:05d}"


def table_sql(i: int, variant: Variant) -> str:
    """One table with its indexes, comments, security and trigger."""
    t = name(i)
    q = f"public.{t}"
    fk = (
        f"\n    parent_id bigint REFERENCES public.{name(i - 1)} (id) ON DELETE SET NULL,"
        if i
        else ""
    )
    minimum = 1 if variant.changed(i, CHANGED_CHECK) else 0
    default = "'active'" if variant.changed(i, CHANGED_DEFAULT) else "'new'"
    note = "\n    note text," if variant.changed(i, ADDED_COLUMN) else ""
    lines = [
        f"-- Table {i} of the synthetic schema.",
        f"CREATE TABLE {q} (",
        f"    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,{fk}",
        "    code text NOT NULL,",
        f"    status public.status NOT NULL DEFAULT {default},",
        f"    amount public.money_amount CHECK (amount >= {minimum}),",
        "    quantity integer NOT NULL DEFAULT 1,",
        "    tags text[] NOT NULL DEFAULT '{}',",
        f"    payload jsonb,{note}",
        "    created_at timestamptz NOT NULL DEFAULT now(),",
        "    updated_at timestamptz NOT NULL DEFAULT now()",
        ");",
        "",
    ]
    if i:
        lines.append(f"CREATE INDEX {t}_parent_idx ON {q} (parent_id);")
    if i % 3 == 0:
        lines.append(f"CREATE INDEX {t}_tags_idx ON {q} USING gin (tags);")
    else:
        lines.append(f"CREATE INDEX {t}_open_idx ON {q} (created_at) WHERE status <> 'closed';")
    if variant.changed(i, ADDED_INDEX):
        lines.append(f"CREATE INDEX {t}_updated_idx ON {q} (updated_at);")
    if i % 100 == DROPPED_INDEX and not variant.desired:
        lines.append(f"CREATE INDEX {t}_quantity_idx ON {q} (quantity);")
    comment = "changed" if variant.changed(i, CHANGED_COMMENT) else "of the synthetic schema"
    lines += [
        "",
        f"COMMENT ON TABLE {q} IS 'Table {i} {comment}.';",
        f"COMMENT ON COLUMN {q}.code IS 'The business key of table {i}.';",
    ]
    if i % 5 == 0:
        lines += [
            "",
            f"ALTER TABLE {q} ENABLE ROW LEVEL SECURITY;",
            f"CREATE POLICY {t}_readers ON {q} FOR SELECT TO bench_reader "
            "USING (status <> 'closed');",
            f"CREATE POLICY {t}_writers ON {q} FOR ALL TO bench_writer "
            "USING (true) WITH CHECK (quantity > 0);",
        ]
    if i % 10 == 0:
        lines += [
            "",
            f"CREATE TRIGGER {t}_touch BEFORE UPDATE ON {q}",
            "    FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();",
        ]
    return "\n".join(lines) + "\n"


def view_sql(i: int, variant: Variant) -> str:
    t = name(i)
    extra = ", amount" if variant.desired and i % 200 == 0 else ""
    return (
        f"CREATE VIEW public.v_{t} AS\n"
        f"    SELECT id, code, status{extra} FROM public.{t} WHERE status <> 'closed';\n\n"
        f"COMMENT ON VIEW public.v_{t} IS 'Open rows of table {i}.';\n"
    )


def materialized_view_sql(i: int) -> str:
    t = name(i)
    return (
        f"CREATE MATERIALIZED VIEW public.mv_{t} AS\n"
        f"    SELECT status, count(*) AS n, sum(quantity) AS quantity\n"
        f"    FROM public.{t} GROUP BY status;\n\n"
        f"CREATE UNIQUE INDEX mv_{t}_status ON public.mv_{t} (status);\n"
    )


def partitioned_sql(i: int) -> str:
    """A partitioned table of events with 12 monthly partitions."""
    e = f"e{i:05d}"
    lines = [
        f"CREATE TABLE public.{e} (",
        "    id bigint NOT NULL,",
        f"    t_id bigint REFERENCES public.{name(i)} (id),",
        "    occurred_at timestamptz NOT NULL,",
        "    kind text NOT NULL,",
        "    body jsonb,",
        f"    CONSTRAINT {e}_pkey PRIMARY KEY (id, occurred_at)",
        ") PARTITION BY RANGE (occurred_at);",
        "",
        f"CREATE INDEX {e}_t_idx ON public.{e} (t_id);",
        f"CREATE INDEX {e}_kind_idx ON public.{e} (kind, occurred_at);",
        "",
    ]
    for month in range(1, MONTHS + 1):
        start = f"{PARTITION_YEAR}-{month:02d}-01"
        year, following = (PARTITION_YEAR, month + 1) if month < MONTHS else (PARTITION_YEAR + 1, 1)
        end = f"{year}-{following:02d}-01"
        lines.append(
            f"CREATE TABLE public.{e}_m{month:02d} PARTITION OF public.{e}\n"
            f"    FOR VALUES FROM ('{start} 00:00:00+00') TO ('{end} 00:00:00+00');"
        )
    return "\n".join(lines) + "\n"


def files(tables: int, desired: bool) -> dict[str, str]:
    """The schema folder: relative path -> text, in load order."""
    variant = Variant(desired)
    written = {"00_common/types.sql": STATUS_TYPE, "00_common/functions.sql": TRIGGER_FUNCTION}
    for i in range(tables):
        written[f"10_tables/{name(i)}.sql"] = table_sql(i, variant)
        if i % 20 == 0:
            written[f"20_views/v_{name(i)}.sql"] = view_sql(i, variant)
        if i % 100 == 0:
            written[f"20_views/mv_{name(i)}.sql"] = materialized_view_sql(i)
        if i % 50 == 0:
            written[f"30_events/e{i:05d}.sql"] = partitioned_sql(i)
    return written


def write(tables: int, folder: Path, desired: bool) -> Path:
    """Write one variant: ``folder/schema/...`` and ``folder/all.sql``; returns ``folder``."""
    written = files(tables, desired)
    for relative, text in written.items():
        path = folder / "schema" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    # Tables come before the views and events that use them: path order is load order.
    (folder / "all.sql").write_text("\n".join(written[k] for k in sorted(written)))
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tables", type=int)
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    write(args.tables, args.folder / "current", desired=False)
    write(args.tables, args.folder / "desired", desired=True)


if __name__ == "__main__":
    main()
