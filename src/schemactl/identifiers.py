"""SQL identifiers as PostgreSQL spells them.

Names read from the catalog arrive quoted by the server; this is for names schemactl
composes itself (a renamed object's new name, a partition a rule creates). It lives
below both ``diff`` and ``plan``, which both need it, so neither imports the other
for it.
"""

from __future__ import annotations

import re
from functools import cache

from schemactl.source.pglast_modules import keywords

_PLAIN_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_$]*$")
MAX_IDENTIFIER_BYTES = 63  # NAMEDATALEN - 1: PostgreSQL cuts longer names


@cache
def _quoted_keywords() -> frozenset[str]:
    """Keywords an identifier must be quoted to use: all but the unreserved ones, as
    PostgreSQL's own quote_ident decides (read from pglast when first needed)."""
    return frozenset(
        keywords.RESERVED_KEYWORDS | keywords.TYPE_FUNC_NAME_KEYWORDS | keywords.COL_NAME_KEYWORDS
    )


def quote_ident(name: str) -> str:
    """An identifier, quoted unless PostgreSQL would read it unquoted the same way."""
    if _PLAIN_IDENTIFIER.match(name) and name not in _quoted_keywords():
        return name
    return '"' + name.replace('"', '""') + '"'


def suffixed(name: str, suffix: str) -> str:
    """``name`` followed by ``suffix`` (a temporary name schemactl gives an object, a
    constraint's name), the name cut short where both would not fit in PostgreSQL's 63
    bytes, never inside a character."""
    stem = name.encode()[: MAX_IDENTIFIER_BYTES - len(suffix.encode())]
    return stem.decode(errors="ignore") + suffix


def unquote(ident: str) -> str:
    """``"Mixed Case"`` -> ``Mixed Case``; a plain identifier stays as it is."""
    if len(ident) >= 2 and ident.startswith('"') and ident.endswith('"'):
        return ident[1:-1].replace('""', '"')
    return ident


def split_qualified(ident: str) -> tuple[str, str]:
    """A quoted, schema-qualified ident as (schema, name), both still quoted; a dot
    inside quotes is part of a name."""
    quoted = False
    for position, char in enumerate(ident):
        if char == '"':
            quoted = not quoted
        elif char == "." and not quoted:
            return ident[:position], ident[position + 1 :]
    return "", ident
