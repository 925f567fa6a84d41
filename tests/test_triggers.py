"""Triggers: created after their table and function, replaced in place, enabled or disabled
with ALTER TABLE, planned once on a partitioned parent; event triggers alike."""

from __future__ import annotations

from pathlib import Path

from tests.support import Server, catalog_of, execute, plan_for, round_trip, sqls, write_schema

BASE = """CREATE TABLE items (id int PRIMARY KEY, price numeric, touched_at timestamptz);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.touched_at := now(); RETURN NEW; END $$;"""

TRIGGER = "CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch();"

PRINTED = (
    "CREATE TRIGGER items_touch BEFORE UPDATE ON public.items FOR EACH ROW "
    "EXECUTE FUNCTION public.touch();"
)


def test_a_new_trigger_is_created_with_its_comment(
    server: Server, database: str, schema_dir: Path
) -> None:
    new = f"{BASE}\n{TRIGGER}\nCOMMENT ON TRIGGER items_touch ON items IS 'stamps rows';"
    plan = round_trip(server.url, database, schema_dir, BASE, new)
    assert sqls(plan) == [
        PRINTED,
        "COMMENT ON TRIGGER items_touch ON public.items IS 'stamps rows';",
    ]
    assert [s.sql for s in plan.rollback] == ["DROP TRIGGER items_touch ON public.items;"]


def test_a_trigger_on_a_new_table_comes_after_the_table_and_its_function(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(server.url, database, schema_dir, "", f"{BASE}\n{TRIGGER}")
    steps = sqls(plan)
    assert steps[-1] == PRINTED
    assert [s.sql for s in plan.rollback] == [
        "DROP TABLE public.items;",  # takes its trigger along
        "DROP FUNCTION public.touch();",
    ]


def test_a_changed_trigger_is_replaced_in_place(
    server: Server, database: str, schema_dir: Path
) -> None:
    changed = (
        "CREATE TRIGGER items_touch BEFORE INSERT OR UPDATE OF price ON items "
        "FOR EACH ROW WHEN (NEW.price IS NOT NULL) EXECUTE FUNCTION touch();"
    )
    plan = round_trip(server.url, database, schema_dir, f"{BASE}\n{TRIGGER}", f"{BASE}\n{changed}")
    assert sqls(plan) == [
        "CREATE OR REPLACE TRIGGER items_touch BEFORE INSERT OR UPDATE OF price ON public.items "
        "FOR EACH ROW WHEN ((new.price IS NOT NULL)) EXECUTE FUNCTION public.touch();"
    ]


def test_replacing_a_disabled_trigger_keeps_it_disabled(
    server: Server, database: str, schema_dir: Path
) -> None:
    disabled = "ALTER TABLE items DISABLE TRIGGER items_touch;"
    old = f"{BASE}\n{TRIGGER}\n{disabled}"
    new = f"{BASE}\n{TRIGGER.replace('BEFORE UPDATE', 'BEFORE INSERT')}\n{disabled}"
    plan = round_trip(server.url, database, schema_dir, old, new)
    assert sqls(plan)[1] == "ALTER TABLE public.items DISABLE TRIGGER items_touch;"


def test_a_trigger_whose_column_is_dropped_goes_before_the_column(
    server: Server, database: str, schema_dir: Path
) -> None:
    old = f"{BASE}\n" + TRIGGER.replace("BEFORE UPDATE", "BEFORE UPDATE OF price")
    new = f"{BASE.replace(', price numeric', '')}\n{TRIGGER}"
    plan = round_trip(server.url, database, schema_dir, old, new)
    assert sqls(plan) == [
        "DROP TRIGGER items_touch ON public.items;",
        "ALTER TABLE public.items DROP COLUMN price;",
        PRINTED,
    ]


def test_a_removed_trigger_is_dropped(server: Server, database: str, schema_dir: Path) -> None:
    plan = round_trip(server.url, database, schema_dir, f"{BASE}\n{TRIGGER}", BASE)
    assert sqls(plan) == ["DROP TRIGGER items_touch ON public.items;"]


def test_a_trigger_and_its_function_are_dropped_in_that_order(
    server: Server, database: str, schema_dir: Path
) -> None:
    table_only = "CREATE TABLE items (id int PRIMARY KEY, price numeric, touched_at timestamptz);"
    plan = round_trip(server.url, database, schema_dir, f"{BASE}\n{TRIGGER}", table_only)
    assert sqls(plan) == [
        "DROP TRIGGER items_touch ON public.items;",
        "DROP FUNCTION public.touch();",
    ]


def test_enabled_state_is_set_with_alter_table(
    server: Server, database: str, schema_dir: Path
) -> None:
    schema, old = f"{BASE}\n{TRIGGER}", f"{BASE}\n{TRIGGER}"
    for clause, printed in [
        ("DISABLE TRIGGER", "DISABLE TRIGGER"),
        ("ENABLE REPLICA TRIGGER", "ENABLE REPLICA TRIGGER"),
        ("ENABLE ALWAYS TRIGGER", "ENABLE ALWAYS TRIGGER"),
    ]:
        plan = round_trip(
            server.url,
            database,
            schema_dir,
            old,
            f"{schema}\nALTER TABLE items {clause} items_touch;",
        )
        assert sqls(plan) == [f"ALTER TABLE public.items {printed} items_touch;"]
        assert [s.sql for s in plan.rollback] == [
            "ALTER TABLE public.items ENABLE TRIGGER items_touch;"
        ]
        old = ""  # the target holds the old schema already


def test_a_changed_constraint_trigger_is_dropped_and_created(
    server: Server, database: str, schema_dir: Path
) -> None:
    constraint = (
        "CREATE CONSTRAINT TRIGGER items_check AFTER UPDATE ON items "
        "DEFERRABLE INITIALLY IMMEDIATE FOR EACH ROW EXECUTE FUNCTION touch();"
    )
    old, new = f"{BASE}\n{constraint}", f"{BASE}\n{constraint.replace('IMMEDIATE', 'DEFERRED')}"
    plan = round_trip(server.url, database, schema_dir, old, new)
    assert sqls(plan) == [
        "DROP TRIGGER items_check ON public.items;",
        "CREATE CONSTRAINT TRIGGER items_check AFTER UPDATE ON public.items DEFERRABLE "
        "INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.touch();",
    ]


PARTITIONED = """CREATE TABLE events (id int, at date, touched_at timestamptz) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.touched_at := now(); RETURN NEW; END $$;"""


def test_a_trigger_on_a_partitioned_table_is_planned_once_on_the_parent(
    server: Server, database: str, schema_dir: Path
) -> None:
    trigger = (
        "CREATE TRIGGER events_touch BEFORE UPDATE ON events FOR EACH ROW EXECUTE FUNCTION touch();"
    )
    plan = round_trip(server.url, database, schema_dir, PARTITIONED, f"{PARTITIONED}\n{trigger}")
    assert sqls(plan) == [
        "CREATE TRIGGER events_touch BEFORE UPDATE ON public.events FOR EACH ROW "
        "EXECUTE FUNCTION public.touch();"
    ]
    execute(database, trigger)
    assert list(catalog_of(database).triggers) == ["public.events.events_touch"]
    # Changing it, or dropping it, is planned on the parent alone as well.
    changed = trigger.replace("BEFORE UPDATE", "BEFORE INSERT")
    write_schema(schema_dir, f"{PARTITIONED}\n{changed}")
    assert [s.split(" ON ")[1] for s in sqls(plan_for(server.url, database, schema_dir))] == [
        "public.events FOR EACH ROW EXECUTE FUNCTION public.touch();"
    ]
    write_schema(schema_dir, PARTITIONED)
    assert sqls(plan_for(server.url, database, schema_dir)) == [
        "DROP TRIGGER events_touch ON public.events;"
    ]


EVENT_FUNCTION = """CREATE FUNCTION log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN RAISE NOTICE 'ddl: %', tg_tag; END $$;"""


def test_an_event_trigger_is_created_disabled_and_dropped(
    server: Server, database: str, schema_dir: Path
) -> None:
    event = "CREATE EVENT TRIGGER log_ddl ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION log_ddl();"
    plan = round_trip(
        server.url, database, schema_dir, EVENT_FUNCTION, f"{EVENT_FUNCTION}\n{event}"
    )
    assert sqls(plan) == [
        "CREATE EVENT TRIGGER log_ddl ON ddl_command_end WHEN TAG IN ('CREATE TABLE') "
        "EXECUTE FUNCTION public.log_ddl();"
    ]
    execute(database, event)
    disabled = f"{EVENT_FUNCTION}\n{event}\nALTER EVENT TRIGGER log_ddl DISABLE;"
    plan = round_trip(server.url, database, schema_dir, "", disabled)
    assert sqls(plan) == ["ALTER EVENT TRIGGER log_ddl DISABLE;"]
    write_schema(schema_dir, EVENT_FUNCTION)
    assert sqls(plan_for(server.url, database, schema_dir)) == ["DROP EVENT TRIGGER log_ddl;"]


def test_a_trigger_on_a_rebuilt_view_is_created_again_after_it(
    server: Server, database: str, schema_dir: Path
) -> None:
    view = """CREATE VIEW item_prices AS SELECT id, price, touched_at FROM items;
CREATE FUNCTION add_item() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO items (id) VALUES (NEW.id); RETURN NEW; END $$;
CREATE TRIGGER item_prices_insert INSTEAD OF INSERT ON item_prices
FOR EACH ROW EXECUTE FUNCTION add_item();"""
    old = f"{BASE}\n{view}"
    new = f"{BASE}\n" + view.replace("SELECT id, price, touched_at", "SELECT id, touched_at")
    plan = round_trip(server.url, database, schema_dir, old, new)
    steps = sqls(plan)
    assert steps[0] == "DROP VIEW public.item_prices;"
    assert steps[1].startswith("CREATE VIEW public.item_prices")
    assert steps[2] == (
        "CREATE TRIGGER item_prices_insert INSTEAD OF INSERT ON public.item_prices "
        "FOR EACH ROW EXECUTE FUNCTION public.add_item();"
    )
    assert "dependent_recreate" in plan.steps[2].hazard_kinds


WATCHING_PRICE = TRIGGER.replace("BEFORE UPDATE", "BEFORE UPDATE OF price").replace(
    "FOR EACH ROW", "FOR EACH ROW WHEN (NEW.price > 0)"
)


def test_an_unchanged_trigger_steps_aside_while_a_column_it_names_changes_type(
    server: Server, database: str, schema_dir: Path
) -> None:
    """PostgreSQL refuses ALTER COLUMN ... TYPE on a column that a trigger's UPDATE OF list
    or WHEN condition names; the trigger, the same on both sides, is dropped before and
    created after, and the plan says why."""
    old = f"{BASE}\n{WATCHING_PRICE}"
    new = f"{BASE.replace('price numeric', 'price numeric(12,2)')}\n{WATCHING_PRICE}"
    plan = round_trip(server.url, database, schema_dir, old, new)
    assert sqls(plan) == [
        "DROP TRIGGER items_touch ON public.items;",
        "ALTER TABLE public.items ALTER COLUMN price TYPE numeric(12,2) USING price::numeric(12,2);",
        "CREATE TRIGGER items_touch BEFORE UPDATE OF price ON public.items FOR EACH ROW "
        "WHEN ((new.price > (0)::numeric)) EXECUTE FUNCTION public.touch();",
    ]
    assert plan.steps[0].hazard_kinds == {"dependent_recreate"}
    assert "column price of public.items changes type" in plan.steps[0].hazards[0].reason


def test_a_changed_trigger_is_not_replaced_while_a_column_it_names_changes_collation(
    server: Server, database: str, schema_dir: Path
) -> None:
    """A new collation is a type change to PostgreSQL: CREATE OR REPLACE would come after
    the column's change, which the old trigger blocks, so it goes first."""
    base = BASE.replace("price numeric", "price numeric, label text")
    old = f"{base}\n" + TRIGGER.replace("FOR EACH ROW", "FOR EACH ROW WHEN (NEW.label <> '')")
    recollated = base.replace("label text", 'label text COLLATE "C"')
    new = f"{recollated}\n" + TRIGGER.replace(
        "FOR EACH ROW", "FOR EACH ROW WHEN (NEW.label IS NOT NULL)"
    )
    plan = round_trip(server.url, database, schema_dir, old, new)
    steps = sqls(plan)
    assert steps[0] == "DROP TRIGGER items_touch ON public.items;"
    assert steps[1].startswith("ALTER TABLE public.items ALTER COLUMN label TYPE text COLLATE")
    assert steps[2].startswith("CREATE TRIGGER items_touch BEFORE UPDATE ON public.items")
