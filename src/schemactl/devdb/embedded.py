"""A throwaway PostgreSQL server started from the machine's binaries.

It lives in a temporary folder (``/dev/shm`` when there is room), listens only
on loopback on a free port, runs without durability (nothing in it matters),
and is stopped when the owning process exits: by ``atexit`` and signal
handlers in the normal case, and by the kernel's parent-death signal when the
owner is killed outright.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import psycopg

from schemactl.devdb.binaries import find_server_binaries
from schemactl.devdb.clusters import copy_folder, forget_template, keep_template, template_for
from schemactl.devdb.extensions import preload_settings
from schemactl.devdb.versions import server_major
from schemactl.errors import DevDatabaseError

RUN_AS_WHEN_ROOT = "postgres"
DIR_PREFIX = "schemactl-pg-"
OWNER_FILE = "schemactl.owner"
START_TIMEOUT_SECONDS = 60
# A fresh server answers some 50 ms after its start: asked again soon, not every 50 ms.
READY_POLL_SECONDS = 0.005
SHM = Path("/dev/shm")
SHM_MIN_FREE_BYTES = 512 * 1024 * 1024

INITDB_ARGS = ("-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale", "C", "--no-sync")

SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
    "max_connections": "100",
    "shared_buffers": "64MB",
    "max_locks_per_transaction": "256",
    "log_min_messages": "warning",
}

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Runs in the server's process before exec: quit when the owner dies."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGQUIT)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _shared_memory_setting(base: Path) -> dict[str, str]:
    """Where the server keeps its dynamic shared memory. With the data folder in
    ``/dev/shm`` already, as files inside it (``mmap``: the same memory), so that a
    server killed outright leaves nothing behind once its folder is removed; POSIX
    segments (``/dev/shm/PostgreSQL.*``) outlive a killed server. Elsewhere ``mmap``
    would write them to disk."""
    return {"dynamic_shared_memory_type": "mmap" if base == SHM else "posix"}


def _base_dir() -> Path:
    if SHM.is_dir() and os.access(SHM, os.W_OK):
        stats = os.statvfs(SHM)
        if stats.f_bavail * stats.f_frsize > SHM_MIN_FREE_BYTES:
            return SHM
    return Path(tempfile.gettempdir())


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_servers(base: Path | None = None) -> None:
    """Delete folders left by owners that were killed before they could clean up."""
    for folder in (base or _base_dir()).glob(f"{DIR_PREFIX}*"):
        owner = folder / OWNER_FILE
        try:
            pid = int(owner.read_text().strip())
        except (OSError, ValueError):
            continue
        if not _process_alive(pid):
            shutil.rmtree(folder, ignore_errors=True)


class EmbeddedServer:
    """One throwaway PostgreSQL server; use as a context manager or call stop().

    ``major`` picks the server's major version (the target's); None means the
    machine's own server, whichever version it is. ``extensions`` are those the
    schema creates: libraries among them that must load at start are preloaded, and
    an extension tied to one database (pg_cron) is tied to ``database``.
    """

    def __init__(
        self,
        pg_bin: str | None = None,
        settings: dict[str, str] | None = None,
        major: int | None = None,
        extensions: Iterable[str] = (),
        database: str = "postgres",
    ) -> None:
        self.bin_dir = find_server_binaries(pg_bin, major)
        self.major = server_major(self.bin_dir)
        # Extensions that work only when loaded at start are preloaded, for ``database``.
        preload = preload_settings(self.bin_dir, extensions, database)
        self.settings = {**SERVER_SETTINGS, **preload, **(settings or {})}
        self.port = 0
        self.folder: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._uid: int | None = None  # the server's user when we run as root
        self._gid: int | None = None
        self._previous_handlers: dict[int, object] = {}

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url_for(self, dbname: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def __enter__(self) -> EmbeddedServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _choose_server_user(self) -> None:
        """PostgreSQL refuses to run as root: use the ``postgres`` user then."""
        if os.geteuid() != 0:
            return
        try:
            entry = pwd.getpwnam(RUN_AS_WHEN_ROOT)
        except KeyError:
            raise DevDatabaseError(
                "running as root, and PostgreSQL refuses to run as root: "
                f"create a '{RUN_AS_WHEN_ROOT}' user or pass --dev-url"
            ) from None
        self._uid, self._gid = entry.pw_uid, entry.pw_gid
        self._check_server_user_can_run_binaries()

    def _check_server_user_can_run_binaries(self) -> None:
        try:
            result = subprocess.run(
                [str(self.bin_dir / "postgres"), "--version"],
                capture_output=True,
                text=True,
                user=self._uid,
                group=self._gid,
                extra_groups=[],
                timeout=30,
            )
            ok = result.returncode == 0
        except (OSError, subprocess.SubprocessError):
            ok = False
        if not ok:
            raise DevDatabaseError(
                f"running as root, PostgreSQL runs as the '{RUN_AS_WHEN_ROOT}' user, which "
                f"cannot run the server binaries in {self.bin_dir}: make that folder and its "
                f"parents readable by '{RUN_AS_WHEN_ROOT}' (or set XDG_CACHE_HOME to such a "
                "folder for downloaded binaries), or pass --dev-url"
            )

    def _give_to_server_user(self, path: Path) -> None:
        if self._uid is None or self._gid is None:
            return
        for root, dirs, files in os.walk(path):
            os.chown(root, self._uid, self._gid)
            for name in dirs + files:
                os.lchown(os.path.join(root, name), self._uid, self._gid)

    def _run_tool(self, args: list[str]) -> None:
        result = subprocess.run(
            args,
            capture_output=True,
            text=True,
            cwd=self.folder,
            user=self._uid,
            group=self._gid,
            extra_groups=[] if self._uid is not None else None,
        )
        if result.returncode != 0:
            raise DevDatabaseError(
                f"{Path(args[0]).name} failed: {(result.stderr or result.stdout).strip()[-800:]}"
            )

    def start(self) -> None:
        base = _base_dir()
        remove_stale_servers(base)
        self._choose_server_user()
        self.folder = Path(tempfile.mkdtemp(prefix=DIR_PREFIX, dir=base))
        (self.folder / OWNER_FILE).write_text(str(os.getpid()))
        atexit.register(self.stop)
        self._install_signal_handlers()
        data = self.folder / "data"
        self._give_to_server_user(self.folder)
        template = template_for(self.bin_dir, INITDB_ARGS)
        from_template = template.is_dir() and copy_folder(template, data)
        if not from_template:
            shutil.rmtree(data, ignore_errors=True)  # a copy that failed half-way
            self._initdb(data, template)
        last_error = ""
        for attempt in range(5):
            if from_template and attempt == 1:
                # A template this server cannot start from: made again from initdb.
                forget_template(template)
                shutil.rmtree(data, ignore_errors=True)
                self._initdb(data, template)
            self.port = free_port()
            args = [str(self.bin_dir / "postgres"), "-D", str(data), "-p", str(self.port)]
            args += ["-k", str(self.folder)]
            for key, value in {**_shared_memory_setting(base), **self.settings}.items():
                args += ["-c", f"{key}={value}"]
            log = open(self.folder / "server.log", "ab")  # noqa: SIM115 - owned by the child
            self.process = subprocess.Popen(
                args,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent,
                user=self._uid,
                group=self._gid,
                extra_groups=[] if self._uid is not None else None,
            )
            log.close()
            if self._wait_ready():
                return
            last_error = self._log_tail()
        self.stop()
        raise DevDatabaseError(f"the embedded PostgreSQL server did not start: {last_error}")

    def _initdb(self, data: Path, template: Path) -> None:
        self._run_tool([str(self.bin_dir / "initdb"), "-D", str(data), *INITDB_ARGS])
        keep_template(data, template)

    def _log_tail(self) -> str:
        assert self.folder is not None
        try:
            return (self.folder / "server.log").read_text(errors="replace").strip()[-800:]
        except OSError:
            return "(no log)"

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                return False
            try:
                with psycopg.connect(self.url, connect_timeout=2):
                    return True
            except psycopg.OperationalError:
                time.sleep(READY_POLL_SECONDS)
        return False

    def _install_signal_handlers(self) -> None:
        """Turn SIGTERM/SIGHUP into a normal exit so atexit stops the server."""

        def exit_on_signal(signum: int, frame: object) -> None:
            raise SystemExit(128 + signum)

        for signum in (signal.SIGTERM, signal.SIGHUP):
            with contextlib.suppress(ValueError):  # not the main thread
                if signal.getsignal(signum) in (signal.SIG_DFL, None):
                    self._previous_handlers[signum] = signal.signal(signum, exit_on_signal)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGINT)  # fast shutdown
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        folder, self.folder = self.folder, None
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        for signum, handler in self._previous_handlers.items():
            with contextlib.suppress(ValueError, TypeError):
                signal.signal(signum, handler)  # type: ignore[arg-type]
        self._previous_handlers.clear()
        with contextlib.suppress(Exception):
            atexit.unregister(self.stop)
