"""The migrations folder on disk: file names, versions, and what each file says about itself.

A migration is ``<version>_<name>.up.sql`` with its ``<version>_<name>.down.sql``
and, optionally, ``<version>_<name>.verify.sql`` (assertion queries). Versions
are UTC timestamps (``YYYYMMDDHHMMSS``), so sorting names sorts history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from schemactl.migrations.errors import MigrationError
from schemactl.migrations.script import Script, leading_comments, parse_script

MANIFEST_NAME = "schemactl.sum"
NOT_REVERSIBLE = "NOT REVERSIBLE:"
VERSION_FORMAT = "%Y%m%d%H%M%S"

FILE_NAME = re.compile(
    r"^(?P<version>[0-9]{1,20})_(?P<name>[A-Za-z0-9][A-Za-z0-9_-]*)\.(?P<part>up|down|verify)\.sql$"
)
_NAME_CHARS = re.compile(r"[^a-z0-9]+")


def slug(name: str) -> str:
    """A migration name as it appears in file names: lower case, words joined by ``_``."""
    cleaned = _NAME_CHARS.sub("_", name.lower()).strip("_")
    if not cleaned:
        raise MigrationError(f"migration name {name!r} has no letters or digits")
    return cleaned


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    up: Path
    down: Path | None = None
    verify: Path | None = None

    @property
    def id(self) -> str:
        return f"{self.version}_{self.name}"

    def up_text(self) -> str:
        return _read(self.up)

    def down_text(self) -> str:
        return _read(self.down) if self.down else ""

    def up_script(self) -> Script:
        return parse_script(self.up_text(), self.up.name)

    def down_script(self) -> Script:
        return parse_script(
            self.down_text(), self.down.name if self.down else f"{self.id}.down.sql"
        )

    def not_reversible_reasons(self) -> list[str]:
        """Why the down script cannot be trusted; empty when it can."""
        if self.down is None:
            return [f"{self.id} has no down script"]
        return not_reversible_reasons(self.down_text())


def not_reversible_reasons(down_text: str) -> list[str]:
    """The ``-- NOT REVERSIBLE: why`` lines at the top of a down script."""
    return [
        line[len(NOT_REVERSIBLE) :].strip()
        for line in leading_comments(down_text)
        if line.upper().startswith(NOT_REVERSIBLE)
    ]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise MigrationError(f"{path}: not UTF-8 text: {exc}") from None
    except OSError as exc:
        raise MigrationError(f"cannot read {path}: {exc.strerror}") from None


@dataclass(frozen=True)
class MigrationFolder:
    path: Path
    migrations: tuple[Migration, ...]
    problems: tuple[str, ...]  # files that do not fit the naming scheme, with why

    def find(self, version: str) -> Migration | None:
        return next((m for m in self.migrations if m.version == version), None)

    @property
    def exists(self) -> bool:
        return self.path.is_dir()


def read_folder(path: Path) -> MigrationFolder:
    """The migrations in ``path``, in version order; a missing folder holds none."""
    if path.exists() and not path.is_dir():
        raise MigrationError(f"migrations path {path} is not a folder")
    if not path.exists():
        return MigrationFolder(path, (), ())
    parts: dict[str, dict[str, Path]] = {}
    names: dict[str, set[str]] = {}
    problems: list[str] = []
    for file in sorted(path.iterdir()):
        if not file.is_file() or not file.name.endswith(".sql"):
            continue
        match = FILE_NAME.match(file.name)
        if not match:
            problems.append(
                f"{file.name}: not a migration file name (<version>_<name>.up|down|verify.sql)"
            )
            continue
        version = match["version"]
        names.setdefault(version, set()).add(match["name"])
        parts.setdefault(f"{version}_{match['name']}", {})[match["part"]] = file
    for version, found in sorted(names.items()):
        if len(found) > 1:
            problems.append(
                f"version {version} is used by {len(found)} names: {', '.join(sorted(found))}"
            )
    migrations: list[Migration] = []
    for key, files in sorted(parts.items()):
        version, name = key.split("_", 1)
        if "up" not in files:
            problems.append(
                f"{key}: {', '.join(p.name for p in files.values())} without {key}.up.sql"
            )
            continue
        migrations.append(
            Migration(version, name, files["up"], files.get("down"), files.get("verify"))
        )
    migrations.sort(key=lambda m: (int(m.version), m.name))
    return MigrationFolder(path, tuple(migrations), tuple(problems))


def next_version(folder: MigrationFolder, now: datetime | None = None) -> str:
    """A timestamp version later than every existing one (one second later if needed)."""
    stamp = (now or datetime.now(UTC)).strftime(VERSION_FORMAT)
    latest = max((int(m.version) for m in folder.migrations), default=0)
    return stamp if int(stamp) > latest else str(latest + 1)
