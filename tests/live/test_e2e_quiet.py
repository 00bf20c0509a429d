"""Quiet when nothing is wrong: a recovered drop logs at INFO; the package's loggers have a NullHandler, so an
application that configured no logging sees nothing on stderr; no websockets traceback reaches the user for
an abrupt network drop."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import struct
import subprocess
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from gladia_live_client import LiveSession
from gladia_live_client._live._websockets_adapter import WebsocketsLogger

from ._hostile import WebSocketServer, ack, stop_ack, transcript
from ._model import end_session_json
from .conftest import create_session, fast_options, session_request

DROPS = 3

CLIENT = """
import asyncio, logging, sys
from gladia_live_client import AsyncLiveSession, LiveOptions, LiveSession, ReconnectPolicy

options = LiveOptions(reconnect=ReconnectPolicy(initial_delay=0.01, max_delay=0.02))
with LiveSession(sys.argv[1], options=options) as session:
    for _ in range(100):
        session.send_audio(bytes(3200))
    session.stop_recording()
    list(session)
print(session.state.value, session.stats.reconnections)

async def main():
    async with AsyncLiveSession(sys.argv[2], options=options) as session:
        for _ in range(100):
            await session.send_audio(bytes(3200))
        await session.stop_recording()
        return [message async for message in session], session

messages, session = asyncio.run(main())
print(session.state.value, session.stats.reconnections)
handlers = logging.getLogger("gladia_live_client").handlers
print(any(isinstance(handler, logging.NullHandler) for handler in handlers))
"""


async def reset_then_serve(ws: ServerConnection, n: int) -> None:
    if n <= DROPS:  # an abrupt cut (TCP reset) while the client is still sending
        await ws.recv()
        sock = ws.transport.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        ws.transport.abort()
        return
    committed = 0
    async for frame in ws:
        if isinstance(frame, bytes):
            await ws.send(ack(committed, committed + len(frame)))
            committed += len(frame)
        elif json.loads(frame).get("type") == "stop_recording":
            await ws.send(stop_ack())
            await ws.send(end_session_json())
            await ws.close(1000)
            return


def test_abrupt_drops_print_nothing_when_logging_is_not_configured() -> None:
    with WebSocketServer(reset_then_serve) as sync_server, WebSocketServer(reset_then_serve) as async_server:
        done = subprocess.run(
            [sys.executable, "-c", CLIENT, sync_server.url, async_server.url],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.split("\n")[:3] == [f"closed {DROPS}", f"closed {DROPS}", "True"]


# Enough cuts that the race below happens in practically every run (it is a race between two threads).
CUTS = 80
CUT_WHILE_SENDING = """
import sys, time
from gladia_live_client import LiveError, LiveOptions, LiveSession, ReconnectPolicy

policy = ReconnectPolicy(max_attempts=50, max_reconnections=None, max_reconnections_per_minute=None, initial_delay=0.01, max_delay=0.02)
CUTS = int(sys.argv[2])
session = LiveSession(sys.argv[1], options=LiveOptions(reconnect=policy)).start()
deadline = time.monotonic() + 30
try:
    while session.reconnections < CUTS and time.monotonic() < deadline:
        if session.stats.bytes_buffered < 1 << 20:  # never block on a full buffer
            session.send_audio(bytes(3200))
        else:
            time.sleep(0.005)
except LiveError:
    pass
session.abort()
print(session.reconnections)
"""


def flood_and_reset() -> Callable[[ServerConnection, int], Awaitable[None]]:
    """A server that floods partial transcripts, acknowledges (commits) the audio it reads, and resets each
    connection after 30 frames: the acknowledgements let each reconnection's probe be answered."""
    committed = 0

    async def handle(ws: ServerConnection, n: int) -> None:
        nonlocal committed

        async def flood() -> None:
            with contextlib.suppress(ConnectionClosed):
                while True:
                    await ws.send(transcript("partial", final=False))
                    await asyncio.sleep(0)  # let the handler read too

        flooding = asyncio.create_task(flood())
        for _ in range(30):
            frame = await ws.recv()
            if isinstance(frame, bytes):
                await ws.send(ack(committed, committed + len(frame)))
                committed += len(frame)
        sock = ws.transport.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        ws.transport.abort()
        flooding.cancel()

    return handle


def test_a_cut_while_both_directions_are_busy_prints_no_websockets_traceback() -> None:
    # Writes fail on the reset while websockets' reading thread still holds bytes it read: without
    # WebsocketsLogger, websockets prints "unexpected internal error" and an EOFError traceback here.
    with WebSocketServer(flood_and_reset()) as server:
        done = subprocess.run(
            [sys.executable, "-c", CUT_WHILE_SENDING, server.url, str(CUTS)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= CUTS
    assert done.stderr == ""


def test_a_recovered_drop_logs_at_info(server: Any, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG, logger="gladia_live_client")
    init = create_session(server)
    server.faults.ws_drop_after(6400, close_code=1011)
    with LiveSession.from_init_response(init, session_request(), options=fast_options()) as session:
        session.send_audio(bytes(32_000))
        session.stop_recording()
        list(session)
    assert session.reconnections == 1
    ours = [record for record in caplog.records if record.name.startswith("gladia_live_client")]
    assert any(record.levelno == logging.INFO and "reconnecting" in record.getMessage() for record in ours)
    assert not [record for record in ours if record.levelno >= logging.WARNING]


def test_websockets_internal_error_during_a_drop_is_logged_at_debug(caplog: Any) -> None:
    caplog.set_level(logging.DEBUG, logger="websockets.client")
    adapter = WebsocketsLogger(logging.getLogger("websockets.client"))
    try:
        raise EOFError("stream of frames ended")
    except EOFError:
        adapter.error("unexpected internal error", exc_info=True)
    try:
        raise RuntimeError("a real bug in secret code")
    except RuntimeError:
        adapter.error("unexpected internal error", exc_info=True)
    levels = [record.levelno for record in caplog.records]
    assert levels == [logging.DEBUG, logging.ERROR]  # a drop is quiet; a real bug is not
