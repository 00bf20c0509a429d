"""`LiveSession`'s threads: while it streams to a real server, a session holds at most two threads of its own
(its supervisor and `websockets.sync`'s receiving thread; no writer or keepalive thread), the caller's reading
thread making three; and the pings the supervisor sends in place of `websockets`' keepalive thread still find
a peer that stopped answering them."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from gladia_live_client import AsyncLiveSession, LiveOptions, LiveSession, ReconnectPolicy
from gladia_live_client.models import EndSessionMessage

from ._hostile import RawServer
from .conftest import create_session, fast_options, session_request, speechlike

FRAME = 3200  # 100 ms of 16 kHz 16-bit mono


def wait_for(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_a_streaming_session_holds_at_most_three_threads_with_the_callers_reader(server: Any) -> None:
    audio = speechlike(1.5, seed=40)
    init = create_session(server)
    before = set(threading.enumerate())
    counts: list[int] = []
    messages: list[Any] = []
    with LiveSession.from_init_response(init, session_request(), options=fast_options()) as session:
        reader = threading.Thread(target=lambda: messages.extend(session), name="test-reader", daemon=True)
        reader.start()
        for start in range(0, len(audio), FRAME):
            session.send_audio(audio[start : start + FRAME])
            time.sleep(0.01)
            counts.append(len(set(threading.enumerate()) - before))
        assert session.stats.bytes_acknowledged > 0  # it was open and streaming while counted
        session.stop_recording()
        reader.join(10)
    assert not reader.is_alive()
    assert isinstance(messages[-1], EndSessionMessage)
    assert server.committed_audio(str(init.id)) == audio
    # The reader, the supervisor and websockets' receiving thread; the sending thread is this one.
    assert max(counts) <= 3, counts
    assert wait_for(lambda: len(set(threading.enumerate()) - before) == 0, 5), "a thread outlived the session"


def test_callbacks_add_only_their_dispatcher(server: Any) -> None:
    audio = speechlike(0.5, seed=41)
    init = create_session(server)
    before = set(threading.enumerate())
    seen: list[Any] = []
    with LiveSession.from_init_response(init, session_request(), options=fast_options()) as session:
        session.on("*", seen.append)
        session.send_audio(audio)
        assert wait_for(lambda: session.stats.bytes_acknowledged == len(audio), 10)
        # The supervisor, websockets' receiving thread and the callbacks' dispatcher.
        assert len(set(threading.enumerate()) - before) <= 3
    assert any(isinstance(message, EndSessionMessage) for message in seen)


def test_without_poll_the_room_check_uses_select(server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import select  # noqa: PLC0415 -- only this test takes poll() away

    monkeypatch.delattr(select, "poll")  # as on Windows
    audio = speechlike(1.0, seed=42)
    init = create_session(server)
    with LiveSession.from_init_response(init, session_request(), options=fast_options()) as session:
        for start in range(0, len(audio), FRAME):
            session.send_audio(audio[start : start + FRAME])
        assert wait_for(lambda: session.stats.bytes_acknowledged == len(audio), 10)
        connection = session._ws
        assert connection is not None
        assert connection._poll is None  # type: ignore[attr-defined]
        assert connection.writable(0)  # type: ignore[attr-defined]
    assert server.committed_audio(str(init.id)) == audio


async def never_read(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
    await asyncio.sleep(30)  # after the handshake nothing is read, so no ping is answered


@pytest.mark.parametrize("shell", ["sync", "async"])
def test_a_peer_that_stops_answering_pings_is_cut_and_reconnected(shell: str) -> None:
    # No stall detection and nothing sent: only the pings can find that the peer is gone.
    options = LiveOptions(
        stall_timeout=None,
        end_timeout=None,
        keepalive_interval=None,
        ping_interval=0.2,
        ping_timeout=0.3,
        close_timeout=0.5,
        reconnect=ReconnectPolicy(max_attempts=5, initial_delay=0.01, max_delay=0.02),
    )
    with RawServer(never_read) as server:
        started = time.monotonic()
        if shell == "sync":
            session = LiveSession(server.url, options=options).start()
            replaced = wait_for(lambda: server.connections >= 2, 10)
            elapsed = time.monotonic() - started
            session.abort()
        else:

            async def main() -> tuple[bool, float]:
                session = AsyncLiveSession(server.url, options=options).start()
                deadline = time.monotonic() + 10
                while server.connections < 2 and time.monotonic() < deadline:
                    await asyncio.sleep(0.02)
                elapsed = time.monotonic() - started
                await session.abort()
                return server.connections >= 2, elapsed

            replaced, elapsed = asyncio.run(main())
    assert replaced, "the connection whose peer answers no ping was not replaced"
    # One interval, one timeout, and the cut (the async shell's close waits up to close_timeout).
    assert elapsed < 5
