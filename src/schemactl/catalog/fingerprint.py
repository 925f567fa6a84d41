"""A fingerprint of a database's schema: equal catalogs, equal fingerprints.

Used to prove that the target a reviewed plan was made against has not changed
before that plan is applied, and that the live schema still is what a history
entry left behind before its rollback runs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

from schemactl.catalog.model import Catalog


def fingerprint(catalog: Catalog) -> str:
    """sha256 over the catalog's canonical JSON, server version left out."""
    content = dataclasses.asdict(dataclasses.replace(catalog, server_version=""))
    for table in content.get("tables", {}).values():
        table["columns"] = sorted(table["columns"], key=lambda column: column["name"])
        for column in table["columns"]:
            column.pop("position", None)
    canonical = json.dumps(content, sort_keys=True, default=str, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
