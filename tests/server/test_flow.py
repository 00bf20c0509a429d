"""The server's WebSocket protocol reads at most `MAX_QUEUED` messages ahead of the app, then stops reading."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest
import uvicorn
from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.server import ServerState
from websockets.frames import Frame, Opcode

from gladia_live_client.testing._flow import MAX_QUEUED, websocket_protocol

_HANDSHAKE = (
    b"GET /v2/live HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: " + base64.b64encode(bytes(16)) + b"\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


class _Transport(asyncio.Transport):
    """A socket that records what the protocol asks of it (a unit test of the protocol's flow control)."""

    def __init__(self) -> None:
        super().__init__()
        self.paused = False
        self.pauses = 0
        self.written = bytearray()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default

    def write(self, data: Any) -> None:
        self.written += data

    closing = False

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        pass

    def pause_reading(self) -> None:
        self.paused = True
        self.pauses += 1

    def resume_reading(self) -> None:
        self.paused = False


def _audio_frame() -> bytes:
    frame = Frame(Opcode.BINARY, bytes(3200))
    return frame.serialize(mask=True, extensions=[])  # a client's frames are masked


async def test_reading_stops_once_max_queued_messages_wait_and_resumes_once_they_are_taken() -> None:
    protocol_class = websocket_protocol()
    if protocol_class == "auto":
        pytest.skip("this uvicorn has no websockets-sansio protocol: the server uses uvicorn's default")
    accepted, release, taken = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        accepted.set()
        await release.wait()
        for _ in range(3 * MAX_QUEUED):
            assert "bytes" in await receive()
        taken.set()

    config = uvicorn.Config(app, ws=protocol_class, lifespan="off", ws_ping_interval=None)
    config.load()
    protocol = protocol_class(config=config, server_state=ServerState(), app_state={})
    transport = _Transport()
    protocol.connection_made(transport)
    protocol.data_received(_HANDSHAKE)
    await asyncio.wait_for(accepted.wait(), 5)
    assert transport.written.startswith(b"HTTP/1.1 101")
    for count in range(1, MAX_QUEUED + 1):
        protocol.data_received(_audio_frame())
        # Fewer than MAX_QUEUED messages waiting: the socket is still read.
        assert transport.paused is (count >= MAX_QUEUED), count
    assert transport.pauses == 1
    assert protocol.queue.qsize() == MAX_QUEUED
    # The app takes every waiting message: reading resumes, and the next frames are read again.
    release.set()
    while protocol.queue.qsize():
        await asyncio.sleep(0)
    assert transport.paused is False
    for _ in range(2 * MAX_QUEUED):
        protocol.data_received(_audio_frame())
        await asyncio.sleep(0)
    await asyncio.wait_for(taken.wait(), 5)
    protocol.connection_lost(None)


async def test_a_message_for_a_connection_already_closing_is_refused_not_written() -> None:
    protocol_class = websocket_protocol()
    if protocol_class == "auto":
        pytest.skip("this uvicorn has no websockets-sansio protocol: the server uses uvicorn's default")
    accepted, done = asyncio.Event(), asyncio.Event()
    outcomes: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        accepted.set()
        await send({"type": "websocket.send", "text": "before the cut"})
        transport.closing = True  # a write failed: asyncio closes the transport, the loss comes later
        for _ in range(6):
            try:
                await send({"type": "websocket.send", "text": "after the cut"})
            except ClientDisconnected:
                outcomes.append("refused")
        done.set()

    config = uvicorn.Config(app, ws=protocol_class, lifespan="off", ws_ping_interval=None)
    config.load()
    protocol = protocol_class(config=config, server_state=ServerState(), app_state={})
    transport = _Transport()
    protocol.connection_made(transport)
    protocol.data_received(_HANDSHAKE)
    await asyncio.wait_for(done.wait(), 5)
    assert outcomes == ["refused"] * 6
    assert b"before the cut" in transport.written
    assert b"after the cut" not in transport.written
    protocol.connection_lost(None)
