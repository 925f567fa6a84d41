"""What a schema folder says besides the statements loaded: read once, kept between runs.

``plan`` and ``drift`` read more from schema/'s syntax trees than the dev database
loads: the names used from schemas schemactl does not manage, pg_cron jobs, role
declarations, rolling partition rules, pg_partman registrations, rename hints, ``@using``
conversions, the roles the dev database needs, where each object is defined. Parsing
the folder is the largest part of a run whose files have not changed since the last
one (whose desired state comes from the cache: devdb.desired_cache), so these facts are
kept too, keyed by a digest of the files (their paths and bytes, and schemactl's own
code), and such a run parses nothing. Any change to any file is a new key: the folder
is read, checked and parsed again, with every error it has.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from schemactl.cache_files import CacheFile, code_digest, prune
from schemactl.cache_home import cache_home
from schemactl.devdb.loader import referenced_roles
from schemactl.source import DesiredState, Skipped, find_schema_files
from schemactl.source.conversions import Conversion, read_conversions
from schemactl.source.hints import RenameHint, rename_hints
from schemactl.source.jobs import JobDeclaration, read_jobs
from schemactl.source.locations import SourceIndex
from schemactl.source.partition_rules import PartitionRule, read_partition_rules
from schemactl.source.partman import PartmanRegistration, read_registrations
from schemactl.source.references import DefinedOn, ExternalName, definitions_on_relations
from schemactl.source.references import unresolved_names as _unresolved_names
from schemactl.source.roles import RoleDeclarations, read_role_declarations
from schemactl.unchanged_files import FACTS_FOLDER

KEEP = 64  # entries kept; the oldest go first
WHAT = "folder facts"


@dataclass(frozen=True)
class FolderFacts:
    """Everything ``plan`` and ``drift`` use of a schema folder but its statements."""

    digest: str  # of the files: see files_digest
    skipped: tuple[Skipped, ...]
    unresolved: frozenset[ExternalName]  # used, not created, in whichever schema
    created_extensions: frozenset[str]
    defined_on: tuple[DefinedOn, ...]
    jobs: tuple[JobDeclaration, ...]
    roles: RoleDeclarations
    partition_rules: tuple[PartitionRule, ...]
    registrations: tuple[PartmanRegistration, ...]
    rename_hints: tuple[RenameHint, ...]  # those beside the definitions
    conversions: tuple[Conversion, ...]
    referenced_roles: frozenset[str]
    dev_roles: frozenset[str]
    index: SourceIndex

    def external_names(self, is_external: Callable[[str], bool]) -> frozenset[ExternalName]:
        return frozenset(n for n in self.unresolved if is_external(n.schema))

    def defined_on_external(self, is_external: Callable[[str], bool]) -> list[str]:
        """What the schema defines on tables in schemas schemactl does not manage."""
        return [str(d) for d in self.defined_on if is_external(d.schema)]


def facts_of(state: DesiredState, digest: str = "") -> FolderFacts:
    """The facts of a folder read and parsed."""
    statements = state.statements
    roles = read_role_declarations(statements)
    used_roles = frozenset(referenced_roles(statements))
    return FolderFacts(
        digest=digest,
        skipped=tuple(state.skipped),
        unresolved=_unresolved_names(statements),
        created_extensions=frozenset(
            str(s.node.extname) for s in statements if s.kind == "CreateExtensionStmt"
        ),
        defined_on=definitions_on_relations(statements),
        jobs=tuple(read_jobs(statements)),
        roles=roles,
        partition_rules=tuple(read_partition_rules(statements)),
        registrations=tuple(read_registrations(statements)),
        rename_hints=tuple(rename_hints(statements)),
        conversions=tuple(read_conversions(statements)),
        referenced_roles=used_roles,
        dev_roles=used_roles | set(roles.declared),  # as devdb.loader.dev_roles
        index=SourceIndex.of(statements),
    )


def files_digest(schema_dir: Path, allow_empty: bool) -> str:
    """The sha256 of the folder's schema files (paths and bytes, in load-file order)
    and of schemactl's own code."""
    digest = hashlib.sha256(f"{WHAT}\0{code_digest()}\0".encode())
    for path in find_schema_files(schema_dir, allow_empty):
        data = path.read_bytes()
        digest.update(f"{path}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()


def _entry(digest: str) -> CacheFile:
    return CacheFile(cache_home() / FACTS_FOLDER / f"{digest}.facts", WHAT, digest)


def kept_facts(digest: str) -> FolderFacts | None:
    """The facts kept for files of this digest, if any can be trusted."""
    kept = _entry(digest).load()
    return kept if isinstance(kept, FolderFacts) else None


def keep_facts(facts: FolderFacts) -> None:
    entry = _entry(facts.digest)
    entry.store(facts)
    prune(entry.path.parent, "*.facts", KEEP)
