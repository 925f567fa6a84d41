"""The benchmark's CPU figures (bench.cpu): what a command's own processes used, and what
the backends that served it used on the server."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.cpu import ServerCpu
from bench.run import measured

from schemactl.devdb.embedded import EmbeddedServer

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")

BUSY_QUERY = "SELECT count(*) FROM generate_series(1, 3000000) AS g(x) WHERE x % 7 = 3"


def test_a_backends_cpu_time_is_counted_for_the_command_it_served() -> None:
    with EmbeddedServer(settings={"autovacuum": "off"}) as server:
        assert server.process is not None
        cpu = ServerCpu(server.process.pid)
        psql = [str(server.bin_dir / "psql"), "-X", "-q", "-d", server.url]
        busy = measured([*psql, "-c", BUSY_QUERY], server=cpu)
        idle = measured(["true"], server=cpu)

    assert busy.server_cpu_seconds is not None and busy.server_cpu_seconds >= 0.1
    assert busy.cpu_seconds is not None and busy.cpu_seconds < busy.server_cpu_seconds
    assert busy.total_cpu_seconds == busy.cpu_seconds + busy.server_cpu_seconds
    assert idle.server_cpu_seconds == 0.0  # it never connected


def test_without_a_server_only_the_commands_own_cpu_time_is_known() -> None:
    sample = measured(["true"])

    assert sample.cpu_seconds is not None
    assert sample.server_cpu_seconds is None and sample.total_cpu_seconds is None
