"""Walking pglast syntax trees: every node below a tree, once per statement.

Several readers of the source stage need the nodes of each statement (load order,
references to external objects, role names, refusals). A schema of thousands of
statements has hundreds of thousands of nodes, and walking them in Python is the
costly part: a statement keeps its walk (:attr:`Statement.nodes`) for every reader.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pglast import ast


def walk(node: Any) -> Iterator[Any]:
    """Every AST node below ``node`` (pglast nodes, tuples of nodes)."""
    stack = [node]
    node_type = ast.Node
    children = _CHILD_ATTRIBUTES
    while stack:
        current = stack.pop()
        if isinstance(current, tuple | list):
            stack.extend(current)
        elif isinstance(current, node_type):
            yield current
            cls = type(current)
            attributes = children.get(cls)
            if attributes is None:
                attributes = _child_attributes(cls)
            for attr in attributes:
                value = getattr(current, attr, None)
                if value is not None:
                    stack.append(value)


# Per node class, the attributes that may hold nodes or lists of them: pglast declares
# each attribute's Python type, and most (names, flags, enums, locations) hold none.
_CHILD_ATTRIBUTES: dict[type, tuple[str, ...]] = {}
_CONTAINERS = (ast.Node, list, tuple)


def _child_attributes(cls: type) -> tuple[str, ...]:
    found = []
    for name, info in getattr(cls, "__slots__", {}).items():
        types = getattr(info, "py_type", object)
        types = types if isinstance(types, tuple) else (types,)
        if any(isinstance(t, type) and issubclass(t, _CONTAINERS) for t in types):
            found.append(name)
    _CHILD_ATTRIBUTES[cls] = attributes = tuple(found)
    return attributes


def nodes_of(statement: Any) -> tuple[Any, ...]:
    """Every node of a statement's tree: the statement's own walk, kept on it, where it
    keeps one (schema files' statements); walked now otherwise."""
    kept = getattr(statement, "nodes", None)
    return kept if isinstance(kept, tuple) else tuple(walk(statement.node))
