"""Against the local server's fault injection: drops lose nothing, flapping is bounded, 403 is final,
slow acknowledgements bound the sender's memory."""

from __future__ import annotations

import asyncio
import hashlib
import random
import time
import tracemalloc
from typing import Any

import pytest

from gladia_live_client import (
    AsyncLiveSession,
    LiveConnectionError,
    LiveHandshakeRejected,
    LiveSession,
    LiveState,
    ReconnectPolicy,
)
from gladia_live_client.models import EndSessionMessage

from .conftest import create_session, fast_options, session_request

FRAME = 3200  # 100 ms of 16 kHz 16-bit mono
RECOVERABLE_CODES = [1002, 1003, 1007, 1008, 1011, 1012, 1013, 1014, 3000, 4000, 4399, 4500, 4999]
SCENARIOS = ["mid-frame", "between a frame and its ack", "during resend", "after stop_recording"]
RUNS = 30  # per shell: 60 seeded runs in all


def plan_drops(seed: int, size: int) -> tuple[str, list[tuple[int, int]]]:
    """The scenario of run `seed` and its drops: (bytes the connection receives before closing, close code)."""
    rng = random.Random(seed)
    scenario = SCENARIOS[seed % len(SCENARIOS)]
    frames = size // FRAME
    if scenario == "mid-frame":
        drops = [rng.randrange(1, size - 1)]
        if drops[0] % FRAME == 0:
            drops[0] += 1
    elif scenario == "between a frame and its ack":
        drops = [FRAME * rng.randrange(1, frames)]
    elif scenario == "during resend":
        # The first drop leaves at least the frame that crossed it unacknowledged; the next connection
        # drops before that resend is complete, then again at accept.
        drops = [rng.randrange(FRAME, size - FRAME), rng.randrange(1, FRAME), 0]
    else:
        # The connection closes on the last audio bytes, with stop_recording right behind them.
        drops = [size]
    drops += [rng.choice([0, rng.randrange(1, size)]) for _ in range(rng.randrange(0, 2))]
    return scenario, [(nbytes, rng.choice(RECOVERABLE_CODES)) for nbytes in drops]


def arm(server: Any, drops: list[tuple[int, int]]) -> None:
    server.faults.clear()
    for nbytes, code in drops:
        server.faults.ws_drop_after(nbytes, close_code=code, reason="test drop")


def check_run(server: Any, init: Any, audio: bytes, messages: list[Any], session: Any, drops: list[Any]) -> None:
    committed = server.committed_audio(str(init.id))
    assert hashlib.sha256(committed).hexdigest() == hashlib.sha256(audio).hexdigest()
    assert len(committed) == len(audio)  # nothing duplicated, nothing lost
    assert isinstance(messages[-1], EndSessionMessage)
    assert session.state is LiveState.CLOSED
    connections = server.websocket_connections(str(init.id))
    assert session.stats.connections == connections
    assert 1 <= session.reconnections <= len(drops)


@pytest.mark.parametrize("seed", range(RUNS))
def test_random_drops_lose_and_duplicate_nothing_sync(server: Any, seed: int) -> None:
    rng = random.Random(seed)
    audio = rng.randbytes(FRAME * rng.randrange(5, 16) + rng.randrange(0, FRAME, 2))
    scenario, drops = plan_drops(seed, len(audio))
    init = create_session(server)
    arm(server, drops)
    with LiveSession.from_init_response(init, session_request(), options=fast_options(seed)) as session:
        session.send_audio(audio)
        session.stop_recording()
        messages = list(session)
    check_run(server, init, audio, messages, session, drops)
    if scenario == "during resend":
        assert session.stats.bytes_resent > 0


@pytest.mark.parametrize("seed", range(RUNS, 2 * RUNS))
async def test_random_drops_lose_and_duplicate_nothing_async(server: Any, seed: int) -> None:
    rng = random.Random(seed)
    audio = rng.randbytes(FRAME * rng.randrange(5, 16) + rng.randrange(0, FRAME, 2))
    scenario, drops = plan_drops(seed, len(audio))
    init = await asyncio.to_thread(create_session, server)
    arm(server, drops)
    async with AsyncLiveSession.from_init_response(init, session_request(), options=fast_options(seed)) as session:
        await session.send_audio(audio)
        await session.stop_recording()
        messages = [message async for message in session]
    check_run(server, init, audio, messages, session, drops)


def test_a_drop_after_stop_recording_resends_the_stop(server: Any) -> None:
    """Across seeds, the stop_recording sent right before a drop is sent again on the next connection."""
    resent_stop = 0
    for seed in range(3, 3 + 4 * 6, 4):  # the "after stop_recording" scenario
        rng = random.Random(seed)
        audio = rng.randbytes(FRAME * 8)
        init = create_session(server)
        arm(server, [(len(audio), 1011)])
        with LiveSession.from_init_response(init, session_request(), options=fast_options(seed)) as session:
            session.send_audio(audio)
            session.stop_recording()
            messages = list(session)
        check_run(server, init, audio, messages, session, [1])
        resent_stop += session.stats.stops_sent >= 2
    assert resent_stop >= 1


FLAP_POLICY = ReconnectPolicy(max_attempts=5, max_elapsed=60.0, initial_delay=0.02, max_delay=0.16, jitter=0.5)


def test_a_flapping_server_gets_a_bounded_reconnect_rate_then_a_clear_error(server: Any) -> None:
    init = create_session(server)
    server.faults.ws_flap(close_code=1011)  # every connection: accepted, then closed at once
    session = LiveSession.from_init_response(init, session_request(), options=fast_options(reconnect=FLAP_POLICY))
    started = time.monotonic()
    session.send_audio(bytes(FRAME))
    with pytest.raises(LiveConnectionError) as caught:
        session.close()
    elapsed = time.monotonic() - started
    connections = server.websocket_connections(str(init.id))
    # Counts come from the policy: the first connection plus max_attempts reconnections, never more.
    assert connections == 1 + FLAP_POLICY.max_attempts
    assert session.stats.connections == connections
    # Each reconnection waited at least its minimum backoff: the rate is bounded whatever the machine's speed.
    minimum = sum(FLAP_POLICY.min_delay(attempt) for attempt in range(1, FLAP_POLICY.max_attempts + 1))
    assert elapsed >= minimum
    error = caught.value
    assert error.attempts == FLAP_POLICY.max_attempts + 1
    assert error.close_code == 1011
    assert "gave up reconnecting" in str(error)
    assert "code 1011" in str(error)
    print(
        f"\nflapping: {connections} connections in {elapsed:.3f} s ({connections / elapsed:.1f}/s); floor {minimum:.3f} s"
    )


async def test_a_flapping_server_async(server: Any) -> None:
    init = await asyncio.to_thread(create_session, server)
    server.faults.ws_flap(close_code=1012)
    options = fast_options(reconnect=FLAP_POLICY)
    session = AsyncLiveSession.from_init_response(init, session_request(), options=options)
    await session.send_audio(bytes(FRAME))
    with pytest.raises(LiveConnectionError) as caught:
        await session.close()
    assert server.websocket_connections(str(init.id)) == 1 + FLAP_POLICY.max_attempts
    assert caught.value.close_code == 1012


def test_a_403_handshake_ends_at_once_with_a_clear_error(server: Any) -> None:
    init = create_session(server)
    server.faults.ws_refuse_handshake()
    session = LiveSession.from_init_response(init, session_request(), options=fast_options())
    # Audio goes to the buffer before the connection opens; on a loaded machine the refusal can come first,
    # and then send_audio raises the same error (the session failed), which is as good.
    with pytest.raises(LiveHandshakeRejected) as caught:  # noqa: PT012 -- either call may be the one to raise
        session.send_audio(bytes(FRAME))
        list(session)
    assert caught.value.status_code == 403
    assert caught.value.attempts == 1
    assert "HTTP 403" in str(caught.value)
    assert session.stats.connections == 0
    assert server.websocket_connections(str(init.id)) == 0
    assert session.state is LiveState.FAILED


async def test_a_403_handshake_async(server: Any) -> None:
    init = await asyncio.to_thread(create_session, server)
    server.faults.ws_refuse_handshake()
    session = AsyncLiveSession.from_init_response(init, session_request(), options=fast_options())
    with pytest.raises(LiveHandshakeRejected):
        await session.close()
    assert session.stats.connections == 0


LIMIT = 32 * 1024


def _live_allocations(snapshot: tracemalloc.Snapshot) -> int:
    live = snapshot.filter_traces([tracemalloc.Filter(True, "*gladia_live_client/_live/*")])
    return sum(stat.size for stat in live.statistics("filename"))


def test_slow_acks_make_the_sender_wait_with_bounded_memory(server: Any) -> None:
    audio = random.Random(7).randbytes(40 * FRAME)  # 128 000 bytes: four times the buffer
    init = create_session(server)
    server.faults.ws_slow_acks(0.2)  # every acknowledgement comes 200 ms after its audio
    peak = 0
    tracemalloc.start()
    try:
        options = fast_options(buffer_limit=LIMIT)
        with LiveSession.from_init_response(init, session_request(), options=options) as session:
            for start in range(0, len(audio), FRAME):
                session.send_audio(audio[start : start + FRAME])
                assert session.stats.bytes_buffered <= LIMIT
                peak = max(peak, _live_allocations(tracemalloc.take_snapshot()))
    finally:
        tracemalloc.stop()
    assert server.committed_audio(str(init.id)) == audio
    stats = session.stats
    assert stats.max_bytes_buffered <= LIMIT
    # The eleventh frame cannot fit before the first acknowledgement: the sender waited instead of buffering.
    assert stats.full_buffer_writes >= 1
    # Memory held by the session's own allocations stayed near the limit, far below the audio sent.
    assert peak < LIMIT + 64 * 1024 < len(audio)
    print(
        f"\nslow acks: {stats.full_buffer_writes} waits for room, max buffered {stats.max_bytes_buffered} B "
        f"(limit {LIMIT}), peak of the live module's allocations {peak} B, audio {len(audio)} B"
    )


async def test_slow_acks_async(server: Any) -> None:
    audio = random.Random(8).randbytes(30 * FRAME)
    init = await asyncio.to_thread(create_session, server)
    server.faults.ws_slow_acks(0.2)
    options = fast_options(buffer_limit=LIMIT)
    async with AsyncLiveSession.from_init_response(init, session_request(), options=options) as session:
        for start in range(0, len(audio), FRAME):
            await session.send_audio(audio[start : start + FRAME])
            assert session.stats.bytes_buffered <= LIMIT
    assert session.stats.max_bytes_buffered <= LIMIT
    assert session.stats.full_buffer_writes >= 1
    assert server.committed_audio(str(init.id)) == audio
