"""A new project's files: ``schemactl.toml`` with named environments, ``schema/``,
``migrations/`` and a CI workflow that runs ``drift``.

The files are data beside this module. Scaffolding never overwrites: a file that
exists is kept as it is, so running it again (or in a project half set up) is safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from schemactl import __version__

SCHEMA_FOLDER = "schema"
# Where each file goes in the project, and the data file it comes from.
FILES: tuple[tuple[str, str], ...] = (
    ("schemactl.toml", "schemactl.toml"),
    ("schema/README.md", "schema-README.md"),
    ("migrations/README.md", "migrations-README.md"),
    (".github/workflows/schema-drift.yml", "schema-drift.yml"),
)
VERSION_PLACEHOLDER = "{version}"


@dataclass(frozen=True)
class Scaffolded:
    path: Path
    created: bool  # False: it existed and was kept


def template(name: str) -> str:
    text = resources.files(__package__).joinpath("files", name).read_text(encoding="utf-8")
    return text.replace(VERSION_PLACEHOLDER, __version__)


def scaffold(directory: Path) -> list[Scaffolded]:
    """Write the project's files below ``directory``, keeping any that exist."""
    written = []
    for relative, name in FILES:
        path = directory / relative
        if path.exists():
            written.append(Scaffolded(path, created=False))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template(name), encoding="utf-8")
        written.append(Scaffolded(path, created=True))
    return written
