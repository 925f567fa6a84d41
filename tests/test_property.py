"""Property: for any sequence of schema edits, each plan applies, leaves no drift,
and its rollback restores the schema it started from.

The model is small on purpose (tables, columns, indexes, checks, foreign keys,
row-level security policies, a partitioned table whose partitions come, go and
change bounds);
hypothesis explores the sequences. Object kinds are added here as they land.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import psycopg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import apply_up, catalog_of, comparable, plan_for, run_steps, write_schema

TYPES = ("integer", "bigint", "text", "numeric(10,2)", "boolean")
TABLES = ("alpha", "beta", "gamma")
COLUMNS = ("a", "b", "c")


@dataclass(frozen=True)
class TableModel:
    columns: dict[str, tuple[str, bool]] = field(default_factory=dict)  # name -> (type, not null)
    index_on: str | None = None
    check_positive: str | None = None
    references: str | None = None  # another table's name
    policy_floor: int | None = None  # row-level security: a policy USING (id > floor)

    def sql(self, name: str) -> str:
        cols = ["id integer PRIMARY KEY"]
        cols += [
            f"{c} {t}{' NOT NULL' if nn else ''}" for c, (t, nn) in sorted(self.columns.items())
        ]
        if self.references:
            cols.append("ref_id integer")
        if self.check_positive:
            cols.append(f"CONSTRAINT {name}_positive CHECK ({self.check_positive} > 0)")
        statements = [f"CREATE TABLE {name} (\n    " + ",\n    ".join(cols) + "\n);"]
        if self.references:  # separate, so that two tables may reference each other
            statements.append(
                f"ALTER TABLE {name} ADD CONSTRAINT {name}_ref FOREIGN KEY (ref_id) "
                f"REFERENCES {self.references}(id) ON DELETE CASCADE;"
            )
        if self.index_on:
            statements.append(f"CREATE INDEX {name}_idx ON {name} ({self.index_on});")
        if self.policy_floor is not None:
            statements.append(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;")
            statements.append(
                f"CREATE POLICY {name}_rows ON {name} USING (id > {self.policy_floor});"
            )
        return "\n".join(statements)


@dataclass(frozen=True)
class EventsModel:
    """A range-partitioned table: yearly partitions, one of them re-boundable."""

    years: frozenset[int] = frozenset()
    recent_from: int | None = None  # events_recent: FROM (recent_from-01-01) TO (2030-01-01)
    indexed: bool = False

    def sql(self) -> str:
        statements = ["CREATE TABLE events (id int, at date NOT NULL) PARTITION BY RANGE (at);"]
        statements += [
            f"CREATE TABLE events_{y} PARTITION OF events FOR VALUES FROM ('{y}-01-01') TO ('{y + 1}-01-01');"
            for y in sorted(self.years)
        ]
        if self.recent_from is not None:
            statements.append(
                f"CREATE TABLE events_recent PARTITION OF events "
                f"FOR VALUES FROM ('{self.recent_from}-01-01') TO ('2030-01-01');"
            )
        if self.indexed:
            statements.append("CREATE INDEX events_at ON events (at);")
        return "\n".join(statements)


Schema = dict[str, TableModel | EventsModel]
EVENTS = "events"


def render(schema: Schema) -> str:
    parts = [
        model.sql() if isinstance(model, EventsModel) else model.sql(name)
        for name, model in sorted(schema.items())
    ]
    return "\n".join(parts) or "-- empty\n"


def edit_events(draw: st.DrawFn, schema: Schema) -> Schema:
    events = schema.get(EVENTS)
    if not isinstance(events, EventsModel):
        schema[EVENTS] = EventsModel()
        return schema
    action = draw(st.sampled_from(["year", "recent", "index", "drop"]))
    if action == "year":
        year = draw(st.sampled_from([2020, 2021, 2022]))
        schema[EVENTS] = replace(events, years=events.years ^ {year})
    elif action == "recent":
        schema[EVENTS] = replace(events, recent_from=draw(st.sampled_from([None, 2024, 2025])))
    elif action == "index":
        schema[EVENTS] = replace(events, indexed=not events.indexed)
    else:
        del schema[EVENTS]
    return schema


@st.composite
def edit(draw: st.DrawFn, schema: Schema) -> Schema:
    schema = dict(schema)
    name = draw(st.sampled_from((*TABLES, EVENTS)))
    if name == EVENTS:
        return edit_events(draw, schema)
    model = schema.get(name)
    assert not isinstance(model, EventsModel)
    if model is None:
        schema[name] = TableModel()
        return schema
    action = draw(
        st.sampled_from(["drop", "column", "drop_column", "index", "check", "fk", "type"])
    )
    numeric = [
        c for c, (t, _) in model.columns.items() if t in ("integer", "bigint", "numeric(10,2)")
    ]
    referenced = any(isinstance(m, TableModel) and m.references == name for m in schema.values())
    if action == "policy":
        schema[name] = replace(model, policy_floor=draw(st.sampled_from([None, 0, 10])))
    elif action == "drop" and not referenced:
        del schema[name]
    elif action == "column":
        column = draw(st.sampled_from(COLUMNS))
        columns = {**model.columns, column: (draw(st.sampled_from(TYPES)), draw(st.booleans()))}
        schema[name] = replace(model, columns=columns)
    elif action == "drop_column" and model.columns:
        column = draw(st.sampled_from(sorted(model.columns)))
        if column not in (model.index_on, model.check_positive):
            schema[name] = replace(
                model, columns={k: v for k, v in model.columns.items() if k != column}
            )
    elif action == "index":
        schema[name] = replace(model, index_on=draw(st.sampled_from([None, "id", *model.columns])))
    elif action == "check" and numeric:
        schema[name] = replace(model, check_positive=draw(st.sampled_from([None, *numeric])))
    elif action == "fk":
        others = [t for t, m in schema.items() if t != name and isinstance(m, TableModel)]
        schema[name] = replace(model, references=draw(st.sampled_from([None, *others])))
    elif action == "type" and model.columns:
        column = draw(st.sampled_from(sorted(model.columns)))
        if column not in (model.check_positive,):
            widened = {"integer": "bigint", "bigint": "numeric(10,2)"}.get(model.columns[column][0])
            if widened:
                columns = {**model.columns, column: (widened, model.columns[column][1])}
                schema[name] = replace(model, columns=columns)
    return schema


@st.composite
def edit_sequences(draw: st.DrawFn) -> list[Schema]:
    schemas: list[Schema] = []
    current: Schema = {}
    for _ in range(draw(st.integers(min_value=2, max_value=6))):
        current = draw(edit(current))
        schemas.append(current)
    return schemas


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI is deterministic for a commit
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=edit_sequences())
def test_every_edit_plans_applies_without_drift_and_rolls_back(
    server, database: str, tmp_path: Path, sequence: list[Schema]
) -> None:
    schema_dir = tmp_path / "schema"
    schema_dir.mkdir(exist_ok=True)
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    for schema in sequence:
        before = comparable(catalog_of(database))
        write_schema(schema_dir, render(schema))
        plan = plan_for(server.url, database, schema_dir)
        apply_up(database, plan)
        assert not plan_for(server.url, database, schema_dir).has_changes, render(schema)
        run_steps(database, plan.down_sql())
        assert comparable(catalog_of(database)) == before, render(schema)
        apply_up(database, plan_for(server.url, database, schema_dir))
