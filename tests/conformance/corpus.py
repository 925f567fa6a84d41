"""The shared conformance corpus: finding cases and preparing them for schemactl.

Cases are read in place from ``../shared/conformance`` (never copied into the
repository). A case's files are adapted in two documented ways only: the DO
blocks that create roles are replaced by creating those roles on the server
(roles are server-wide, and the corpus README asks for exactly that), and
``DROP … IF EXISTS`` lines of ``setup.sql`` (clean-up for re-runs) are left out
of the schema folder, where DROP is refused.
"""

from __future__ import annotations

import contextlib
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pglast import ast, parser

from schemactl.source.order import walk

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS_ENV = "SCHEMACTL_CONFORMANCE"


def _corpus_folder() -> Path:
    """``$SCHEMACTL_CONFORMANCE``, else ``shared/conformance/pgschema`` beside the checkout
    or beside one of its parent folders (a git worktree may live one level deeper)."""
    if named := os.environ.get(CORPUS_ENV):
        return Path(named)
    for folder in REPO_ROOT.parents:
        candidate = folder / "shared" / "conformance" / "pgschema"
        if candidate.is_dir():
            return candidate
    return REPO_ROOT.parent / "shared" / "conformance" / "pgschema"


CORPUS = _corpus_folder()
EXPECTED_FAILURES = Path(__file__).with_name("expected_failures.toml")

_ROLE = re.compile(r"CREATE\s+ROLE\s+(\w+)", re.I)
_DO_BLOCK = re.compile(r"^DO\s+\$\$.*?\$\$\s*;", re.S | re.M | re.I)
_DROP_LINE = re.compile(r"^\s*DROP\s[^;]*;", re.M | re.I)
_SET_ROLE = re.compile(r"^\s*SET\s+ROLE\s+(\w+)\s*;", re.M | re.I)


@dataclass(frozen=True)
class Case:
    id: str
    folder: Path

    def read(self, name: str) -> str:
        path = self.folder / name
        return path.read_text() if path.exists() else ""

    @property
    def roles(self) -> set[str]:
        """Roles the case creates, switches to, grants to or names in policies."""
        text = self.read("setup.sql") + self.read("old.sql") + self.read("new.sql")
        found = {r.lower() for r in set(_ROLE.findall(text)) | set(_SET_ROLE.findall(text))}
        for part in (self.setup_sql(), self.old_sql(), self.new_sql()):
            with contextlib.suppress(parser.ParseError):
                for raw in parser.parse_sql(part) or ():
                    found |= {
                        node.rolename
                        for node in walk(raw.stmt)
                        if isinstance(node, ast.RoleSpec) and node.rolename
                    }
        return {role for role in found if not role.startswith("pg_")}

    def setup_sql(self) -> str:
        return _DO_BLOCK.sub("", self.read("setup.sql"))

    def old_sql(self) -> str:
        return _DO_BLOCK.sub("", self.read("old.sql"))

    def new_sql(self) -> str:
        return _DO_BLOCK.sub("", self.read("new.sql"))

    def schema_files(self) -> dict[str, str]:
        """The schema folder for this case: setup (without clean-up DROPs) and new."""
        files = {"10_new.sql": self.new_sql()}
        setup = _DROP_LINE.sub("", self.setup_sql())
        if setup.strip():
            files["00_setup.sql"] = setup
        return files


def cases() -> list[Case]:
    if not CORPUS.is_dir():
        return []
    return [
        Case(f"{folder.parent.name}/{folder.name}", folder)
        for folder in sorted(CORPUS.glob("*/*"))
        if (folder / "new.sql").exists()
    ]


def expected_failures() -> dict[str, str]:
    """Case id -> why it does not round-trip yet. Kept in a tracked file."""
    if not EXPECTED_FAILURES.exists():
        return {}
    data = tomllib.loads(EXPECTED_FAILURES.read_text())
    return {key: str(value) for key, value in data.get("cases", {}).items()}
