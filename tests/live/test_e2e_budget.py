"""The reconnection budget cannot be gamed: servers that repeat an acknowledgement or acknowledge a few bytes
on every connection, then close with 1011, get a bounded number of connections, then a typed error."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable

import pytest
from websockets.asyncio.server import ServerConnection

from gladia_live_client import (
    AsyncLiveSession,
    LiveConnectionError,
    LiveOptions,
    LiveSession,
    ReconnectPolicy,
)
from gladia_live_client._live._audio import AudioFormat
from gladia_live_client._live._protocol import Fail, LiveProtocol, Reconnect

from ._hostile import WebSocketServer, ack, stop_ack
from ._model import ModelServer

# The default caps and attempts, with delays short enough for a test.
QUICK_DEFAULTS = ReconnectPolicy(initial_delay=0.005, max_delay=0.02)
MAX_CONNECTIONS = 12


async def stop_ack_then_1011(ws: ServerConnection, n: int) -> None:
    await ws.send(stop_ack())
    await ws.close(1011, "internal error")


async def two_bytes_then_1011(ws: ServerConnection, n: int) -> None:
    await asyncio.wait_for(ws.recv(), 5)  # the first audio frame
    await ws.send(ack(2 * (n - 1), 2 * n))  # the server's numbering: two more bytes each time
    await ws.close(1011, "internal error")


SERVERS: dict[str, Callable[[ServerConnection, int], Awaitable[None]]] = {
    "stop-ack-then-1011": stop_ack_then_1011,
    "2-bytes-then-1011": two_bytes_then_1011,
}


def options() -> LiveOptions:
    return LiveOptions(reconnect=QUICK_DEFAULTS, rng=random.Random(0), close_timeout=2.0)


def send_then_close(session: LiveSession) -> None:
    session.send_audio(bytes(32_000))  # may already raise: the session can fail before it is taken
    session.close(timeout=30)


async def send_then_close_async(session: AsyncLiveSession) -> None:
    await session.send_audio(bytes(32_000))
    await session.close(timeout=30)


@pytest.mark.parametrize("behaviour", SERVERS)
def test_gamed_progress_is_bounded_sync(behaviour: str) -> None:
    with WebSocketServer(SERVERS[behaviour]) as server:
        session = LiveSession(server.url, options=options())
        with pytest.raises(LiveConnectionError) as caught:
            send_then_close(session)
        assert server.connections <= MAX_CONNECTIONS
    assert "gave up reconnecting" in str(caught.value)
    assert session.stats.connections <= MAX_CONNECTIONS


@pytest.mark.parametrize("behaviour", SERVERS)
def test_gamed_progress_is_bounded_async(behaviour: str) -> None:
    async def main() -> tuple[LiveConnectionError, int]:
        session = AsyncLiveSession(server.url, options=options())
        with pytest.raises(LiveConnectionError) as caught:
            await send_then_close_async(session)
        return caught.value, session.stats.connections

    with WebSocketServer(SERVERS[behaviour]) as server:
        error, connections = asyncio.run(main())
        assert server.connections <= MAX_CONNECTIONS
    assert "gave up reconnecting" in str(error)
    assert connections <= MAX_CONNECTIONS


def test_real_progress_on_every_connection_still_meets_the_per_minute_cap() -> None:
    # Each connection commits 1 s of audio (real progress: every run of failures ends), then drops: only
    # max_reconnections_per_minute reconnections are allowed in any 60 s.
    policy = ReconnectPolicy(initial_delay=0.01, max_delay=0.01, jitter=0.0, max_reconnections_per_minute=10)
    core = LiveProtocol(AudioFormat(), LiveOptions(reconnect=policy), session_id="s-1")
    server = ModelServer()
    core.write(bytes(32_000 * 30))
    actions = []
    for round_ in range(12):
        now = float(round_)
        server.connect(core, now)
        for message in server.ack(10):  # 10 frames of 100 ms
            core.receive(message)
        server.drop()
        actions.append(core.connection_lost(now, 1011, ""))
        if isinstance(actions[-1], Fail):
            break
    assert all(action == Reconnect(0.01, 1) for action in actions[:10])  # progress: a new run each time
    assert isinstance(actions[10], Fail)
    assert "max_reconnections_per_minute=10" in str(actions[10].error)
    assert isinstance(actions[10].error, LiveConnectionError)


def test_the_per_session_cap() -> None:
    policy = ReconnectPolicy(
        initial_delay=0.01, max_delay=0.01, jitter=0.0, max_reconnections=3, max_reconnections_per_minute=None
    )
    core = LiveProtocol(AudioFormat(), LiveOptions(reconnect=policy), session_id="s-1")
    server = ModelServer()
    core.write(bytes(32_000 * 10))
    actions = []
    for round_ in range(5):
        now = 100.0 * round_  # far apart: the per-minute window never fills
        server.connect(core, now)
        for message in server.ack(10):
            core.receive(message)
        server.drop()
        actions.append(core.connection_lost(now, 1011, ""))
        if isinstance(actions[-1], Fail):
            break
    assert [type(action) for action in actions] == [Reconnect, Reconnect, Reconnect, Fail]
    assert "max_reconnections=3" in str(actions[-1].error)  # type: ignore[union-attr]


def test_a_connection_cut_as_stalled_is_not_healthy_however_long_it_stayed_open() -> None:
    # A server that accepts and never acknowledges: each connection is cut after stall_timeout (past
    # healthy_after); the run of failures must go on, so the backoff grows instead of restarting every time.
    policy = ReconnectPolicy(initial_delay=1.0, max_delay=100.0, jitter=0.0, healthy_after=10.0)
    core = LiveProtocol(AudioFormat(), LiveOptions(reconnect=policy, stall_timeout=20.0), session_id="s-1")
    core.write(bytes(32_000))
    now = 0.0
    attempts = []
    for _ in range(3):
        core.connection_made(now)
        core.write_started(now)
        assert core.frames_to_send(now)
        core.write_finished(now)
        now += 21.0
        assert core.stall(now) is not None
        action = core.connection_lost(now, None)
        assert isinstance(action, Reconnect)
        attempts.append(action.attempt)
        now += action.delay
    assert attempts == [1, 2, 3]


def test_a_few_bytes_that_empty_the_buffer_are_not_progress() -> None:
    # A real-time source keeps the buffer small: 10 ms acknowledged then a drop, every time, is no progress.
    policy = ReconnectPolicy(initial_delay=1.0, max_delay=100.0, jitter=0.0, max_reconnections_per_minute=None)
    core = LiveProtocol(AudioFormat(), LiveOptions(reconnect=policy), session_id="s-1")
    server = ModelServer()
    now = 0.0
    attempts = []
    for _ in range(3):
        core.write(bytes(320))
        server.connect(core, now)
        for message in server.ack(10):
            core.receive(message)
        assert core.stats().bytes_buffered == 0
        server.drop()
        action = core.connection_lost(now, 1011, "")
        assert isinstance(action, Reconnect)
        attempts.append(action.attempt)
        now += action.delay
    assert attempts == [1, 2, 3]
