"""Small hostile servers on 127.0.0.1 for the live-session tests: each runs an asyncio server in a thread of
its own, counts its connections and stops when the `with` block ends (every wait bounded)."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Self

from websockets.asyncio.server import ServerConnection, serve
from websockets.utils import accept_key

TOKEN = "secret-token"


def ack(start: int, end: int) -> str:
    return json.dumps(
        {
            "type": "audio_chunk",
            "acknowledged": True,
            "error": None,
            "session_id": "s-1",
            "created_at": "2024-01-01T00:00:00.000Z",
            "data": {"byte_range": [start, end], "time_range": [0.0, 0.0]},
        }
    )


def stop_ack() -> str:
    return json.dumps(
        {
            "type": "stop_recording",
            "acknowledged": True,
            "error": None,
            "session_id": "s-1",
            "created_at": "2024-01-01T00:00:00.000Z",
            "data": {"recording_duration": 1.0, "recording_left_to_process": 0.0},
        }
    )


def transcript(text: str, *, final: bool) -> str:
    return json.dumps(
        {
            "type": "transcript",
            "session_id": "s-1",
            "created_at": "2024-01-01T00:00:00.000Z",
            "data": {
                "id": "u",
                "is_final": final,
                "utterance": {
                    "text": text,
                    "start": 0.0,
                    "end": 1.0,
                    "language": "en",
                    "confidence": 0.9,
                    "channel": 0,
                    "words": [],
                },
            },
        },
        separators=(",", ":"),
    )


class _Thread:
    """Run `serve_forever(ready)` on an event loop in a daemon thread; `port` once it listens."""

    def __init__(self) -> None:
        self.port = 0
        self.connections = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v2/live?token={TOKEN}"

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        await self.serve(self._stop)

    async def serve(self, stop: asyncio.Event) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the test server did not start")
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


class WebSocketServer(_Thread):
    """A websockets server whose every connection runs `handler(ws, n)` (n: 1 for the first connection)."""

    def __init__(self, handler: Callable[[ServerConnection, int], Awaitable[None]], **options: Any) -> None:
        super().__init__()
        self._handler = handler
        self._options = options

    async def serve(self, stop: asyncio.Event) -> None:
        async def handle(ws: ServerConnection) -> None:
            self.connections += 1
            await self._handler(ws, self.connections)

        async with serve(handle, "127.0.0.1", 0, **self._options) as server:
            self.port = server.sockets[0].getsockname()[1]
            self._ready.set()
            await stop.wait()


class RawServer(_Thread):
    """A TCP server that answers the WebSocket handshake itself, then runs `handler(reader, writer, n)`: for
    behaviour websockets' server would not produce (never reading again, floods of prebuilt frames)."""

    def __init__(
        self,
        handler: Callable[[asyncio.StreamReader, asyncio.StreamWriter, int], Awaitable[None]],
        *,
        rcvbuf: int | None = None,
    ) -> None:
        super().__init__()
        self._handler = handler
        self._rcvbuf = rcvbuf

    async def serve(self, stop: asyncio.Event) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self._rcvbuf is not None:  # inherited by accepted sockets: a small window fills fast
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self._rcvbuf)
        listener.bind(("127.0.0.1", 0))
        self.port = listener.getsockname()[1]

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            try:
                await handshake(reader, writer)
                await self._handler(reader, writer, self.connections)
            except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
                pass  # the client went away, or the server is stopping
            finally:
                writer.transport.abort()

        server = await asyncio.start_server(handle, sock=listener, limit=2**20)
        async with server:
            self._ready.set()
            await stop.wait()


async def handshake(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    request = await reader.readuntil(b"\r\n\r\n")
    key = ""
    for line in request.decode("latin-1").split("\r\n"):
        name, _, value = line.partition(":")
        if name.strip().lower() == "sec-websocket-key":
            key = value.strip()
    accept = accept_key(key)
    writer.write(
        (
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
        ).encode()
    )
    await writer.drain()


def text_frame(text: str) -> bytes:
    """An unmasked server text frame."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        return bytes([0x81, size]) + payload
    if size < 65536:
        return bytes([0x81, 126]) + size.to_bytes(2, "big") + payload
    return bytes([0x81, 127]) + size.to_bytes(8, "big") + payload
