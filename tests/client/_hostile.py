"""A raw HTTP/1.1 server on 127.0.0.1 whose every byte a test decides: garbage status lines, trickled
headers, truncated chunks, compression bombs. It runs its own event loop in a thread, so sync and async
clients both reach it over real sockets, and it stops with its context manager.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import threading
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ._mock import JOB
from ._mock import JOB_ID as JOB_ID  # re-exported: the hostile-server tests take it from here

API_KEY = "sk-hostile-7e3b1f0c9a"


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


Handler = Callable[[Request, asyncio.StreamWriter], Awaitable[None]]


class RawServer:
    """Calls ``handler(request, writer)`` for each request; the handler writes whatever it likes and may close.

    ``requests`` records what arrived; ``sent`` counts the bytes the handlers wrote through `send`.
    """

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self.requests: list[Request] = []
        self.sent = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="raw-server", daemon=True)
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> RawServer:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        future.result(timeout=10)
        return self

    def __exit__(self, *exc_info: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        try:
            while True:
                request = await asyncio.wait_for(_read_request(reader), timeout=30)
                if request is None:
                    return
                self.requests.append(request)
                await self._handler(request, writer)
                if writer.is_closing():
                    return
        except (TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.CancelledError, ValueError):
            return
        finally:
            self._tasks.discard(task)  # type: ignore[arg-type]
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def send(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        writer.write(data)
        self.sent += len(data)
        await writer.drain()


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    head = await reader.readuntil(b"\r\n\r\n") if not reader.at_eof() else b""
    if not head:
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Request(method, target, headers, body)


def response_head(status: int | str, headers: list[tuple[str, str]] | None = None) -> bytes:
    """A status line (a number, or a whole line as given) and headers, ending with the blank line."""
    line = status if isinstance(status, str) else f"HTTP/1.1 {status} X"
    lines = [line, *(f"{name}: {value}" for name, value in headers or [])]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def answer(status: int, body: bytes, headers: list[tuple[str, str]] | None = None) -> bytes:
    """A complete response with a Content-Length."""
    all_headers = [("content-type", "application/json"), ("content-length", str(len(body))), *(headers or [])]
    return response_head(status, all_headers) + body


def fixed(status: int, body: bytes, headers: list[tuple[str, str]] | None = None, *, close: bool = False) -> Handler:
    """A handler that always sends the same complete answer."""

    async def handle(request: Request, writer: asyncio.StreamWriter) -> None:
        del request
        writer.write(answer(status, body, headers))
        await writer.drain()
        if close:
            writer.close()

    return handle


def raw(response: bytes) -> Handler:
    """A handler that sends ``response`` exactly as given (a whole answer, valid or not), then closes."""

    async def handle(request: Request, writer: asyncio.StreamWriter) -> None:
        del request
        writer.write(response)
        await writer.drain()
        writer.close()

    return handle


def nested_json(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


def chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


@cache
def gzip_bomb(decoded_size: int = 1 << 30, block: int = 1 << 20) -> bytes:
    """A gzip body of a JSON array padded with ``decoded_size`` spaces, about 1/1000 of that on the wire.

    Each 1 MiB block of spaces compresses to the same bytes once the window is full of spaces, so the bomb
    is built from one compressed block repeated, without compressing a gibibyte.
    """
    spaces = b" " * block
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = compressor.compress(b"[" + spaces) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(spaces) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(spaces) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert again == repeated
    count = decoded_size // block
    tail = compressor.compress(b"]") + compressor.flush()
    crc = zlib.crc32(b"[" + spaces)
    for _ in range(count - 1):
        crc = zlib.crc32(spaces, crc)
    crc = zlib.crc32(b"]", crc)
    size = (count * block + 2) & 0xFFFFFFFF
    header = gzip.compress(b"")[:10]
    return header + first + repeated * (count - 1) + tail + crc.to_bytes(4, "little") + size.to_bytes(4, "little")


def job(**extra: Any) -> dict[str, Any]:
    """The smallest done job (the unit tests' `JOB`) with ``extra`` fields."""
    return {**JOB, **extra}
