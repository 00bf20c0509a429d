"""Stalled connections are dead: a peer that stops reading (zero TCP window) or stops acknowledging while it
still answers pings is cut without a closing handshake and reconnected; `abort()` returns within 1 s and
`close()` is bounded, in both shells."""

from __future__ import annotations

import asyncio
import inspect
import random
import time
from collections.abc import Callable

import pytest
from websockets.asyncio.server import ServerConnection

from gladia_live_client import (
    AsyncLiveSession,
    GladiaError,
    LiveConnectionError,
    LiveHandshakeRejected,
    LiveOptions,
    LiveSession,
    LiveState,
    LiveTimeoutError,
    ReconnectPolicy,
)
from gladia_live_client._live._protocol import STALL_POLL

from ._hostile import RawServer, WebSocketServer, ack, stop_ack

STALL = 1.0
BIG = 16 * 1024 * 1024  # more than loopback's socket buffers hold: the writer blocks on a zero window


async def never_read(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
    await asyncio.sleep(30)  # the handshake is done; from now on nothing is read (zero window)


async def read_but_never_acknowledge(ws: ServerConnection, n: int) -> None:
    async for _ in ws:  # websockets still answers pings
        pass


def stall_options(**overrides: object) -> LiveOptions:
    settings: dict[str, object] = {
        "stall_timeout": STALL,
        "buffer_limit": 2 * BIG,
        "ping_interval": 0.2,
        "ping_timeout": 30.0,
        "close_timeout": 2.0,
        "rng": random.Random(0),
        "reconnect": ReconnectPolicy(max_attempts=2, initial_delay=0.01, max_delay=0.02),
    }
    settings.update(overrides)
    return LiveOptions(**settings)  # type: ignore[arg-type]


def wait_for(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_the_default_stall_timeout_detects_a_stall_within_30_seconds() -> None:
    timeout = LiveOptions().stall_timeout
    assert timeout is not None
    assert timeout + STALL_POLL < 30


def test_zero_window_peer_is_cut_and_reconnected_then_abort_is_quick_sync() -> None:
    with RawServer(never_read, rcvbuf=4096) as server:
        session = LiveSession(server.url, options=stall_options()).start()
        session.send_audio(bytes(BIG))  # taken at once (buffer_limit); the writer then blocks
        assert wait_for(lambda: server.connections >= 2, 15), "the stalled connection was not replaced"
        assert session.stats.stalls >= 1
        started = time.monotonic()
        session.abort()
        assert time.monotonic() - started < 1.0
    assert session.state in (LiveState.CLOSED, LiveState.FAILED)


def test_zero_window_peer_is_cut_and_reconnected_then_abort_is_quick_async() -> None:
    async def main() -> float:
        session = AsyncLiveSession(server.url, options=stall_options()).start()
        await session.send_audio(bytes(BIG))
        deadline = time.monotonic() + 15
        while server.connections < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert server.connections >= 2, "the stalled connection was not replaced"
        assert session.stats.stalls >= 1
        started = time.monotonic()
        await session.abort()
        return time.monotonic() - started

    with RawServer(never_read, rcvbuf=4096) as server:
        assert asyncio.run(main()) < 1.0


@pytest.mark.parametrize("shell", ["sync", "async"])
def test_abort_is_quick_while_a_write_is_blocked_without_stall_detection(shell: str) -> None:
    # No stall detection: the writer stays blocked on the zero window; abort() must still return in 1 s.
    options = stall_options(stall_timeout=None)
    with RawServer(never_read, rcvbuf=4096) as server:
        if shell == "sync":
            session = LiveSession(server.url, options=options).start()
            session.send_audio(bytes(BIG))
            time.sleep(0.5)  # the writer fills the window and blocks
            started = time.monotonic()
            session.abort()
            elapsed = time.monotonic() - started
        else:

            async def main() -> float:
                session = AsyncLiveSession(server.url, options=options).start()
                await session.send_audio(bytes(BIG))
                await asyncio.sleep(0.5)
                started = time.monotonic()
                await session.abort()
                return time.monotonic() - started

            elapsed = asyncio.run(main())
    assert elapsed < 1.0


def test_a_peer_that_answers_pings_but_never_acknowledges_is_stalled_sync() -> None:
    with WebSocketServer(read_but_never_acknowledge) as server:
        session = LiveSession(server.url, options=stall_options())
        session.send_audio(bytes(32_000))
        started = time.monotonic()
        with pytest.raises(LiveConnectionError) as caught:
            session.close(timeout=20)
        assert time.monotonic() - started < 20
        assert server.connections == 3  # max_attempts=2: the first connection and two reconnections
    assert "acknowledged nothing" in str(caught.value)
    assert session.stats.stalls == 3


def test_a_peer_that_answers_pings_but_never_acknowledges_is_stalled_async() -> None:
    async def main() -> LiveConnectionError:
        session = AsyncLiveSession(server.url, options=stall_options())
        await session.send_audio(bytes(32_000))
        with pytest.raises(LiveConnectionError) as caught:
            await session.close(timeout=20)
        assert session.stats.stalls == 3
        return caught.value

    with WebSocketServer(read_but_never_acknowledge) as server:
        error = asyncio.run(main())
        assert server.connections == 3
    assert "acknowledged nothing" in str(error)


def test_close_with_a_timeout_is_bounded_in_both_shells() -> None:
    with WebSocketServer(read_but_never_acknowledge) as server:
        options = stall_options(stall_timeout=None)
        session = LiveSession(server.url, options=options)
        session.send_audio(bytes(3200))
        with pytest.raises(LiveTimeoutError, match="did not end within 0.5 s") as caught:
            session.close(timeout=0.5)
        # A GladiaError like every error of the package, and still the builtin TimeoutError callers catch.
        assert isinstance(caught.value, GladiaError)
        assert isinstance(caught.value, TimeoutError)
        assert caught.value.timeout == 0.5
        assert session.state is LiveState.OPEN  # the session goes on: abort() (or close() again) ends it
        session.abort()

        async def main() -> None:
            session = AsyncLiveSession(server.url, options=options)
            await session.send_audio(bytes(3200))
            with pytest.raises(LiveTimeoutError, match="did not end within 0.5 s") as caught:
                await session.close(timeout=0.5)
            assert isinstance(caught.value, GladiaError)
            assert isinstance(caught.value, TimeoutError)
            assert session.state is LiveState.OPEN
            await session.abort()

        asyncio.run(main())


async def acknowledge_then_fall_silent(ws: ServerConnection, n: int) -> None:
    # Acknowledges every frame and stop_recording, then never ends the session (pings still answered).
    committed = 0
    async for frame in ws:
        if isinstance(frame, bytes):
            await ws.send(ack(committed, committed + len(frame)))
            committed += len(frame)
        else:
            await ws.send(stop_ack())


@pytest.mark.parametrize("shell", ["sync", "async"])
def test_no_end_after_the_stop_ack_is_bounded_by_end_timeout(shell: str) -> None:
    options = stall_options(end_timeout=0.5)

    def refuse_once_served(connection: ServerConnection, request: object) -> object:
        # Like Gladia once a session is over: the URL is refused (403) after the first connection.
        return connection.respond(403, "session over\n") if server.connections >= 1 else None

    server = WebSocketServer(acknowledge_then_fall_silent, process_request=refuse_once_served)
    with server:
        started = time.monotonic()
        if shell == "sync":
            session = LiveSession(server.url, options=options)
            session.send_audio(bytes(6400))
            with pytest.raises(LiveHandshakeRejected, match="available from get_job"):
                session.close(timeout=10)
        else:

            async def main() -> None:
                session = AsyncLiveSession(server.url, options=options)
                await session.send_audio(bytes(6400))
                with pytest.raises(LiveHandshakeRejected, match="available from get_job"):
                    await session.close(timeout=10)

            asyncio.run(main())
        assert time.monotonic() - started < 10
        assert server.connections == 1


def _public(cls: type) -> dict[str, inspect.Signature | str]:
    members: dict[str, inspect.Signature | str] = {}
    for name, member in inspect.getmembers(cls):
        if name.startswith("_") and name not in ("__init__", "__enter__", "__exit__", "__iter__"):
            continue
        if isinstance(member, property):
            members[name] = "property"
        elif callable(member):
            members[name] = inspect.signature(member)
    return members


def test_the_public_methods_of_both_shells_match() -> None:
    sync, asynchronous = _public(LiveSession), _public(AsyncLiveSession)
    # The context-manager and iteration protocols have their async names.
    asynchronous["__enter__"] = asynchronous.pop("__aenter__", inspect.Signature())
    asynchronous["__exit__"] = asynchronous.pop("__aexit__", inspect.Signature())
    asynchronous["__iter__"] = asynchronous.pop("__aiter__", inspect.Signature())
    for name, member in inspect.getmembers(AsyncLiveSession):
        if name in ("__aenter__", "__aexit__", "__aiter__"):
            asynchronous[name.replace("__a", "__")] = inspect.signature(member)
    assert sorted(sync) == sorted(asynchronous)
    for name, signature in sync.items():
        other = asynchronous[name]
        if isinstance(signature, str) or isinstance(other, str):
            assert signature == other, name
            continue
        # Same parameters (names, kinds, defaults); annotations differ where the async twin takes async types.
        assert [(p.name, p.kind, p.default) for p in signature.parameters.values()] == [
            (p.name, p.kind, p.default) for p in other.parameters.values()
        ], name


def test_abort_of_an_open_session_closes_it() -> None:
    with WebSocketServer(read_but_never_acknowledge) as server:
        session = LiveSession(server.url, options=stall_options()).start()
        session.send_audio(bytes(3200))
        assert wait_for(lambda: session.state is LiveState.OPEN, 5)
        session.abort()
        assert session.state is LiveState.CLOSED
