"""Walking pglast syntax trees: every node below a tree, once per statement.

Several readers of the source stage need the nodes of each statement (load order,
references to external objects, role names, refusals). A schema of thousands of
statements has hundreds of thousands of nodes, and walking them in Python is the
costly part: a statement walks its tree once (:attr:`Statement.node_groups`) and keeps
the nodes its readers look at grouped by class (:func:`read_classes`: range variables, type
names, function calls, role specifications...), so each reader visits only those.

pglast's node classes are leaves (only the abstract ``Node`` and ``Expr`` have
subclasses), so a node's class is the key its readers look it up under.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from operator import attrgetter
from typing import Any

from schemactl.source.pglast_modules import ast

# Syntax nodes grouped by class, each group in walk order.
NodeGroups = Mapping[type, list[Any]]

_READ: frozenset[type] | None = None


def read_classes() -> frozenset[type]:
    """The node classes the source stage's readers look at (load order, references,
    object names, roles): the walk groups these and no others. Made on the first walk,
    so that importing this module does not import pglast."""
    global _READ
    if _READ is None:
        _READ = frozenset(
            {
                ast.A_Expr, ast.CollateClause, ast.Constraint, ast.CreateOpClassItem,
                ast.CreateTrigStmt, ast.DefElem, ast.FuncCall, ast.IndexElem,
                ast.ObjectWithArgs, ast.PartitionElem, ast.PublicationObjSpec, ast.RangeVar,
                ast.RoleSpec, ast.TypeCast, ast.TypeName,
            }
        )  # fmt: skip
    return _READ


# What the walk does with a value, by the value's class: nothing (names, flags, enums,
# locations), push its items (a list of nodes), or keep it and push its child attributes.
_SKIP, _ITEMS, _LEAF, _ONE_CHILD, _CHILDREN = range(5)
_Plan = tuple[int, Any]
_PLANS: dict[type, _Plan] = {}


def walk(node: Any) -> tuple[Any, ...]:
    """Every AST node below ``node`` (pglast nodes, tuples of nodes), depth first."""
    return _walk(node, frozenset())[1]


def group(node: Any) -> dict[type, list[Any]]:
    """The nodes below ``node`` the source stage reads (classes of :func:`read_classes`), walked
    once and grouped by class."""
    return walked(node)[0]


def walked(node: Any) -> tuple[dict[type, list[Any]], tuple[Any, ...]]:
    """One walk below ``node``: the nodes the source stage reads, grouped by class, and
    every node (in walk order)."""
    return _walk(node, read_classes())


def _walk(node: Any, read: frozenset[type]) -> tuple[dict[type, list[Any]], tuple[Any, ...]]:
    """The one walk every other is: every node depth first, those of a class in ``read``
    also grouped by class. The loop is the source stage's hottest (every node of every
    statement), hence its local names and the plan kept per node class."""
    groups: dict[type, list[Any]] = {}
    every: list[Any] = []
    keep = every.append
    stack = [node]
    pop, push, push_all = stack.pop, stack.append, stack.extend
    plans = _PLANS
    while stack:
        current = pop()
        cls = current.__class__
        plan = plans.get(cls) or _plan(cls)
        action = plan[0]
        if action is _SKIP:
            continue
        if action is _ITEMS:
            push_all(current)
            continue
        keep(current)
        if cls in read:
            found = groups.get(cls)
            if found is None:
                groups[cls] = [current]
            else:
                found.append(current)
        if action is _LEAF:
            continue
        try:
            children = plan[1](current)
        except AttributeError:
            children = _children(plan, current)
        if action is _CHILDREN:
            push_all(filter(None, children))
        else:
            push(children)
    return groups, tuple(every)


def grouped(nodes: Iterable[Any]) -> dict[type, list[Any]]:
    """Nodes already walked, those the source stage reads grouped by class."""
    groups: dict[type, list[Any]] = {}
    read = read_classes()
    for node in nodes:
        if node.__class__ in read:
            groups.setdefault(node.__class__, []).append(node)
    return groups


def of(groups: NodeGroups, cls: type) -> list[Any]:
    """The nodes of class ``cls`` among the groups (a class of :func:`read_classes`)."""
    found = groups.get(cls)
    if found is not None:
        return found
    if cls not in read_classes():
        raise KeyError(f"{cls.__name__} nodes are not kept by the walk: add it to read_classes")
    return _NONE


_NONE: list[Any] = []


def groups_of(statement: Any) -> NodeGroups:
    """Every node of a statement's tree, grouped by class: the statement's own walk,
    kept on it, where it keeps one (schema files' statements); walked now otherwise."""
    kept = getattr(statement, "node_groups", None)
    return kept if isinstance(kept, dict) else group(statement.node)


def _children(plan: _Plan, node: Any) -> Any:
    """The child attributes' values (None where unset), or the one child's value."""
    try:
        return plan[1](node)
    except AttributeError:  # a node built without some attribute: read it as None
        values = tuple(getattr(node, name, None) for name in _CHILD_ATTRIBUTES[node.__class__])
        return values if plan[0] is _CHILDREN else values[0]


# Per node class, the attributes that may hold nodes or lists of them: pglast declares
# each attribute's Python type, and most (names, flags, enums, locations) hold none.
_CHILD_ATTRIBUTES: dict[type, tuple[str, ...]] = {}


def _plan(cls: type) -> _Plan:
    if issubclass(cls, tuple | list):
        plan: _Plan = (_ITEMS, None)
    elif not issubclass(cls, ast.Node):
        plan = (_SKIP, None)
    else:
        attributes = _child_attributes(cls)
        if not attributes:
            plan = (_LEAF, None)
        elif len(attributes) == 1:
            plan = (_ONE_CHILD, attrgetter(attributes[0]))
        else:
            plan = (_CHILDREN, attrgetter(*attributes))
    _PLANS[cls] = plan
    return plan


def _child_attributes(cls: type) -> tuple[str, ...]:
    found = []
    for name, info in getattr(cls, "__slots__", {}).items():
        types = getattr(info, "py_type", object)
        types = types if isinstance(types, tuple) else (types,)
        if any(isinstance(t, type) and issubclass(t, (ast.Node, list, tuple)) for t in types):
            found.append(name)
    _CHILD_ATTRIBUTES[cls] = attributes = tuple(found)
    return attributes
