"""``schemactl.sum``: the integrity manifest of a migrations folder.

One line per ``.sql`` file with its hash, and one hash over the whole list, so a
hand edit, a deletion, an added file or a renamed (reordered) one is noticed
before anything runs. ``schemactl migrate hash`` rewrites it after a deliberate
edit; ``migrate diff`` rewrites it with every migration it adds.

Format::

    # header comment lines
    folder sha256:<hash over the lines below>
    <file name> sha256:<hash of the file's bytes>
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from schemactl.migrations.errors import ManifestMismatch
from schemactl.migrations.files import MANIFEST_NAME

HEADER = (
    "# schemactl.sum: integrity manifest of this folder, checked by `schemactl verify` and\n"
    "# `schemactl migrate apply`. After a deliberate edit, run `schemactl migrate hash`.\n"
)
FOLDER_KEY = "folder"


def file_hash(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def _folder_hash(files: dict[str, str]) -> str:
    listing = "".join(f"{name} {digest}\n" for name, digest in sorted(files.items()))
    return "sha256:" + hashlib.sha256(listing.encode()).hexdigest()


@dataclass(frozen=True)
class Manifest:
    files: dict[str, str]  # file name -> hash
    folder: str

    def render(self) -> str:
        lines = [f"{FOLDER_KEY} {self.folder}"]
        lines += [f"{name} {digest}" for name, digest in sorted(self.files.items())]
        return HEADER + "\n".join(lines) + "\n"


def compute(folder: Path) -> Manifest:
    """The manifest the folder's ``.sql`` files call for now."""
    files = (
        {p.name: file_hash(p) for p in sorted(folder.glob("*.sql")) if p.is_file()}
        if folder.is_dir()
        else {}
    )
    return Manifest(files, _folder_hash(files))


def write(folder: Path) -> Manifest:
    """(Re)write ``schemactl.sum`` for the folder as it is."""
    manifest = compute(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST_NAME).write_text(manifest.render())
    return manifest


def read(path: Path) -> Manifest:
    files: dict[str, str] = {}
    folder = ""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        name, _, digest = text.rpartition(" ")
        if not name or not digest.startswith("sha256:"):
            raise ManifestMismatch(f"{path}:{number}: not a manifest line: {text!r}")
        if name == FOLDER_KEY:
            folder = digest
        else:
            files[name] = digest
    return Manifest(files, folder)


def check(folder: Path) -> list[str]:
    """Every way the folder differs from its manifest, one line each; empty when it matches."""
    path = folder / MANIFEST_NAME
    actual = compute(folder)
    if not path.exists():
        if not actual.files:
            return []
        return [f"{MANIFEST_NAME} is missing (run `schemactl migrate hash` to create it)"]
    try:
        recorded = read(path)
    except (ManifestMismatch, UnicodeDecodeError) as exc:
        return [str(exc)]
    problems: list[str] = []
    for name in sorted(recorded.files.keys() | actual.files.keys()):
        if name not in actual.files:
            problems.append(f"{name}: listed in {MANIFEST_NAME} but missing (deleted or renamed)")
        elif name not in recorded.files:
            problems.append(f"{name}: not in {MANIFEST_NAME} (added or renamed by hand)")
        elif recorded.files[name] != actual.files[name]:
            problems.append(f"{name}: edited since {MANIFEST_NAME} was written")
    if not problems and recorded.folder != _folder_hash(recorded.files):
        problems.append(
            f"{MANIFEST_NAME}: its folder hash does not match its own lines (edited by hand)"
        )
    return problems


def require_intact(folder: Path) -> None:
    """Refuse to go on with a folder that does not match its manifest."""
    problems = check(folder)
    if problems:
        raise ManifestMismatch(
            f"{folder}/{MANIFEST_NAME} does not match the files: "
            + "; ".join(problems)
            + " (after a deliberate edit, run `schemactl migrate hash`)"
        )
