"""A hostile HTTP server on 127.0.0.1: it answers every request with the same raw bytes, whatever they are."""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType

__all__ = ["HostileServer"]

_HEAD_LIMIT = 64 * 1024


class HostileServer:
    """Reads each request (head and Content-Length body), writes `response` as it is, then closes.

    Every socket has a 5 s timeout and the accept loop polls a stop flag, so nothing can hang a test.
    """

    def __init__(self, response: bytes) -> None:
        self.response = response
        self.requests = 0
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.02)  # how often the accept loop looks at the stop flag
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="hostile-server", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with connection, contextlib.suppress(OSError):
                connection.settimeout(5)
                self._answer(connection)

    def _answer(self, connection: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data and len(data) < _HEAD_LIMIT:
            chunk = connection.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                remaining = int(value.strip()) - len(body)
                while remaining > 0:
                    chunk = connection.recv(min(remaining, 65536))
                    if not chunk:
                        return
                    remaining -= len(chunk)
        self.requests += 1
        connection.sendall(self.response)
        connection.shutdown(socket.SHUT_WR)
