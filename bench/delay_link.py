"""A TCP link that delays what it carries: a far server (a managed database in another
region) on this machine.

Everything sent either way arrives ``one_way`` seconds later, in order, at full speed
otherwise: a round trip costs twice that, which is what a client that waits for each
answer pays per query. Threads relay the bytes; the link lives as long as its context.
"""

from __future__ import annotations

import collections
import socket
import threading
import time
from types import TracebackType


class DelayLink:
    """Listens on 127.0.0.1 (``port`` once entered) and relays each connection to
    ``host``:``target_port`` with ``one_way`` seconds of delay each way."""

    def __init__(self, host: str, target_port: int, one_way: float) -> None:
        self.host = host
        self.target_port = target_port
        self.one_way = one_way
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]

    def __enter__(self) -> DelayLink:
        self._listener.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            upstream = socket.create_connection((self.host, self.target_port))
            for end in (client, upstream):
                end.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._relay(client, upstream)
            self._relay(upstream, client)

    def _relay(self, source: socket.socket, sink: socket.socket) -> None:
        """Bytes from ``source`` to ``sink``, each chunk held until it is due."""
        queue: collections.deque[tuple[float, bytes]] = collections.deque()
        ready = threading.Condition()

        def read() -> None:
            while True:
                try:
                    data = source.recv(65536)
                except OSError:
                    data = b""
                with ready:
                    queue.append((time.monotonic() + self.one_way, data))
                    ready.notify()
                if not data:
                    return

        def write() -> None:
            while True:
                with ready:
                    while not queue:
                        ready.wait()
                    due, data = queue.popleft()
                time.sleep(max(0.0, due - time.monotonic()))
                try:
                    if not data:
                        sink.shutdown(socket.SHUT_WR)
                        return
                    sink.sendall(data)
                except OSError:
                    return

        threading.Thread(target=read, daemon=True).start()
        threading.Thread(target=write, daemon=True).start()
