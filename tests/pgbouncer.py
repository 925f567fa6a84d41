"""A real PgBouncer in transaction mode in front of the suite's server, for the pooler specs.

It listens on a free loopback port, sends every database name on to the server
(``* =``), logs in there as the server URL's user, and is stopped (and its
folder removed) when the block ends, or with the test process if that dies.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import psycopg
from psycopg import conninfo

from schemactl.devdb.embedded import free_port

PGBOUNCER = Path("/usr/sbin/pgbouncer")
RUN_AS_WHEN_ROOT = "postgres"  # PgBouncer, like PostgreSQL, refuses to run as root


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


def pgbouncer_binary() -> Path | None:
    found = shutil.which("pgbouncer")
    if found:
        return Path(found)
    return PGBOUNCER if PGBOUNCER.exists() else None


class PgBouncer:
    """PgBouncer in ``pool_mode`` in front of the server at ``server_url``."""

    def __init__(self, server_url: str, pool_mode: str = "transaction", pool_size: int = 4):
        binary = pgbouncer_binary()
        if binary is None:
            raise RuntimeError("pgbouncer is not installed (Debian package pgbouncer)")
        self.binary = binary
        self.server = conninfo.conninfo_to_dict(server_url)
        self.pool_mode = pool_mode
        self.pool_size = pool_size
        self.port = 0
        self.folder: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._user: int | None = None
        self._group: int | None = None

    def url_for(self, database_url: str) -> str:
        """``database_url`` with its host and port replaced by PgBouncer's."""
        return conninfo.make_conninfo(database_url, host="127.0.0.1", port=str(self.port))

    def _config(self) -> str:
        target = " ".join(
            f"{key}={self.server[key]}"
            for key in ("host", "port", "user", "password")
            if self.server.get(key)
        )
        assert self.folder is not None
        return f"""[databases]
* = {target}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
auth_type = any
pool_mode = {self.pool_mode}
default_pool_size = {self.pool_size}
max_client_conn = 500
server_reset_query =
logfile = {self.folder / "pgbouncer.log"}
"""

    def __enter__(self) -> PgBouncer:
        if os.geteuid() == 0:
            entry = pwd.getpwnam(RUN_AS_WHEN_ROOT)
            self._user, self._group = entry.pw_uid, entry.pw_gid
        self.folder = Path(tempfile.mkdtemp(prefix="schemactl-pgbouncer-"))
        if self._user is not None and self._group is not None:
            os.chown(self.folder, self._user, self._group)
        for _attempt in range(5):
            self.port = free_port()
            config = self.folder / "pgbouncer.ini"
            config.write_text(self._config())
            self.process = subprocess.Popen(
                [str(self.binary), str(config)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent,
                user=self._user,
                group=self._group,
                extra_groups=[] if self._user is not None else None,
            )
            if self._wait_ready():
                return self
            self._stop_process()
        log = (self.folder / "pgbouncer.log").read_text(errors="replace")[-800:]
        self.__exit__(None, None, None)
        raise RuntimeError(f"pgbouncer did not start: {log}")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + 20
        url = conninfo.make_conninfo(
            "", host="127.0.0.1", port=str(self.port), dbname="postgres", user="postgres"
        )
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                return False
            try:
                with psycopg.connect(url, connect_timeout=2, prepare_threshold=None) as conn:
                    conn.execute("SELECT 1")
                    return True
            except psycopg.OperationalError:
                time.sleep(0.05)
        return False

    def _stop_process(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()  # SIGTERM: immediate shutdown
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop_process()
        folder, self.folder = self.folder, None
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
