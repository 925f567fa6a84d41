"""Syntax trees of the source stage: pglast's nodes built faster but the same, and the
one walk per statement every reader shares (no database needed)."""

from __future__ import annotations

import gc
import subprocess
import sys
from enum import Enum
from pathlib import Path
from typing import Any

import pglast
import pytest
from pglast import ast, parser

from schemactl.errors import SchemaSourceError
from schemactl.source import pglast_nodes, read_desired_state
from schemactl.source.syntax import group, grouped, of, read_classes, walk, walked

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_SCHEMA = REPO_ROOT / "schema"


def example_trees() -> list[Any]:
    return [
        raw.stmt
        for path in sorted(EXAMPLE_SCHEMA.rglob("*.sql"))
        for raw in parser.parse_sql(path.read_text())
    ]


def exactly(value: Any) -> Any:
    """A value with every type spelled out: equal only for identical trees (types, tuples,
    enums and positions included, unlike pglast's own comparison)."""
    if isinstance(value, ast.Node):
        return (type(value), tuple((name, exactly(getattr(value, name))) for name in value))
    if isinstance(value, tuple):
        return (tuple, tuple(exactly(item) for item in value))
    if isinstance(value, Enum):
        return (type(value), value.name)
    if isinstance(value, set):
        return (set, tuple(sorted(value)))
    return (type(value), value)


def built_by_pglast(node: ast.Node) -> ast.Node:
    """``node`` built again by pglast's own ``__init__``, every attribute through
    ``Node.__setattr__``."""
    original = pglast_nodes.pglast_init(type(node))
    copy = type(node).__new__(type(node))
    original(copy, *(getattr(node, name) for name in node))
    return copy


def test_the_parser_builds_what_pglast_itself_would_build() -> None:
    assert pglast_nodes.install()
    nodes = [node for tree in example_trees() for node in walk(tree)]
    assert len(nodes) > 1000
    for node in nodes:
        assert exactly(node) == exactly(built_by_pglast(node))


def test_the_compiled_checks_of_busy_classes_store_what_the_generic_ones_store() -> None:
    rules = pglast_nodes._Rules(pglast_nodes._node_classes())
    inits: dict[type, list[Any]] = {}
    for node in (node for tree in example_trees() for node in walk(tree)):
        cls = type(node)
        if cls not in inits:
            shape = pglast_nodes._shape(cls, pglast_nodes.pglast_init(cls), rules)
            assert shape is not None, cls
            inits[cls] = [
                pglast_nodes._generic_init(cls, *shape),
                pglast_nodes._compiled_init(cls, *shape),
            ]
        for init in inits[cls]:
            copy = cls.__new__(cls)
            init(copy, *(getattr(node, name) for name in node))
            assert exactly(copy) == exactly(node)
            with pytest.raises(ValueError):
                init(cls.__new__(cls), *(object() for _ in node))


def test_values_pglast_converts_or_refuses_still_go_through_pglast() -> None:
    assert pglast_nodes.install()
    from_dict = ast.RangeVar({"@": "RangeVar", "relname": "trips", "inh": 1})
    assert exactly(from_dict) == exactly(ast.RangeVar(relname="trips", inh=True))
    assert (
        ast.Constraint(contype="CONSTR_CHECK").contype
        is ast.Constraint(contype=pglast.enums.ConstrType.CONSTR_CHECK).contype
    )
    assert ast.ColumnDef(constraints=[ast.Constraint()]).constraints.__class__ is tuple
    assert ast.Boolean(1).boolval is True
    with pytest.raises(ValueError, match="RangeVar.relname"):
        ast.RangeVar(relname=3)
    with pytest.raises(ValueError, match="single char"):
        ast.RangeVar(relpersistence="pp")


def test_another_pglast_version_keeps_pglasts_own_construction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pglast, "__version__", "v99.0")
    monkeypatch.setattr(pglast_nodes, "_installed", False)
    assert not pglast_nodes.install()


def reference_walk(node: Any) -> list[Any]:
    """Depth first, last attribute first: the order the walk has always had."""
    found: list[Any] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, tuple | list):
            stack.extend(current)
        elif isinstance(current, ast.Node):
            found.append(current)
            stack.extend(
                value
                for name in current
                if name != "ancestors" and (value := getattr(current, name)) is not None
            )
    return found


def test_the_walk_visits_every_node_once_in_its_usual_order() -> None:
    for tree in example_trees():
        assert [id(n) for n in walk(tree)] == [id(n) for n in reference_walk(tree)]


def test_a_statements_nodes_are_grouped_by_class_in_one_walk() -> None:
    for tree in example_trees():
        groups, every = walked(tree)
        assert [id(n) for n in every] == [id(n) for n in walk(tree)]
        assert {cls: [id(n) for n in nodes] for cls, nodes in groups.items()} == {
            cls: [id(n) for n in nodes]
            for cls, nodes in grouped(walk(tree)).items()
            if cls in read_classes()
        }
        assert set(groups) <= read_classes()
        assert group(tree) == groups
    with pytest.raises(KeyError, match="ColumnDef"):
        of(groups, ast.ColumnDef)


def test_node_classes_are_leaves_so_readers_find_nodes_by_their_class() -> None:
    def subclasses(cls: type) -> list[type]:
        return [s for sub in cls.__subclasses__() for s in (sub, *subclasses(sub))]

    with_subclasses = {cls for cls in subclasses(ast.Node) if cls.__subclasses__()}
    assert with_subclasses <= {ast.Expr}


def test_a_statement_walks_its_tree_once_for_every_reader(schema_dir: Path) -> None:
    (schema_dir / "trips.sql").write_text(
        "CREATE TABLE trips (id int PRIMARY KEY, owner text DEFAULT current_user);\n"
        "CREATE POLICY mine ON trips TO app_user USING (owner = current_user);\n"
    )
    statements = read_desired_state(schema_dir)
    for statement in statements:
        assert statement.node_groups is statement.node_groups
        assert sorted(map(id, statement.nodes)) == sorted(map(id, walk(statement.node)))
    policy = next(s for s in statements if s.kind == "CreatePolicyStmt")
    assert [r.rolename for r in policy.node_groups[ast.RoleSpec]] == ["app_user"]


def test_the_cycle_collector_runs_again_after_reading_even_a_bad_folder(
    schema_dir: Path,
) -> None:
    (schema_dir / "bad.sql").write_text("CREATE TABLE (;\n")
    with pytest.raises(SchemaSourceError):
        read_desired_state(schema_dir)
    assert gc.isenabled()
    (schema_dir / "bad.sql").write_text("CREATE TABLE trips (id int);\n")
    assert len(read_desired_state(schema_dir)) == 1
    assert gc.isenabled()


def test_places_in_a_long_file_name_their_line_and_column(schema_dir: Path) -> None:
    tables = "".join(f"CREATE TABLE t{i} (\n    id int\n);\n" for i in range(4000))
    (schema_dir / "dump.sql").write_text(tables + "CREATE TABLE broken (;\n")
    with pytest.raises(SchemaSourceError) as raised:
        read_desired_state(schema_dir)
    assert raised.value.location.line == 3 * 4000 + 1
    assert raised.value.location.column == 22
    (schema_dir / "dump.sql").write_text(tables)
    last = read_desired_state(schema_dir)[-1]
    assert (last.location().line, last.location().column) == (3 * 3999 + 1, 1)
    assert last.location(len("CREATE TABLE t3999 (\n    ")).line == 3 * 3999 + 2


def test_the_parsers_stand_ins_are_its_modules_once_read() -> None:
    """source/pglast_modules.py: each stand-in reads as the real module; the keyword
    lists, needed to quote names on runs that parse nothing, come without pglast."""
    import pglast.keywords
    import pglast.parser

    from schemactl.source import pglast_modules

    assert pglast_modules.parser.parse_sql is pglast.parser.parse_sql
    assert pglast_modules.ast.CreateStmt is pglast.ast.CreateStmt
    for name in ("RESERVED_KEYWORDS", "TYPE_FUNC_NAME_KEYWORDS", "COL_NAME_KEYWORDS"):
        assert getattr(pglast_modules.keywords, name) == getattr(pglast.keywords, name)
    probe = (
        "import sys\n"
        "from schemactl.identifiers import quote_ident\n"
        "print(quote_ident('select'), quote_ident('plain'), 'pglast' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stdout.split() == ['"select"', "plain", "False"], done.stderr
