"""Reading text search dictionaries and configurations."""

from __future__ import annotations

import re
from typing import Any

import psycopg

from schemactl.catalog.model import (
    Catalog,
    TextSearchConfiguration,
    TextSearchDictionary,
    TextSearchMapping,
)
from schemactl.catalog.sqlfiles import rows

# One option of dictinitoption: PostgreSQL writes name = 'value' (quotes doubled).
_OPTION = re.compile(r"""\s*([^\s=]+) = ('(?:[^']|'')*'|[^,]*)\s*(?:,|$)""")


def split_options(serialized: str | None) -> tuple[str, ...]:
    if not serialized:
        return ()
    return tuple(f"{m[1]} = {m[2].strip()}" for m in _OPTION.finditer(serialized) if m[1])


def read_text_search(conn: psycopg.Connection, params: dict[str, Any], catalog: Catalog) -> None:
    for row in rows(conn, "text_search_dictionaries", params):
        catalog.text_search_dictionaries[row["ident"]] = TextSearchDictionary(
            **{**row, "options": split_options(row["options"])}
        )
    for row in rows(conn, "text_search_configurations", params):
        mappings = tuple(
            TextSearchMapping(token, tuple(dictionaries.split(", ")))
            for token, dictionaries in row["mappings"]
        )
        catalog.text_search_configurations[row["ident"]] = TextSearchConfiguration(
            **{**row, "mappings": mappings}
        )
