"""A TCP relay on 127.0.0.1 between the app and PostgreSQL that cuts the line at COMMIT.

What a power cut or a pulled LAN cable does at the worst moment, made exact: the client's
``COMMIT`` message is relayed to the server (``after``: the server commits, its answer is
dropped and the line closed) or not (``before``: the line closes, the server rolls back).
Every other connection, before and after, is relayed untouched, so the app reconnects through
the same address as it would to the office server. Nothing in the app is patched.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from types import TracebackType

#: psycopg's COMMIT as a simple-query message: 'Q', length 11, "COMMIT\0".
COMMIT_MESSAGE = b"Q\x00\x00\x00\x0bCOMMIT\x00"


class WireCut:
    """Relay ``127.0.0.1:port`` to ``server``; :meth:`arm` cuts the next COMMIT."""

    def __init__(self, server: tuple[str, int]) -> None:
        self.server = server
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._armed: str | None = None
        self._refuse_until = 0.0
        self._refuse_for = 0.0
        self.cuts = 0
        self._closing = False
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> WireCut:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType
    ) -> None:
        self._closing = True
        self._listener.close()

    def arm(self, when: str, *, then_refuse_s: float = 0.0) -> None:
        """Cut the next COMMIT ``before`` or ``after`` relaying it; then turn new connections
        away for ``then_refuse_s`` seconds (the server "still down")."""
        assert when in ("before", "after")
        with self._lock:
            self._armed = when
            self._refuse_for = then_refuse_s

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if time.monotonic() < self._refuse_until:
                client.close()
                continue
            upstream = socket.create_connection(self.server)
            pair = _Pair(self, client, upstream)
            threading.Thread(target=pair.to_server, daemon=True).start()
            threading.Thread(target=pair.to_client, daemon=True).start()

    def _take_cut(self, data: bytes) -> str | None:
        with self._lock:
            if self._armed is None or COMMIT_MESSAGE not in data:
                return None
            when, self._armed = self._armed, None
            self._refuse_until = time.monotonic() + self._refuse_for
            self.cuts += 1
            return when


class _Pair:
    def __init__(self, relay: WireCut, client: socket.socket, upstream: socket.socket) -> None:
        self.relay, self.client, self.upstream = relay, client, upstream
        self.cut = threading.Event()

    def to_server(self) -> None:
        try:
            while data := self.client.recv(65536):
                when = self.relay._take_cut(data)
                if when == "after":
                    self.cut.set()  # the answer will not be relayed
                    self.upstream.sendall(data)
                    time.sleep(0.3)  # the server commits and answers into the void
                    break
                if when == "before":
                    break
                self.upstream.sendall(data)
        except OSError:
            pass
        self._close()

    def to_client(self) -> None:
        try:
            while data := self.upstream.recv(65536):
                if self.cut.is_set():
                    break
                self.client.sendall(data)
        except OSError:
            pass
        self._close()

    def _close(self) -> None:
        for end in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()
