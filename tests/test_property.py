"""Property: for any sequence of schema edits, each plan applies, leaves no drift,
and its rollback restores the schema it started from.

The model is small on purpose (tables, columns, indexes, checks, foreign keys);
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

    def sql(self, name: str) -> str:
        cols = ["id integer PRIMARY KEY"]
        cols += [
            f"{c} {t}{' NOT NULL' if nn else ''}" for c, (t, nn) in sorted(self.columns.items())
        ]
        if self.references:
            cols.append(f"ref_id integer REFERENCES {self.references}(id) ON DELETE CASCADE")
        if self.check_positive:
            cols.append(f"CONSTRAINT {name}_positive CHECK ({self.check_positive} > 0)")
        statements = [f"CREATE TABLE {name} (\n    " + ",\n    ".join(cols) + "\n);"]
        if self.index_on:
            statements.append(f"CREATE INDEX {name}_idx ON {name} ({self.index_on});")
        return "\n".join(statements)


Schema = dict[str, TableModel]


def render(schema: Schema) -> str:
    return "\n".join(model.sql(name) for name, model in sorted(schema.items())) or "-- empty\n"


@st.composite
def edit(draw: st.DrawFn, schema: Schema) -> Schema:
    schema = dict(schema)
    name = draw(st.sampled_from(TABLES))
    model = schema.get(name)
    if model is None:
        schema[name] = TableModel()
        return schema
    action = draw(
        st.sampled_from(["drop", "column", "drop_column", "index", "check", "fk", "type"])
    )
    numeric = [
        c for c, (t, _) in model.columns.items() if t in ("integer", "bigint", "numeric(10,2)")
    ]
    if action == "drop" and not any(m.references == name for m in schema.values()):
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
        others = [t for t in schema if t != name]
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
    max_examples=12,
    deadline=None,
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
