"""Names of collations, operators, operator classes and families, text search objects
and publications: what a statement creates and references among them, for the load
order. (Relations, types and routines are found in ``order``.)

A schema may define a collation after the table that uses it, an operator class after
the index that names it, a text search configuration after the generated column that
calls ``to_tsvector('english_nostop', ...)``; these names let the load order see it.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from schemactl.source.pglast_modules import ast
from schemactl.source.syntax import NodeGroups, of

DEFAULT_SCHEMA = "public"

NameKey = tuple[str, str]

# DefineStmt kinds and the namespace of what they create.
_DEFINED = {
    "OBJECT_COLLATION": "collation",
    "OBJECT_OPERATOR": "operator",
    "OBJECT_TSDICTIONARY": "tsdict",
    "OBJECT_TSCONFIGURATION": "tsconfig",
    "OBJECT_TSPARSER": "tsparser",
    "OBJECT_TSTEMPLATE": "tstemplate",
}
# DefElems of a DefineStmt that name another object (parsed as type names).
_DEFINITION_REFERENCES = {
    "function": "func",
    "procedure": "func",
    "restrict": "func",
    "join": "func",
    "copy": "tsconfig",
    "parser": "tsparser",
    "template": "tstemplate",
    "from": "collation",
}
# Functions whose first argument, a string literal, names a text search configuration.
_CONFIG_FUNCTIONS = frozenset(
    {
        "to_tsvector",
        "to_tsquery",
        "plainto_tsquery",
        "phraseto_tsquery",
        "websearch_to_tsquery",
        "ts_headline",
        "json_to_tsvector",
        "jsonb_to_tsvector",
    }
)
_REG_TYPES = {"regconfig": "tsconfig", "regdictionary": "tsdict"}
_COMMENT_KINDS = {
    "OBJECT_COLLATION": "collation",
    "OBJECT_TSCONFIGURATION": "tsconfig",
    "OBJECT_TSDICTIONARY": "tsdict",
}


def _strings(nodes: Any) -> list[str]:
    return [str(n.sval) for n in nodes or () if isinstance(n, ast.String)]


def qualified(names: list[str]) -> str | None:
    if len(names) == 1:
        return f"{DEFAULT_SCHEMA}.{names[0]}"
    if len(names) == 2:
        return f"{names[0]}.{names[1]}"
    return None


def _key(namespace: str, names: list[str]) -> set[NameKey]:
    name = qualified(names)
    return {(namespace, name)} if name else set()


def defines_routine_or_type(node: ast.DefineStmt) -> bool:
    """Whether a DefineStmt makes an aggregate or a base type (not one of the kinds here)."""
    return getattr(node.kind, "name", "") not in _DEFINED


def creates(node: Any) -> set[NameKey]:
    match node:
        case ast.DefineStmt() if not defines_routine_or_type(node):
            return _key(_DEFINED[getattr(node.kind, "name", "")], _strings(node.defnames))
        case ast.CreateOpClassStmt():
            made = _key("opclass", _strings(node.opclassname))
            if not node.opfamilyname:  # a family of the same name comes with it
                made |= _key("opfamily", _strings(node.opclassname))
            return made
        case ast.CreateOpFamilyStmt():
            return _key("opfamily", _strings(node.opfamilyname))
        case ast.CreatePublicationStmt() if node.pubname:
            return {("publication", str(node.pubname))}
    return set()


def _literal(node: Any) -> list[str] | None:
    if isinstance(node, ast.A_Const) and isinstance(node.val, ast.String):
        return str(node.val.sval).split(".")
    return None


def references(node: Any, groups: NodeGroups) -> set[NameKey]:
    """What ``node`` (a statement) references; ``groups``: all nodes below it, by class."""
    refs: set[NameKey] = set()
    if isinstance(node, ast.DefineStmt) and not defines_routine_or_type(node):
        for element in node.definition or ():
            namespace = _DEFINITION_REFERENCES.get(str(element.defname).lower())
            arg = element.arg
            names = _strings(arg.names) if isinstance(arg, ast.TypeName) else _strings(arg)
            if namespace and isinstance(arg, ast.TypeName | tuple):
                refs |= _key(namespace, names)
    match node:
        case ast.CreateOpClassStmt() if node.opfamilyname:
            refs |= _key("opfamily", _strings(node.opfamilyname))
        case ast.AlterOpFamilyStmt():
            refs |= _key("opfamily", _strings(node.opfamilyname))
        case ast.AlterOperatorStmt() if node.opername is not None:
            refs |= _key("operator", _strings(node.opername.objname))
        case ast.AlterTSConfigurationStmt():
            refs |= _key("tsconfig", _strings(node.cfgname))
            for dictionary in node.dicts or ():
                refs |= _key("tsdict", _strings(dictionary))
        case ast.AlterTSDictionaryStmt():
            refs |= _key("tsdict", _strings(node.dictname))
        case ast.AlterPublicationStmt() if node.pubname:
            refs.add(("publication", str(node.pubname)))
        case ast.CommentStmt():
            refs |= _comment_target(node)
    for collate in of(groups, ast.CollateClause):
        refs |= _key("collation", _strings(collate.collname))
    for expression in of(groups, ast.A_Expr):
        if expression.name:
            refs |= _key("operator", _strings(expression.name))
    for item in of(groups, ast.CreateOpClassItem):
        if item.itemtype == 1 and item.name is not None:
            refs |= _key("operator", _strings(item.name.objname))
    for element in chain(of(groups, ast.IndexElem), of(groups, ast.PartitionElem)):
        if element.opclass:
            refs |= _key("opclass", _strings(element.opclass))
    for cast in of(groups, ast.TypeCast):
        if isinstance(cast.typeName, ast.TypeName):
            namespace = _REG_TYPES.get((_strings(cast.typeName.names) or [""])[-1])
            literal = _literal(cast.arg)
            if namespace and literal:
                refs |= _key(namespace, literal)
    for call in of(groups, ast.FuncCall):
        if call.args and len(call.args) > 1:
            names = _strings(call.funcname)
            literal = _literal(call.args[0])
            if names and names[-1] in _CONFIG_FUNCTIONS and literal:
                refs |= _key("tsconfig", literal)
    for spec in of(groups, ast.PublicationObjSpec):
        if spec.name:
            refs.add(("schema", str(spec.name)))
    return refs


def _comment_target(node: ast.CommentStmt) -> set[NameKey]:
    kind = getattr(node.objtype, "name", "")
    if kind == "OBJECT_PUBLICATION" and isinstance(node.object, ast.String):
        return {("publication", str(node.object.sval))}
    if kind == "OBJECT_OPERATOR" and isinstance(node.object, ast.ObjectWithArgs):
        return _key("operator", _strings(node.object.objname))
    if kind in ("OBJECT_OPCLASS", "OBJECT_OPFAMILY") and isinstance(node.object, tuple):
        names = _strings(node.object)[1:]  # the access method comes first
        return _key("opclass" if kind == "OBJECT_OPCLASS" else "opfamily", names)
    if kind in _COMMENT_KINDS and isinstance(node.object, tuple):
        return _key(_COMMENT_KINDS[kind], _strings(node.object))
    return set()
