"""The pipeline every command shares: desired state -> dev database -> catalogs -> plan."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path

import psycopg
import psycopg.sql

from schemactl import metrics
from schemactl.catalog import Catalog, introspect
from schemactl.catalog.casts import with_conversions
from schemactl.catalog.equivalence import Answers, reconcile_equivalent
from schemactl.catalog.external import (
    grantees,
    platform_default_privileges,
    platform_privileges,
    read_external_objects,
)
from schemactl.catalog.fingerprint import fingerprint
from schemactl.catalog.jobs import declared_jobs
from schemactl.catalog.partition_constraints import with_partition_constraints
from schemactl.catalog.roles import role_states
from schemactl.catalog.second_connection import cores_for_second_connections
from schemactl.config import CONFIG_FILE, Scope, clock, load_project_config
from schemactl.db import connect, describe_connection
from schemactl.devdb import dev_database, dev_databases, load_desired_state
from schemactl.devdb.binaries import find_server_binaries
from schemactl.devdb.desired_cache import (
    OFFLINE,
    DesiredStateCache,
    DevDatabaseNeeded,
    cache_key,
)
from schemactl.devdb.early_load import EarlyLoad
from schemactl.devdb.external import receives_objects
from schemactl.devdb.job_commands import check_job_commands
from schemactl.devdb.loader import ensure_roles
from schemactl.devdb.provider import DevDatabase, DevServerChoice
from schemactl.devdb.versions import connection_major
from schemactl.diff.partition_rules import apply_partition_rules, without_rule_partitions
from schemactl.diff.partman import with_registrations
from schemactl.diff.renames import Rename, implied_renames, pair_hints
from schemactl.errors import SchemactlError, SchemaSourceError
from schemactl.folder_facts import FolderFacts, facts_of, files_digest, keep_facts, kept_facts
from schemactl.live_reads import LiveDatabase, LiveReads
from schemactl.plan import Plan, build_plan
from schemactl.plan.builder import with_renames
from schemactl.plan.render import render, warm_up
from schemactl.source import DesiredState, Skipped, Statement, read_desired_source
from schemactl.source.conversions import Conversion
from schemactl.source.hints import RenameHint, hints_from_config, rename_hints
from schemactl.source.jobs import JobDeclaration
from schemactl.source.pglast_modules import ast
from schemactl.source.references import (
    ExternalName,
    ParsedStatement,
    external_names,
)
from schemactl.source.roles import RoleDeclarations

CRON_EXTENSION = "pg_cron"


@dataclass(frozen=True)
class DesiredSource:
    """Where the desired state comes from and how to normalize it."""

    schema_dir: Path
    dev_url: str | None = None
    pg_bin: str | None = None
    allow_empty: bool = False
    now: datetime | None = None  # the moment rolling partition rules plan for
    allow_version_mismatch: bool = False  # accept a --dev-url of another major version
    pg_version: int | None = None  # the dev server's major version where no target decides
    upkeep: bool = True  # plan rolling partitions; False: leave the rules' partitions out
    cache: bool = False  # reuse the normalized desired state of unchanged files (CLI default)
    # Loads the dev database while the files are parsed (see devdb.early_load); whoever
    # gives it closes it.
    early: EarlyLoad | None = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def moment(self) -> datetime:
        return self.now or clock()

    @cached_property
    def desired(self) -> DesiredState:
        """The schema folder read and parsed once."""
        with metrics.phase("parse"):
            try:
                return read_desired_source(self.schema_dir, self.allow_empty, self.early)
            except BaseException:
                if self.early is not None:
                    self.early.abandon()
                raise

    @cached_property
    def facts(self) -> FolderFacts:
        """What the folder says besides its statements. Commands read it before connecting
        anywhere, so bad input is reported first and touches nothing; with the cache, files
        unchanged since an earlier run are not parsed again (see folder_facts)."""
        with metrics.phase("parse"):
            digest = files_digest(self.schema_dir, self.allow_empty)
            kept = kept_facts(digest) if self.cache else None
        if kept is not None:
            return kept
        state = self.desired
        with metrics.phase("parse"):
            facts = facts_of(state, digest)
            if self.cache:
                keep_facts(facts)
        return facts

    @property
    def statements(self) -> list[Statement]:
        """The schema folder's statements in load order."""
        return self.desired.statements

    def release_statements(self) -> None:
        """Let the syntax trees go once loaded (on a schema of thousands of tables they
        are the largest thing held while the catalogs are read); read again if asked."""
        self.__dict__.pop("desired", None)

    @property
    def skipped(self) -> Sequence[Skipped]:
        """What the folder holds that declares nothing (a pg_dump file's psql lines)."""
        return self.facts.skipped

    @property
    def conversions(self) -> Sequence[Conversion]:
        """Type conversions declared on columns' lines (``@using``), read with the folder."""
        return self.facts.conversions

    @cached_property
    def rename_hints(self) -> list[RenameHint]:
        """Renames declared beside the definitions (``-- @renamed from=old``) and, for a
        release, in ``schemactl.toml`` (``[renamed_from.KIND]``)."""
        return [*self.facts.rename_hints, *configured_renames()]


def configured_renames() -> list[RenameHint]:
    """Rename hints of schemactl.toml (``[renamed_from.KIND]``)."""
    project = load_project_config()
    return hints_from_config(project.renamed_from, str(project.path or CONFIG_FILE))


def declared_renames(statements: Sequence[Statement]) -> list[RenameHint]:
    """Rename hints beside the definitions, then those of schemactl.toml."""
    return [*rename_hints(statements), *configured_renames()]


# What ``schemactl diff`` compares: a live database or a schema folder.
Source = LiveDatabase | DesiredSource


def plan_against(
    target: psycopg.Connection,
    source: DesiredSource,
    scope: Scope,
    online: bool = True,
    target_catalog: Catalog | None = None,
) -> Plan:
    """The plan that turns the target behind ``target`` into the desired state.

    The desired state is loaded into a throwaway dev database on a server of the
    target's major version, both databases are read through the same introspection,
    and definitions that differ only in how PostgreSQL prints them are reconciled in
    the dev database before diffing. ``target_catalog``: the target's catalog in
    ``scope`` where the caller read it already (see :mod:`schemactl.live_reads`).
    """
    facts = source.facts
    with metrics.phase("external"):
        external = read_external(
            target, facts.external_names(scope.is_external), facts.created_extensions, scope
        )
    with metrics.phase("declarations"):
        jobs = list(facts.jobs)
        _refuse_platform_roles(facts.roles, scope)
        adjust = chained(
            declared_operations(facts, source.moment, source.upkeep),
            declared_roles(target, facts.roles),
        )
    major = connection_major(target)
    cache = _desired_cache(source, facts.digest, external, scope, major) if source.cache else None
    cached = cache.read() if cache is not None else None
    answers = cache.read_answers() if cache is not None else None
    known = len(answers or ())
    current: Catalog | None = None
    if target_catalog is not None:
        current = without_received(target_catalog, external)
    if cached is not None:
        # Only the target is read; the dev database is loaded after all only where the
        # comparison needs it (see devdb.desired_cache).
        metrics.count("cache_hits")
        # Before the roles are compared, as loading would have: on a --dev-url server
        # that is the target's own, the roles it creates are the target's too.
        _ensure_dev_roles(source, facts, external)
        if current is None:
            current = read_target(target, scope, external)
        try:
            plan = _plan_catalogs(
                current, cached, current, OFFLINE, desired_is_dev=True,
                online=online, adjust=adjust, hints=source.rename_hints,
                conversions=source.conversions, answers=answers,
            )  # fmt: skip
        except DevDatabaseNeeded:
            metrics.count("cache_hits_needing_dev_database")
        else:
            with metrics.phase("warnings"):
                return with_target_warnings(plan, facts, scope, target)
    # The target is read while the dev database starts and loads: both are mostly
    # waiting on servers, and the target's catalog does not depend on the dev database.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="target") as pool:
        # On one connection: the load is the longer of the two, and needs its core.
        target_read = (
            pool.submit(read_target, target, scope, external, False) if current is None else None
        )
        pool.submit(warm_up)  # once the target is read, while the dev database loads
        extensions = facts.created_extensions | extension_names(external)
        early = _early_database(source, major, extensions, external, facts)
        with metrics.entered(
            "dev_database",
            source.early.holding(early) if source.early and early else dev_database(
                source.dev_url,
                source.pg_bin,
                major=major,
                allow_version_mismatch=source.allow_version_mismatch,
                extensions=extensions,
            ),
        ) as dev:  # fmt: skip
            if early is None:
                with metrics.phase("load"):
                    load_desired_state(dev.url, source.statements, external, facts.dev_roles)
            source.release_statements()  # the trees are not needed again: memory
            if target_read is not None:
                current = target_read.result()
            dev_conn = connect(dev.url, "dev database")
            try:
                check_job_commands(dev_conn, jobs)
                plan = _plan_between(
                    target, dev_conn, desired_is_dev=True, scope=scope, online=online,
                    received=(external,), adjust=adjust,
                    hints=source.rename_hints,
                    conversions=source.conversions,
                    current=current,
                    desired=cached,
                    keep=cache.write if cache is not None and cached is None else None,
                    answers=answers,
                )  # fmt: skip
            finally:
                dev_conn.close()
    if cache is not None and answers is not None and len(answers) > known:
        cache.write_answers(answers)
    with metrics.phase("warnings"):
        return with_target_warnings(plan, facts, scope, target)


def _early_database(
    source: DesiredSource,
    major: int,
    extensions: Collection[str],
    external: Catalog,
    facts: FolderFacts,
) -> DevDatabase | None:
    """The dev database loaded while the files were read, where it is what loading now
    would make; None: start one now."""
    if source.early is None or not source.early.started:
        return None
    with metrics.phase("load"):  # the rest of the early load, waited for
        return source.early.take(
            major=major,
            extensions=extensions,
            received=receives_objects(external),
            roles=facts.dev_roles | grantees(external),
            statements=source.statements,
        )


def read_target(
    conn: psycopg.Connection, scope: Scope, external: Catalog, second_connection: bool = True
) -> Catalog:
    """The target's catalog in scope, without what it gave the dev database."""
    with metrics.phase("introspect"):
        return without_received(introspect(conn, scope, second_connection), external)


def _desired_cache(
    source: DesiredSource,
    files_digest: str,
    external: Catalog,
    scope: Scope,
    major: int,
) -> DesiredStateCache:
    """The cache entry of this desired state on the dev server it would be loaded on:
    ``--dev-url``'s (its exact version, checked as for loading) or the embedded one's
    binaries."""
    if source.dev_url:
        choice = DevServerChoice(source.dev_url, major=major,
                                 allow_version_mismatch=source.allow_version_mismatch)  # fmt: skip
        conn = connect(source.dev_url, "dev database server")
        try:
            choice.check(conn)
            row = conn.execute("SELECT version()").fetchone()
        finally:
            conn.close()
        server = f"server {row[0] if row else ''}"
    else:
        bin_dir = find_server_binaries(source.pg_bin, major)
        postgres = (bin_dir / "postgres").stat()
        server = f"embedded {bin_dir} {postgres.st_size} {postgres.st_mtime_ns}"
    return DesiredStateCache(cache_key(files_digest, external, scope, server))


def _ensure_dev_roles(source: DesiredSource, facts: FolderFacts, external: Catalog) -> None:
    """The roles loading would have created on a ``--dev-url`` server (they are
    server-wide, and that server may be the target's own): a cache hit creates them too."""
    if not source.dev_url:
        return
    conn = connect(source.dev_url, "dev database server")
    try:
        ensure_roles(conn, facts.dev_roles | grantees(external))
    finally:
        conn.close()


def with_target_warnings(
    plan: Plan, facts: FolderFacts, scope: Scope, target: psycopg.Connection
) -> Plan:
    """What a plan should say about the schema as this target sees it: definitions on
    tables schemactl does not manage, roles the target lacks."""
    unmanaged = facts.defined_on_external(scope.is_external)
    if unmanaged:
        warning = (
            f"the schema defines {'; '.join(unmanaged)}: on tables schemactl does not manage, "
            "so it is loaded in the dev database but never planned"
        )
        plan = dataclasses.replace(plan, warnings=(*plan.warnings, warning))
    roles = facts.roles
    needed = (facts.referenced_roles | roles.required) - set(roles.declared)
    missing = sorted(needed - roles_of(target))
    if missing:
        warning = f"the schema names roles the target does not have: {', '.join(missing)}"
        plan = dataclasses.replace(
            plan, missing_roles=tuple(missing), warnings=(*plan.warnings, warning)
        )
    return plan


@dataclass
class PreparedState:
    """The desired state loaded once into a dev database and read, ready to be planned
    against any number of targets (``schemactl fleet``). Each planning thread opens its
    own connection to the dev database (``dev_url``) to reconcile printouts.

    For schema-per-tenant fleets the state is written for ``template_schema``: it is
    renamed to a tenant's schema in the dev database while that tenant is planned, so
    every printout names the tenant (:meth:`desired_for`), one tenant at a time."""

    facts: FolderFacts
    scope: Scope
    dev_url: str
    external: Catalog
    adjust: Adjust
    desired: Catalog
    template_schema: str | None = None
    schema_now: str = ""  # what the template schema is called in the dev database now
    _renaming: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    def plan(
        self, target: psycopg.Connection, online: bool = True, tenant: str | None = None
    ) -> Plan:
        scope = dataclasses.replace(self.scope, include=(tenant,)) if tenant else self.scope
        dev_conn = connect(self.dev_url, "dev database")
        try:
            as_read = current = introspect(target, scope)
            current = without_received(current, self.external)
            if tenant:
                with self._renaming:
                    desired = self._as_tenant(dev_conn, tenant, scope)
                    current = reconcile_equivalent(dev_conn, current, desired)
                    desired = with_partition_constraints(dev_conn, current, desired)
                    self._as_tenant(dev_conn, None, scope)
            else:
                desired = self.desired
                current = reconcile_equivalent(dev_conn, current, desired)
                desired = with_partition_constraints(dev_conn, current, desired)
        finally:
            dev_conn.close()
        roles = declared_roles(target, self.facts.roles)
        current, desired, warnings = chained(self.adjust, roles)(current, desired)
        plan = build_plan(current, desired, online, as_read)
        if warnings:
            plan = dataclasses.replace(plan, warnings=(*plan.warnings, *warnings))
        return with_target_warnings(plan, self.facts, scope, target)

    def _as_tenant(self, dev_conn: psycopg.Connection, tenant: str | None, scope: Scope) -> Catalog:
        """Rename the template schema to ``tenant`` (or back, for None) in the dev
        database; the desired state as that tenant's."""
        template = self.template_schema or DEFAULT_TEMPLATE_SCHEMA
        old, new = (template, tenant) if tenant else (self.schema_now, template)
        dev_conn.execute(
            psycopg.sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                psycopg.sql.Identifier(old), psycopg.sql.Identifier(new)
            )
        )
        self.schema_now = new
        return introspect(dev_conn, scope) if tenant else self.desired


DEFAULT_TEMPLATE_SCHEMA = "public"


@contextmanager
def prepared_state(
    source: DesiredSource,
    scope: Scope,
    *,
    major: int | None,
    external_from: psycopg.Connection | None,
    template_schema: str | None = None,
) -> Iterator[PreparedState]:
    """Load the desired state once (external objects read from ``external_from``) and
    keep its dev database for as long as the block runs."""
    statements, facts = source.statements, source.facts
    external = (
        external_objects(external_from, statements, scope)
        if template_schema is None
        else Catalog(server_version="")
    )
    jobs = list(facts.jobs)
    with dev_database(
        source.dev_url,
        source.pg_bin,
        major=major,
        allow_version_mismatch=source.allow_version_mismatch,
    ) as dev:
        load_desired_state(dev.url, statements, external)
        dev_conn = connect(dev.url, "dev database")
        try:
            check_job_commands(dev_conn, jobs)
            desired_scope = (
                dataclasses.replace(scope, include=(template_schema,)) if template_schema else scope
            )
            desired = without_received(introspect(dev_conn, desired_scope), external)
        finally:
            dev_conn.close()
        yield PreparedState(
            facts=facts,
            scope=scope,
            dev_url=dev.url,
            external=external,
            adjust=declared_operations(facts, source.moment, source.upkeep),
            desired=desired,
            template_schema=template_schema,
            schema_now=template_schema or DEFAULT_TEMPLATE_SCHEMA,
        )


def compare(
    origin: Source,
    destination: Source,
    scope: Scope,
    online: bool = True,
    early: LiveReads | None = None,
) -> Plan:
    """The plan that turns ``origin`` into ``destination``, each a live database or a
    schema folder: what ``schemactl diff`` shows. Nothing is changed anywhere.

    From a database to a folder it is exactly ``plan``. Folders are loaded into dev
    databases (on one server), given the external objects they use from the live side,
    if there is one. Where the destination is a live database, PostgreSQL's printouts
    are reconciled there, on temporary copies inside a rolled-back transaction (see
    :mod:`schemactl.catalog.equivalence`). ``early``: the reads of two live databases,
    begun by the caller (see :mod:`schemactl.live_reads`).
    """
    if early is not None:
        with ExitStack() as stack:
            warm_up()  # the templates, while the servers answer
            with metrics.phase("introspect"):
                (current_conn, current), (desired_conn, desired) = early.take(stack)
            return _plan_between(
                current_conn, desired_conn, desired_is_dev=False, scope=scope, online=online,
                current=current, desired=desired,
            )  # fmt: skip
    folders = [s for s in (origin, destination) if isinstance(s, DesiredSource)]
    for folder in folders:
        folder.statements  # noqa: B018 - read every folder before connecting: bad input first
    if isinstance(origin, LiveDatabase) and isinstance(destination, DesiredSource):
        conn = connect(origin.url, origin.purpose)
        try:
            return plan_against(conn, destination, scope, online)
        finally:
            conn.close()
    with ExitStack() as stack:
        opened = {
            id(source): _opened(stack, source.url, source.purpose)
            for source in (origin, destination)
            if isinstance(source, LiveDatabase)
        }
        live = next(iter(opened.values()), None)
        received = [external_objects(live, folder.statements, scope) for folder in folders]
        if folders:
            devs = stack.enter_context(
                dev_databases(
                    folders[0].dev_url,
                    folders[0].pg_bin,
                    len(folders),
                    major=connection_major(live) if live else folders[0].pg_version,
                    allow_version_mismatch=folders[0].allow_version_mismatch,
                    extensions=set().union(
                        *(
                            schema_extensions(f.statements, e)
                            for f, e in zip(folders, received, strict=True)
                        )
                    ),
                )
            )
            for folder, dev, external in zip(folders, devs, received, strict=True):
                with metrics.phase("load"):
                    load_desired_state(dev.url, folder.statements, external)
                opened[id(folder)] = _opened(stack, dev.url, "dev database")
        return _plan_between(
            opened[id(origin)],
            opened[id(destination)],
            desired_is_dev=isinstance(destination, DesiredSource),
            scope=scope,
            online=online,
            received=received,
            adjust=_declared_by(destination),
            hints=destination.rename_hints if isinstance(destination, DesiredSource) else (),
            conversions=destination.conversions if isinstance(destination, DesiredSource) else (),
        )


def _declared_by(source: Source) -> Adjust | None:
    """What a destination folder declares beyond what it loads (jobs, partition rules)."""
    if not isinstance(source, DesiredSource):
        return None
    return declared_operations(source.facts, source.moment, source.upkeep)


def _opened(stack: ExitStack, url: str, purpose: str) -> psycopg.Connection:
    conn = connect(url, purpose)
    stack.callback(conn.close)
    return conn


def _plan_between(
    current_conn: psycopg.Connection,
    desired_conn: psycopg.Connection,
    *,
    desired_is_dev: bool,
    scope: Scope,
    online: bool,
    received: Sequence[Catalog] = (),
    adjust: Adjust | None = None,
    hints: Sequence[RenameHint] = (),
    conversions: Sequence[Conversion] = (),
    current: Catalog | None = None,
    desired: Catalog | None = None,
    keep: Callable[[Catalog], None] | None = None,
    answers: Answers | None = None,
) -> Plan:
    """Read both databases, reconcile printouts on the desired side, plan.

    A dev database may be probed directly; a live desired database only on temporary
    copies (``sandbox``). What dev databases were given from a target (``received``)
    is the target's, and compared on neither side. ``adjust`` adds to the desired state
    what the schema declares but never loads (jobs, rolling partitions). Declared
    renames (``hints``) run backwards in a dev database before the diff (see
    :mod:`schemactl.diff.renames`). ``current``: the target, when already read;
    ``desired``: what the desired database reads as, when known (cached); ``keep`` is
    given the desired state as read (to cache it); ``answers``: the dev database's
    answers known before, added to (see :func:`_plan_catalogs`)."""

    def read(conn: psycopg.Connection, second_connection: bool = True) -> Catalog:
        catalog = introspect(conn, scope, second_connection)
        for external in received:
            catalog = without_received(catalog, external)
        return catalog

    with metrics.phase("introspect"):
        if current is None:
            current, desired = introspect_both(current_conn, desired_conn, read)
        elif desired is None:
            desired = read(desired_conn)
    if keep is not None:
        keep(desired)
    return _plan_catalogs(
        current, desired, current, desired_conn, desired_is_dev=desired_is_dev,
        online=online, adjust=adjust, hints=hints, conversions=conversions, read=read,
        answers=answers,
    )  # fmt: skip


def _refuse_reading(conn: psycopg.Connection) -> Catalog:
    raise DevDatabaseNeeded("read the dev database")


def _plan_catalogs(
    current: Catalog,
    desired: Catalog,
    as_read: Catalog,
    desired_conn: psycopg.Connection,
    *,
    desired_is_dev: bool,
    online: bool,
    adjust: Adjust | None = None,
    hints: Sequence[RenameHint] = (),
    conversions: Sequence[Conversion] = (),
    read: Callable[[psycopg.Connection], Catalog] = _refuse_reading,
    answers: Answers | None = None,
) -> Plan:
    """The plan between two catalogs as read; ``as_read`` is the target as read (the plan
    carries its fingerprint); ``desired_conn`` holds the desired state
    (reconciling printouts, casts and declared renames ask it). ``answers``: what a dev
    database of this desired state answered before; new answers are added to it, unless
    renames ran in the dev database (its answers are then of another state)."""
    renames: list[Rename] = []
    notes: list[str] = []
    with metrics.phase("reconcile"):
        if desired_is_dev and hints:
            desired, renames, notes = rename_back(desired_conn, hints, current, desired, read)
        if renames or not desired_is_dev:
            answers = None
        current = reconcile_equivalent(
            desired_conn, current, desired, sandbox=not desired_is_dev, answers=answers
        )
        desired = with_conversions(desired_conn, current, desired, conversions, answers)
        desired = with_partition_constraints(desired_conn, current, desired, answers)
        warnings: tuple[str, ...] = ()
        if adjust is not None:
            current, desired, warnings = adjust(current, desired)
    with metrics.phase("diff"):
        plan = build_plan(current, desired, online, as_read)
    if renames:
        plan = with_renames(plan, renames)
    if warnings or notes:
        plan = dataclasses.replace(plan, warnings=(*plan.warnings, *notes, *warnings))
    return plan


def rename_back(
    dev: psycopg.Connection,
    hints: Sequence[RenameHint],
    current: Catalog,
    desired: Catalog,
    read: Callable[[psycopg.Connection], Catalog],
) -> tuple[Catalog, list[Rename], list[str]]:
    """Run the renames the target needs backwards in the dev database (new names to old),
    declared ones and then the generated names they imply, and read it again: the
    desired state under the target's names, the renames (as they ran), notes."""
    renames, notes = pair_hints(hints, current, desired)
    if not renames:
        return desired, [], notes
    run_renames(dev, renames)
    desired = read(dev)
    implied = implied_renames(renames, current, desired)
    if implied:
        run_renames(dev, implied)
        desired = read(dev)
    return desired, [*renames, *implied], notes


def run_renames(dev: psycopg.Connection, renames: Sequence[Rename]) -> None:
    """Run renames in the dev database, in one transaction."""
    try:
        with dev.transaction():
            for rename in renames:
                dev.execute(render(rename.change()).encode())
    except psycopg.Error as exc:
        names = ", ".join(f"{r.kind} {r.label} -> {r.new}" for r in renames)
        reason = " ".join(str(exc).split())
        raise SchemactlError(f"the declared renames ({names}) cannot run: {reason}") from None


# Turns (current, desired) into what is compared, with warnings for the plan.
Adjust = Callable[[Catalog, Catalog], tuple[Catalog, Catalog, tuple[str, ...]]]


def declared_operations(facts: FolderFacts, moment: datetime, upkeep: bool = True) -> Adjust:
    """pg_cron jobs and rolling partition rules join the desired state after it was read
    from the dev database: neither is loaded there. Without ``upkeep`` the partitions
    the rules name leave the comparison on both sides instead."""
    jobs, rules, registrations = list(facts.jobs), facts.partition_rules, facts.registrations

    def adjust(current: Catalog, desired: Catalog) -> tuple[Catalog, Catalog, tuple[str, ...]]:
        desired, warnings = with_jobs(desired, current, jobs)
        desired, current = with_registrations(desired, current, registrations)
        if rules and upkeep:
            desired, current = apply_partition_rules(desired, current, rules, moment)
        elif rules:
            desired = without_rule_partitions(desired, rules)
            current = without_rule_partitions(current, rules)
        return current, desired, warnings

    return adjust


def declared_roles(target: psycopg.Connection, declarations: RoleDeclarations) -> Adjust:
    """The roles the schema declares (and those it drops or grants memberships to) join
    both sides: as the target has them, and as declared. Read after the dev database
    loaded, so a dev server that is the target's own shows the roles it created there."""

    def adjust(current: Catalog, desired: Catalog) -> tuple[Catalog, Catalog, tuple[str, ...]]:
        current_roles, desired_roles = role_states(target, declarations)
        return (
            dataclasses.replace(current, roles=current_roles),
            dataclasses.replace(desired, roles=desired_roles),
            (),
        )

    return adjust


def _refuse_platform_roles(declarations: RoleDeclarations, scope: Scope) -> None:
    """A platform's roles (``--profile``) are the platform's: the schema may grant them
    and grant memberships in them, never create, alter or drop them."""
    platform = set(scope.external_roles)
    profile = scope.profile.name if scope.profile else ""
    for name, declared in declarations.declared.items():
        if name in platform:
            raise SchemaSourceError(
                declared.location,
                f"role {name} belongs to the platform (profile {profile}): "
                "remove its CREATE ROLE; the schema may still grant to it",
            )
    for name, location in declarations.dropped.items():
        if name in platform:
            raise SchemaSourceError(
                location,
                f"role {name} belongs to the platform (profile {profile})",
            )


def chained(*adjustments: Adjust) -> Adjust:
    """One adjustment doing each of ``adjustments`` in turn, warnings collected."""

    def adjust(current: Catalog, desired: Catalog) -> tuple[Catalog, Catalog, tuple[str, ...]]:
        warnings: tuple[str, ...] = ()
        for each in adjustments:
            current, desired, more = each(current, desired)
            warnings += more
        return current, desired, warnings

    return adjust


def introspect_both(
    first: psycopg.Connection,
    second: psycopg.Connection,
    read: Callable[[psycopg.Connection, bool], Catalog],
) -> tuple[Catalog, Catalog]:
    """Both catalogs, read at the same time on their own connections (the waits are
    network and server time, so two threads halve the wall clock); each on a second
    connection too where the servers have the cores for it."""
    split = cores_for_second_connections((first, second))
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="introspect") as pool:
        later = pool.submit(read, second, split)
        ready = pool.submit(warm_up)  # the templates, while the servers answer
        both = read(first, split), later.result()
        ready.result()
        return both


def external_objects(
    target: psycopg.Connection | None, statements: Sequence[ParsedStatement], scope: Scope
) -> Catalog:
    """What the dev database must be given before the schema loads: the target's objects
    the statements use in schemas schemactl does not manage, and the default privileges
    the platform (``--profile``) grants on what the project creates.

    Without a target to read them from, a schema that uses such objects is an error."""
    names = external_names(statements, scope.is_external)
    return read_external(target, names, created_extensions(statements), scope)


def read_external(
    target: psycopg.Connection | None,
    names: Collection[ExternalName],
    created: Collection[str],
    scope: Scope,
) -> Catalog:
    """:func:`external_objects` of the ``names`` the schema uses there (``created``:
    the extensions the schema creates itself)."""
    catalog = Catalog(server_version="")
    if names:
        if target is None:
            listed = ", ".join(sorted({str(n) for n in names if n.name}) or {str(n) for n in names})
            raise SchemactlError(
                f"the schema uses objects schemactl does not manage ({listed}); "
                "they are read from the target database: pass --database-url (read only)"
            )
        _refuse_missing_schemas(target, names)
        catalog = read_external_objects(target, names, scope, set(created))
    return dataclasses.replace(
        catalog,
        default_privileges=platform_default_privileges(scope.profile),
        privileges=platform_privileges(scope.profile),
    )


def external_objects_at(
    url: str | None, statements: Sequence[ParsedStatement], scope: Scope
) -> Catalog:
    """:func:`external_objects`, connecting to the target at ``url`` only when the
    statements use objects that live there (commands without a target of their own)."""
    if not url or not external_names(statements, scope.is_external):
        return external_objects(None, statements, scope)
    conn = connect(url, "target database")
    try:
        return external_objects(conn, statements, scope)
    finally:
        conn.close()


def _refuse_missing_schemas(target: psycopg.Connection, names: Collection[ExternalName]) -> None:
    wanted = sorted({n.schema for n in names})
    rows = target.execute(
        "SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", (wanted,)
    ).fetchall()
    missing = sorted(set(wanted) - {str(row[0]) for row in rows})
    if missing:
        uses = ", ".join(sorted(str(n) for n in names if n.schema in missing and n.name))
        raise SchemactlError(
            f"the schema uses {uses or 'schema ' + ', '.join(missing)}, in "
            f"{'schema' if len(missing) == 1 else 'schemas'} {', '.join(missing)}, which "
            f"schemactl does not manage (out of scope) and which the target "
            f"{describe_connection(target)} does not have"
        )


def created_extensions(statements: Sequence[ParsedStatement]) -> set[str]:
    return {str(s.node.extname) for s in statements if isinstance(s.node, ast.CreateExtensionStmt)}


def schema_extensions(statements: Sequence[ParsedStatement], external: Catalog) -> set[str]:
    """Extensions the dev server must hold: those the schema creates and those it is
    given from the target."""
    return created_extensions(statements) | extension_names(external)


def extension_names(catalog: Catalog) -> set[str]:
    return {e.name for e in catalog.extensions.values()}


def without_received(catalog: Catalog, external: Catalog) -> Catalog:
    """Extensions the dev database was given from the target are the target's: never
    compared."""
    if not external.extensions:
        return catalog
    kept = {k: e for k, e in catalog.extensions.items() if k not in external.extensions}
    return dataclasses.replace(catalog, extensions=kept)


def with_jobs(
    desired: Catalog, current: Catalog, jobs: list[JobDeclaration]
) -> tuple[Catalog, tuple[str, ...]]:
    """The desired state with the schema's pg_cron jobs, where the target runs pg_cron.

    Jobs need the pg_cron extension, which the platform (or a DBA) installs with
    server settings; declaring jobs keeps the target's extension as it is."""
    if not jobs:
        return desired, ()
    if not current.cron:
        return desired, (
            f"the schema declares {len(jobs)} pg_cron job(s), but pg_cron is not installed "
            "in the target database (or its cron.job is not readable): jobs are not planned",
        )
    extensions = dict(desired.extensions)
    for ident, extension in current.extensions.items():
        if extension.name == CRON_EXTENSION:
            extensions.setdefault(ident, extension)
    return dataclasses.replace(
        desired, jobs=declared_jobs(jobs), cron=True, extensions=extensions
    ), ()


def roles_of(conn: psycopg.Connection) -> set[str]:
    return {str(row[0]) for row in conn.execute("SELECT rolname FROM pg_roles").fetchall()}


def upkeep_plan(target: psycopg.Connection, source: DesiredSource, scope: Scope) -> Plan:
    """Only what the schema's rolling partition rules demand of the target now: the
    target's own catalog is the desired state, with the rules applied to it. No dev
    database is needed, so a scheduler can run it cheaply."""
    rules = source.facts.partition_rules
    current = introspect(target, scope)
    desired, upkept = apply_partition_rules(current, current, rules, source.moment)
    return build_plan(upkept, desired, online=False, as_read=current)


def target_fingerprint(target: psycopg.Connection, scope: Scope) -> str:
    """The fingerprint of the target's schema as it is now."""
    return fingerprint(introspect(target, scope))
