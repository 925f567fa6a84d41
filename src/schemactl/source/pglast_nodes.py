"""Faster construction of pglast syntax nodes, building the very same trees.

pglast's parser (C and Cython) hands every attribute of every node to the node class's
``__init__``, which assigns it through ``Node.__setattr__``: a Python call per attribute
that validates the value against the attribute's C type and coerces dictionaries, lists
and plain values into nodes, tuples and enums. The parser's values already have their
final types, yet a schema of a thousand tables makes a million such calls, half of the
time spent reading the schema files.

:func:`install` gives each node class an ``__init__`` that checks all its arguments at
once and, where every one of them is a value ``Node.__setattr__`` would store unchanged
(``None``, a ``str`` for ``char*``, a ``bool`` for ``bool``, the enum itself for an
enum, a node for a node pointer, a tuple holding no dictionary for a list), stores them
directly in the slots. Any other argument (a dictionary, a list, an ``int`` for an enum,
a bad value) goes through pglast's own ``__init__`` as before, so what a node holds and
which errors are raised do not change: the only difference is that a tuple argument is
kept as given instead of being copied into an equal tuple.

The checks run as one generic function per class, which costs nothing to set up; a class
built thousands of times (strings, columns, constraints of a big schema) gets its own
compiled ``__init__``, the checks written out, after :data:`COMPILE_AFTER` nodes.

The rules mirror ``pglast.ast.Node.__setattr__`` of the pglast version named in
:data:`WRITTEN_FOR`; with any other version nothing is installed and pglast builds its
nodes as it always does.
"""

from __future__ import annotations

import inspect
from collections import deque
from collections.abc import Callable
from itertools import repeat
from operator import call
from types import MemberDescriptorType, NoneType
from typing import Any

import pglast
from pglast import ast, enums

WRITTEN_FOR = "v8.8"
# Nodes of one class built with the generic checks before its checks are compiled:
# compiling costs about a millisecond, which the compiled checks win back over a
# thousand nodes.
COMPILE_AFTER = 1000

# What a slot's value needs beyond its class being one of those stored as they are:
# nothing, a tuple without dictionaries (lists of nodes), a string of one character.
_NO_CHECK, _NODES, _CHAR = range(3)
# Per slot: the classes of values stored unchanged, and the further check.
_Rule = tuple[frozenset[type], int]

_installed = False
_NODE_SETATTR = ast.Node.__dict__["__setattr__"]
_MISSING = object()
_ORIGINALS: dict[type, Any] = {}


def pglast_init(cls: type) -> Any:
    """pglast's own ``__init__`` of a node class (what builds a node the slow way)."""
    return _ORIGINALS.get(cls, cls.__dict__.get("__init__"))


def install() -> bool:
    """Give pglast's node classes their faster ``__init__`` (once); whether it is in place."""
    global _installed
    if _installed:
        return True
    if getattr(pglast, "__version__", None) != WRITTEN_FOR:
        return False
    node_classes = _node_classes()
    rules = _Rules(node_classes)
    for cls in node_classes:
        original = cls.__dict__.get("__init__")
        if original is not None and cls.__dict__.get("__slots__"):
            _ORIGINALS[cls] = original
            type.__setattr__(cls, "__init__", _set_up_on_first_use(cls, original, rules))
    _installed = True
    return True


def _set_up_on_first_use(cls: type, original: Any, rules: _Rules) -> Any:
    """An ``__init__`` that puts the class's own in place when its first node is built
    (most classes never are): the faster one where the class has the expected shape."""

    def __init__(self: Any, *values: Any, **named: Any) -> None:
        shape = _shape(cls, original, rules)
        init = original if shape is None else _generic_init(cls, *shape)
        type.__setattr__(cls, "__init__", init)
        init(self, *values, **named)

    __init__.__qualname__ = f"{cls.__name__}.__init__"
    __init__.__doc__ = original.__doc__
    return __init__


def _node_classes() -> list[type]:
    found: list[type] = []
    pending = [ast.Node]
    while pending:
        for sub in pending.pop().__subclasses__():
            found.append(sub)
            pending.append(sub)
    return found


class _Rules:
    """The rule of a slot (shared between slots of one C type), after Node.__setattr__."""

    def __init__(self, node_classes: list[type]) -> None:
        self.node_classes = [ast.Node, *node_classes]
        self.known: dict[tuple[str, Any, bool], _Rule | None] = {}

    def of(self, cls: type, info: Any) -> _Rule | None:
        ctype, ptype, adaptor = info
        key = (ctype, ptype, cls is ast.Float)
        if key not in self.known:
            self.known[key] = self._rule(ctype, ptype, adaptor, cls is ast.Float)
        return self.known[key]

    def _rule(self, ctype: str, ptype: Any, adaptor: Any, in_float: bool) -> _Rule | None:
        if adaptor is not None:  # values Node.__setattr__ passes through the adaptor
            if ctype == "List*":
                return frozenset({NoneType}), _NODES
            if ctype == "bool":
                return frozenset({NoneType, bool}), _NO_CHECK
            if ctype == "char":
                return frozenset({NoneType}), _CHAR
            if ctype == "char*" and in_float:
                return frozenset({NoneType, str}), _NO_CHECK
            if ctype in ("Node*", "Expr*"):
                return self._nodes_of(ast.Node), _NODES
            if ctype == "CreateStmt":
                return self._nodes_of(ast.CreateStmt), _NO_CHECK
            if ctype == "Bitmapset*":
                return frozenset({NoneType, set}), _NO_CHECK
            return None
        if ctype == "char*":
            return frozenset({NoneType, str}), _NO_CHECK
        if hasattr(enums, ctype):  # stored as is when it is the enum already
            return frozenset({NoneType, getattr(enums, ctype)}), _NO_CHECK
        if ctype.endswith("*"):  # a pointer to a node: stored as is unless a dict
            node_class = getattr(ast, ctype[:-1], None)
            if not isinstance(node_class, type) or not issubclass(node_class, ast.Node):
                return None
            return self._nodes_of(node_class), _NO_CHECK
        if isinstance(ptype, type):  # int, float, a node: stored as is
            return frozenset({NoneType, *(c for c in (int, float) if c is ptype)}) | (
                self._nodes_of(ptype) if issubclass(ptype, ast.Node) else frozenset()
            ), _NO_CHECK
        return None

    def _nodes_of(self, base: type) -> frozenset[type]:
        return frozenset({NoneType, *(c for c in self.node_classes if issubclass(c, base))})


def _shape(cls: type, original: Any, rules: _Rules) -> tuple[Any, list[str], list[_Rule]] | None:
    """pglast's ``__init__`` of ``cls``, its slots and their rules, or None where the
    class is not shaped as this module expects (it keeps pglast's ``__init__``)."""
    slots = cls.__dict__.get("__slots__")
    if not isinstance(slots, dict) or not slots:
        return None
    if getattr(cls, "__setattr__", None) is not _NODE_SETATTR:
        return None
    names = list(slots)
    code = original.__code__
    if (
        code.co_varnames[: code.co_argcount] != ("self", *names)
        or code.co_kwonlyargcount
        or code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS)
        or original.__defaults__ != (None,) * len(names)
        or any(name.startswith("_") for name in names)  # would shadow the helpers
        or not all(isinstance(cls.__dict__.get(name), MemberDescriptorType) for name in names)
    ):
        return None
    slot_rules = [rules.of(cls, slots[name]) for name in names]
    if any(rule is None for rule in slot_rules):
        return None
    return original, names, [rule for rule in slot_rules if rule is not None]


def _generic_init(cls: type, original: Any, names: list[str], rules: list[_Rule]) -> Any:
    """``__init__`` checking the classes of all arguments at once (memoized per
    combination of classes), then storing them in the slots; pglast's own otherwise."""
    count = len(names)
    setters = tuple(cls.__dict__[name].__set__ for name in names)
    known: dict[tuple[type, ...], tuple[tuple[int, ...], tuple[int, ...]] | None] = {}
    get, store_all = known.get, deque[Any](maxlen=0).extend
    is_dict, missing = dict.__instancecheck__, _MISSING
    built = 0

    def learn(kinds: tuple[type, ...]) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
        """Which arguments of these classes need a look inside (tuples, characters), or
        None when some argument is not stored as it is."""
        plan: tuple[tuple[int, ...], tuple[int, ...]] | None = None
        if len(kinds) == count:
            tuples, chars = [], []
            for index, (kind, (stored, check)) in enumerate(zip(kinds, rules, strict=True)):
                if kind in stored:
                    continue
                if check == _NODES and kind is tuple:
                    tuples.append(index)
                elif check == _CHAR and kind is str:
                    chars.append(index)
                else:
                    break
            else:
                plan = (tuple(tuples), tuple(chars))
        if len(known) < 256:
            known[kinds] = plan
        return plan

    def __init__(self: Any, *values: Any, **named: Any) -> None:
        nonlocal built
        built += 1
        if built == COMPILE_AFTER:
            type.__setattr__(cls, "__init__", _compiled_init(cls, original, names, rules))
        if not named:
            kinds = tuple(map(type, values))
            plan: Any = get(kinds, missing)
            if plan is missing:
                plan = learn(kinds)
            if plan is not None:
                lists, characters = plan
                if (not lists or not any(any(map(is_dict, values[i])) for i in lists)) and (
                    not characters or all(len(values[i]) == 1 for i in characters)
                ):
                    store_all(map(call, setters, repeat(self), values))
                    return
        original(self, *values, **named)

    __init__.__qualname__ = f"{cls.__name__}.__init__"
    __init__.__doc__ = original.__doc__
    return __init__


def _compiled_init(cls: type, original: Any, names: list[str], rules: list[_Rule]) -> Any:
    """The checks of :func:`_generic_init` written out for ``cls`` and compiled."""
    namespace: dict[str, Any] = {
        "_original": original,
        "_tuple": tuple,
        "_str": str,
        "_any": any,
        "_map": map,
        "_len": len,
        "_is_dict": dict.__instancecheck__,
    }
    checks = []
    for index, (name, (stored, check)) in enumerate(zip(names, rules, strict=True)):
        namespace[f"_stored{index}"] = stored
        namespace[f"_set{index}"] = cls.__dict__[name].__set__
        test = f"{name}.__class__ in _stored{index}"
        if check == _NODES:
            test += f" or ({name}.__class__ is _tuple and not _any(_map(_is_dict, {name})))"
        elif check == _CHAR:
            test += f" or ({name}.__class__ is _str and _len({name}) == 1)"
        checks.append(f"({test})")
    stores = "".join(f"        _set{i}(self, {name})\n" for i, name in enumerate(names))
    source = (
        f"def __init__(self, {', '.join(f'{name}=None' for name in names)}):\n"
        f"    if {' and '.join(checks)}:\n"
        f"{stores}"
        f"    else:\n"
        f"        _original(self, {', '.join(names)})\n"
    )
    exec(compile(source, f"<schemactl: pglast {cls.__name__}.__init__>", "exec"), namespace)
    init: Callable[..., None] = namespace["__init__"]
    init.__qualname__ = f"{cls.__name__}.__init__"
    init.__doc__ = original.__doc__
    return init
