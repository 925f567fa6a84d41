"""Loading the dev database while the schema's files are still being read.

On a cold run (files not seen before) reading the folder is Python's work and loading
it is the dev server's, one after the other: at a thousand tables 1.3 s and 2.7 s on a
machine with two cores, one of them idle while the files are parsed. Here a worker
thread connects to the target (for its major version), starts the embedded dev server
(or creates the dev database on ``--dev-url``'s) and sends the statements of each file
as soon as they are parsed, in the folder's path order, in batches as
:mod:`schemactl.devdb.loader` sends them (one implicit transaction each: one
transaction for the whole folder loads a third slower).

It is only a head start. When the load order is known, what was sent must be where
that order begins (a batch that failed was rolled back by the server and is sent again);
otherwise the database is made anew. The rest goes in load order. The pipeline takes
the result only where it is exactly what :func:`schemactl.devdb.loader.load_desired_state`
would have made: every statement loaded in the load order, no objects received from
the target, no extension that needs a server started for it. Then the roles are made
and the bodies validated as after any load. Anything else (a batch that fails in the
load order, an error of any kind, a statement that cannot run in a multi-statement
batch) leaves the server to be stopped, and the plan loads as it always has, naming
file, line and column of a rejected statement.

A ``--dev-url`` server is loaded early too, in a database of the run's own (created
for it and dropped after it, as the plan's are; never the ``--dev-url`` database itself,
which is only used where schemactl may not create one). Roles are server-wide there, so
none is created before the pipeline has read the folder's role declarations and refused
what it refuses (:meth:`EarlyLoad.take`): files are sent in path order only while the
roles they need are already on the server, and the load order waits for ``take`` before
it creates any. Nothing is downloaded either: where the server binaries of the target's
version are not at hand, the plan fetches them after the files are read, as ever. The
target is only asked its version.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import conninfo, sql

from schemactl import metrics
from schemactl.db import connect
from schemactl.devdb.binaries import binaries_at_hand
from schemactl.devdb.extensions import needs_preload
from schemactl.devdb.external import routine_oids
from schemactl.devdb.loader import (
    batch_text,
    batches,
    dev_roles,
    ensure_roles,
    existing_roles,
    loaded_statements,
    validate_function_bodies,
)
from schemactl.devdb.provider import DevDatabase, dev_database
from schemactl.devdb.versions import connection_major
from schemactl.errors import SchemaSourceError
from schemactl.source.order import load_phase
from schemactl.source.pglast_modules import ast
from schemactl.source.statements import Statement


@dataclass(frozen=True)
class LoadOrder:
    """The folder read whole: the statements to load, in load order, and the roles."""

    statements: list[Statement]
    roles: frozenset[str]


@dataclass(frozen=True)
class _File:
    """One file's statements and the roles they need (None: see the whole folder's)."""

    statements: list[Statement]
    roles: set[str] | None


_ABANDON = object()
_ROLES_ALLOWED = object()  # take() was reached: roles may be created on a shared server


class _NotEarly(Exception):  # noqa: N818 - a reason to leave the load to the plan
    """The head start is not taken (the plain load reports what there is to report)."""


class BatchFailed(Exception):
    """A batch in the load order failed: the normal load names the statement."""


def _runs_alone(statement: Statement) -> bool:
    """Statements the loader has to run on their own: an index built concurrently, an
    enum value (used only once committed)."""
    node = statement.node
    return (isinstance(node, ast.IndexStmt) and bool(node.concurrent)) or isinstance(
        node, ast.AlterEnumStmt
    )


class EarlyLoad:
    """A head start on loading the dev database of one run against ``target_url``."""

    def __init__(
        self,
        target_url: str,
        dev_url: str | None,
        pg_bin: str | None,
        allow_version_mismatch: bool = False,
    ) -> None:
        self.target_url = target_url
        self.dev_url = dev_url
        self.pg_bin = pg_bin
        self.allow_version_mismatch = allow_version_mismatch
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._stack = contextlib.ExitStack()
        self._conn: psycopg.Connection | None = None
        self._dev: DevDatabase | None = None
        self._major = 0
        self._before: list[int] = []
        self._roles: set[str] = set()  # roles the dev server has (that the load needs)
        self._shared = False  # a --dev-url server: roles wait for take()
        self._allowed = False  # take() was reached (roles may be created)
        self._sent: list[Statement] = []
        self._stalled = False  # a batch in path order failed: wait for the load order
        self._loaded = False
        self._taken = False
        self._ordered = False  # the load order was sent: nothing more is offered
        self._done = threading.Event()  # the worker has loaded what it could
        self._release = threading.Event()  # the dev database may go

    # -- the reading side --------------------------------------------------------

    def offer(self, statements: Sequence[Statement]) -> None:
        """One file's statements, as parsed; the first starts the worker. Its roles are
        found here, on the reading thread, whose walk of the trees load_order reuses."""
        if self._taken or self._ordered:
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="early-load", daemon=True)
            self._thread.start()
        try:
            roles: set[str] | None = dev_roles(list(statements))
        except SchemaSourceError:
            roles = None  # reported when the whole folder's roles are read
        self._queue.put(_File(list(statements), roles))

    def ordered(self, statements: Sequence[Statement]) -> None:
        """The whole folder, in load order."""
        if self._thread is None or self._taken or self._ordered:
            return
        self._ordered = True
        everything = list(statements)
        self._queue.put(LoadOrder(loaded_statements(everything), frozenset(dev_roles(everything))))

    def abandon(self) -> None:
        """The folder was not read (bad input): nothing of the head start is kept."""
        self._queue.put(_ABANDON)

    # -- the pipeline's side -----------------------------------------------------

    @property
    def statements_sent(self) -> int:
        """How many statements the dev database holds so far."""
        return len(self._sent)

    @property
    def stalled(self) -> bool:
        """Whether sending in path order stopped (a batch failed): the load order decides."""
        return self._stalled

    @property
    def started(self) -> bool:
        """Whether files were read (a run on unchanged files reads none)."""
        return self._thread is not None

    def take(
        self,
        *,
        major: int,
        extensions: Iterable[str],
        received: bool,
        roles: Iterable[str],
        statements: list[Statement],
    ) -> DevDatabase | None:
        """The dev database, loaded, where that is exactly what loading it now would
        make (the roles are made and the bodies validated here, as the loader does);
        None, with the early server stopped, where it is not."""
        if self._thread is None or self._taken:
            return None
        self._queue.put(_ROLES_ALLOWED if self._ordered else _ABANDON)
        self._done.wait()
        self._taken = True
        conn, dev = self._conn, self._dev
        if (
            conn is None
            or dev is None
            or not self._loaded
            or received
            or self._major != major
            or (dev.embedded and needs_preload(extensions))
        ):
            self.close()
            return None
        try:
            ensure_roles(conn, roles)
            validate_function_bodies(conn, statements, self._before)
        except psycopg.Error:
            self.close()
            return None
        finally:
            self._close_connection()
            self._sent.clear()  # the syntax trees go once loaded (see release_statements)
        metrics.count("early_loads")
        return dev

    @contextlib.contextmanager
    def holding(self, dev: DevDatabase) -> Iterator[DevDatabase]:
        """``dev`` (as :meth:`take` gave it) for a block, removed when the block ends,
        as :func:`schemactl.devdb.provider.dev_database`'s are."""
        try:
            yield dev
        finally:
            self.close()

    def close(self) -> None:
        """Stop the worker; it removes the dev database (and server) it made."""
        self._taken = True
        if self._thread is None:
            return
        if not self._done.is_set():
            self._queue.put(_ABANDON)
            if self._conn is not None:
                with contextlib.suppress(Exception):
                    self._conn.cancel_safe()
        self._release.set()
        self._thread.join()
        self._sent.clear()

    def _close_connection(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):
                self._conn.close()
            self._conn = None

    # -- the worker --------------------------------------------------------------

    def _work(self) -> None:
        """The worker's whole life. It lasts as long as the dev database: an embedded
        server is told to quit when the thread that started it ends (``PDEATHSIG``)."""
        abandoned = False
        try:
            self._open()
            abandoned = not self._load()
        except Exception:  # noqa: BLE001 - a head start only: the plan loads as before
            self._loaded = False
        finally:
            self._done.set()
            if not abandoned:  # take() or close() decides when the database goes
                self._release.wait()
            self._close_connection()
            self._stack.close()

    def __enter__(self) -> EarlyLoad:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _open(self) -> None:
        with metrics.phase("early_dev_database"):
            target = connect(self.target_url, "target database")
            try:
                self._major = connection_major(target)
            finally:
                target.close()
            if not binaries_at_hand(self.pg_bin, self._major):
                raise _NotEarly("a download is the plan's to start, once the files are read")
            self._dev = self._stack.enter_context(
                dev_database(
                    self.dev_url, self.pg_bin, major=self._major,
                    allow_version_mismatch=self.allow_version_mismatch,
                )
            )  # fmt: skip
            if not self._dev.throwaway:
                raise _NotEarly("the --dev-url database itself: the plan's to fill and empty")
            self._shared = not self._dev.embedded
            self._connect()

    def _connect(self) -> None:
        assert self._dev is not None
        conn = self._conn = connect(self._dev.url, "dev database")
        self._before = routine_oids(conn)
        conn.execute("SET check_function_bodies = off")
        if self._shared:
            self._roles = existing_roles(conn)

    def _anew(self) -> None:
        """The database again as created: what was sent is not where the load order begins."""
        assert self._dev is not None
        self._close_connection()
        # On a shared server, the database --dev-url names; on our own, postgres.
        admin_url = self.dev_url if self._shared and self.dev_url else None
        admin = connect(
            admin_url or conninfo.make_conninfo(self._dev.url, dbname="postgres"), "dev database"
        )
        try:
            name = sql.Identifier(str(conninfo.conninfo_to_dict(self._dev.url)["dbname"]))
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(name))
            admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(name))
        finally:
            admin.close()
        self._sent.clear()
        self._connect()

    def _load(self) -> bool:
        """Send files as they come until the load order does; False if abandoned."""
        while True:
            items = [self._queue.get()]
            with contextlib.suppress(queue.Empty):
                while True:
                    items.append(self._queue.get_nowait())
            if any(item is _ABANDON for item in items):
                return False
            self._allowed = self._allowed or any(item is _ROLES_ALLOWED for item in items)
            order = next((item for item in items if isinstance(item, LoadOrder)), None)
            if order is not None:
                self._finish(order)
                return True
            if not self._stalled:
                with metrics.phase("early_load"):
                    self._send_in_path_order(items)

    def _send_in_path_order(self, files: list[_File]) -> None:
        statements = [s for file in files for s in file.statements]
        roles = set().union(*(file.roles or () for file in files))
        loaded = loaded_statements(statements)
        if (
            any(file.roles is None for file in files)
            or any(_runs_alone(s) for s in statements)
            or (self._shared and not roles <= self._roles)
            or not self._keeps_to_phases(loaded)
        ):
            self._stalled = True
            return
        assert self._conn is not None
        ensure_roles(self._conn, roles - self._roles)
        self._roles |= roles
        for batch in batches(loaded):
            try:
                self._conn.execute(batch_text(batch))
            except psycopg.Error:
                self._stalled = True  # rolled back by the server: sent again in load order
                return
            self._sent.extend(batch)

    def _keeps_to_phases(self, statements: list[Statement]) -> bool:
        """Whether ``statements``, after those sent, keep to the load order's phases
        (settings, schemas, extensions, default privileges, the rest). A schema created
        after a table, say, is loaded before it: what was sent could not be kept, and
        sending more would only add to the work thrown away."""
        phase = load_phase(self._sent[-1]) if self._sent else 0
        for statement in statements:
            if (next_phase := load_phase(statement)) < phase:
                return False
            phase = next_phase
        return True

    def _finish(self, order: LoadOrder) -> None:
        """Keep what agrees with the load order, send the rest in it."""
        assert self._conn is not None
        if any(_runs_alone(s) for s in order.statements):
            return
        if not _begins_with(order.statements, self._sent):
            metrics.count("early_load_restarts")
            self._anew()
        metrics.count("early_load_kept", len(self._sent))
        if self._shared and not order.roles <= self._roles and not self._roles_allowed():
            return
        with metrics.phase("early_load"):
            ensure_roles(self._conn, set(order.roles) - self._roles)
            self._roles |= order.roles
            for batch in batches(order.statements[len(self._sent) :]):
                try:
                    self._conn.execute(batch_text(batch))
                except psycopg.Error as exc:
                    raise BatchFailed from exc
                self._sent.extend(batch)
        self._loaded = True

    def _roles_allowed(self) -> bool:
        """Wait until :meth:`take` says roles may be created; False if abandoned."""
        while not self._allowed:
            item = self._queue.get()
            if item is _ABANDON:
                return False
            self._allowed = item is _ROLES_ALLOWED
        return True


def _begins_with(statements: Sequence[Statement], prefix: Sequence[Statement]) -> bool:
    return len(prefix) <= len(statements) and all(
        a is b for a, b in zip(prefix, statements, strict=False)
    )
