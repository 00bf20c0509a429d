"""The raw baseline of the live benchmarks: the least a correct live client does, with no client library.

`POST /v2/live` with `httpx`, the session over `websockets` (asyncio or its threaded `sync` twin, compression
off, every other setting at its default), `json.loads` on every frame the server sends, and the audio kept in
a buffer until the server acknowledges it (trimmed on each acknowledgement): what a service that cannot lose
audio must do at the least, so the client under test is compared with the cost of the job, not of nothing.

The raw sessions also time each frame from its send to its acknowledgement (`ack_delays`, nanoseconds): the
local server's answer time, which tells whether the server keeps up (a dict insert and pop per frame, a few
hundred nanoseconds against the tens of microseconds a frame costs).
"""

from __future__ import annotations

import json
import threading
import time
from array import array
from typing import Any

import httpx

from benchmarks.server import HEADERS

STOP_RECORDING = '{"type":"stop_recording"}'


class Unacknowledged:
    """Audio sent and not yet acknowledged: appended on send, trimmed from the front on acknowledgement."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.start = 0  # the session offset of buffer[0]

    def add(self, chunk: bytes) -> None:
        self.buffer += chunk

    def acknowledge(self, end: int) -> None:
        if end > self.start:
            del self.buffer[: end - self.start]
            self.start = end

    @property
    def end(self) -> int:
        return self.start + len(self.buffer)


class _Counters:
    """What both raw twins count while they read: messages, acknowledged bytes, send-to-ack delays."""

    def __init__(self) -> None:
        self.pending = Unacknowledged()
        self.messages = 0
        self.acknowledged = 0
        self.sent_at: dict[int, int] = {}  # frame end offset -> monotonic ns of its send
        self.ack_delays = array("q")

    def on_text(self, text: str | bytes) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(text)
        self.messages += 1
        if message["type"] == "audio_chunk" and message.get("acknowledged"):
            end = message["data"]["byte_range"][1]
            self.acknowledge(end)
            sent = self.sent_at.pop(end, None)
            if sent is not None:
                self.ack_delays.append(time.monotonic_ns() - sent)
        return message

    def acknowledge(self, end: int) -> None:
        self.pending.acknowledge(end)
        self.acknowledged = end


def create(http: httpx.Client, base_url: str, request: dict[str, Any]) -> tuple[str, str]:
    """`POST /v2/live` with acknowledgements on: the job id and the WebSocket URL."""
    body = {**request, "messages_config": {"receive_acknowledgments": True}}
    response = http.post(f"{base_url}/v2/live", headers=HEADERS, json=body)
    response.raise_for_status()
    created = response.json()
    return created["id"], created["url"]


async def acreate(http: httpx.AsyncClient, base_url: str, request: dict[str, Any]) -> tuple[str, str]:
    body = {**request, "messages_config": {"receive_acknowledgments": True}}
    response = await http.post(f"{base_url}/v2/live", headers=HEADERS, json=body)
    response.raise_for_status()
    created = response.json()
    return created["id"], created["url"]


class RawAsyncSession(_Counters):
    """One raw asyncio session: `await open(...)`, `send(chunk)`, `read()` in a task, `finish()`."""

    def __init__(self, job_id: str, ws: Any) -> None:
        super().__init__()
        self.job_id = job_id
        self.ws = ws

    @classmethod
    async def open(cls, http: httpx.AsyncClient, base_url: str, request: dict[str, Any]) -> RawAsyncSession:
        import websockets

        job_id, url = await acreate(http, base_url, request)
        return cls(job_id, await websockets.connect(url, max_size=None, compression=None))

    async def send(self, chunk: bytes) -> None:
        self.pending.add(chunk)
        self.sent_at[self.pending.end] = time.monotonic_ns()
        await self.ws.send(chunk)

    async def read(self) -> None:
        """Read every message until the server closes the session."""
        async for text in self.ws:
            self.on_text(text)

    async def finish(self) -> None:
        """`stop_recording`; the reader then ends with the server's close."""
        await self.ws.send(STOP_RECORDING)


class RawSyncSession(_Counters):
    """One raw threaded session (`websockets.sync`): `send(chunk)` from the caller's thread, `read()` in another
    thread; the buffer is shared between them under a lock."""

    def __init__(self, job_id: str, ws: Any) -> None:
        super().__init__()
        self.job_id = job_id
        self.ws = ws
        self.lock = threading.Lock()

    @classmethod
    def open(cls, http: httpx.Client, base_url: str, request: dict[str, Any]) -> RawSyncSession:
        from websockets.sync.client import connect

        job_id, url = create(http, base_url, request)
        return cls(job_id, connect(url, max_size=None, compression=None))

    def send(self, chunk: bytes) -> None:
        with self.lock:
            self.pending.add(chunk)
            self.sent_at[self.pending.end] = time.monotonic_ns()
        self.ws.send(chunk)

    def acknowledge(self, end: int) -> None:
        with self.lock:
            super().acknowledge(end)

    def read(self) -> None:
        from websockets.exceptions import ConnectionClosedOK

        try:
            for text in self.ws:
                self.on_text(text)
        except ConnectionClosedOK:
            pass

    def finish(self) -> None:
        self.ws.send(STOP_RECORDING)
