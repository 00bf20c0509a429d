"""`recv(timeout=...)` and `on(kind, callback)` end to end, both shells, against the local server: one ordered
stream of messages, each delivered once (to `recv`, to iteration or to the callbacks), timeouts that lose
nothing, callbacks that raise, and the end of the session."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from gladia_live_client import (
    AsyncLiveSession,
    InvalidRequestError,
    LiveBacklogError,
    LiveCallbackError,
    LiveMessage,
    LiveSession,
    LiveSessionEnded,
    LiveState,
    LiveTimeoutError,
)
from gladia_live_client.models import (
    AudioChunkAckMessage,
    EndSessionMessage,
    PostFinalTranscriptMessage,
    TranscriptMessage,
)
from gladia_live_client.testing import LocalGladiaServer

from .conftest import create_session, fast_options, speechlike

AUDIO = speechlike(2.0, seed=14)
DICT_REQUEST = {
    "encoding": "wav/pcm",
    "bit_depth": 16,
    "sample_rate": 16000,
    "channels": 1,
    "messages_config": {"receive_acknowledgments": True, "receive_lifecycle_events": True},
}


@pytest.fixture(scope="module")
def slow_server() -> Iterator[LocalGladiaServer]:
    """A local server whose post-processing takes 1.5 s: the results come long after the recording ends."""
    with LocalGladiaServer(transcript_script=["slow", "server"], processing_delay=1.5) as running:
        yield running


def check_stream(messages: list[LiveMessage], audio: bytes = AUDIO) -> None:
    """Every message once, in order: the acknowledgements cover the audio end to end without gap or repeat,
    the final result came, and end_session is last."""
    ranges = [tuple(message.data.byte_range) for message in messages if isinstance(message, AudioChunkAckMessage)]
    assert ranges, "no acknowledgement was delivered"
    assert ranges[0][0] == 0
    assert all(previous[1] == current[0] for previous, current in zip(ranges, ranges[1:], strict=False))
    assert ranges[-1][1] == len(audio)
    assert sum(isinstance(message, PostFinalTranscriptMessage) for message in messages) == 1
    assert isinstance(messages[-1], EndSessionMessage)
    assert sum(isinstance(message, EndSessionMessage) for message in messages) == 1


def open_sync(server: Any, **options: Any) -> LiveSession:
    init = create_session(server)
    return LiveSession.from_init_response(init, DICT_REQUEST, options=fast_options(include_acks=True, **options))


async def open_async(server: Any, **options: Any) -> AsyncLiveSession:
    init = await asyncio.to_thread(create_session, server)
    return AsyncLiveSession.from_init_response(init, DICT_REQUEST, options=fast_options(include_acks=True, **options))


# -- recv --------------------------------------------------------------------------------------------------


def test_recv_reads_the_whole_stream_then_raises_the_end(server: Any) -> None:
    with open_sync(server) as session:
        session.send_audio(AUDIO)
        session.stop_recording()
        messages: list[LiveMessage] = []
        while True:
            try:
                messages.append(session.recv(timeout=30))
            except LiveSessionEnded:
                break
        with pytest.raises(LiveSessionEnded):  # again: the end stays the end
            session.recv(timeout=0)
    check_stream(messages)
    assert session.state is LiveState.CLOSED


def test_recv_in_the_send_loop_times_out_in_time_and_loses_nothing(slow_server: Any) -> None:
    received: list[LiveMessage] = []
    caught: list[LiveTimeoutError] = []
    timeouts = 0
    chunk = 3200  # 100 ms
    with open_sync(slow_server) as session:
        for start in range(0, len(AUDIO), chunk):
            session.send_audio(AUDIO[start : start + chunk])
            try:
                received.append(session.recv(timeout=0.05))
            except LiveTimeoutError as exc:
                caught.append(exc)
        session.stop_recording()
        # The server now post-processes for 1.5 s: recv times out meanwhile, each time within its bound.
        while True:
            began = time.monotonic()
            try:
                received.append(session.recv(timeout=0.1))
            except LiveTimeoutError:
                timeouts += 1
                assert time.monotonic() - began < 1.0
            except LiveSessionEnded:
                break
    assert timeouts >= 3
    assert all(isinstance(exc, TimeoutError) and exc.timeout == 0.05 for exc in caught)
    check_stream(received)


def test_recv_and_iteration_interleaved_share_one_stream(server: Any) -> None:
    with open_sync(server) as session:
        session.send_audio(AUDIO)
        session.stop_recording()
        iterator = iter(session)
        messages: list[LiveMessage] = []
        try:
            while True:
                messages.append(session.recv(timeout=30))
                messages.append(next(iterator))
        except (LiveSessionEnded, StopIteration):
            pass
    check_stream(messages)


def test_recv_refuses_a_bad_timeout(server: Any) -> None:
    session = LiveSession("ws://127.0.0.1:9/v2/live?token=x")
    for bad in (-1, "1", True, float("nan")):
        with pytest.raises(InvalidRequestError, match="recv"):
            session.recv(timeout=bad)  # type: ignore[arg-type]


async def test_async_recv_times_out_loses_nothing_and_ends(slow_server: Any) -> None:
    session = await open_async(slow_server)
    received: list[LiveMessage] = []
    timeouts = 0
    async with session:
        await session.send_audio(AUDIO)
        await session.stop_recording()
        iterator = aiter(session)
        while True:
            began = time.monotonic()
            try:
                received.append(await session.recv(timeout=0.1))
                received.append(await anext(iterator))
            except LiveTimeoutError:
                timeouts += 1
                assert time.monotonic() - began < 1.0
            except (LiveSessionEnded, StopAsyncIteration):
                break
        with pytest.raises(LiveSessionEnded):
            await session.recv()
    assert timeouts >= 3
    check_stream(received)


# -- callbacks -------------------------------------------------------------------------------------------


def test_callbacks_see_every_message_in_order_on_their_own_thread(server: Any) -> None:
    seen: list[LiveMessage] = []
    threads: set[str] = set()

    def collect(message: LiveMessage) -> None:
        threads.add(threading.current_thread().name)
        seen.append(message)

    session = open_sync(server)
    # Registered before the session starts: `start_session` comes as soon as the connection is accepted, and
    # only messages received after the registration are routed to callbacks.
    session.on("*", collect)
    with session:
        session.send_audio(AUDIO)
    # close() returned: the callbacks have run on every message; none was left for iteration.
    check_stream(seen)
    assert threads == {"gladia-live-callbacks"}
    assert list(session) == []
    with pytest.raises(LiveSessionEnded):
        session.recv(timeout=0)


def test_a_message_goes_to_its_callbacks_or_to_the_reader_once(server: Any) -> None:
    by_type: list[LiveMessage] = []
    by_class: list[LiveMessage] = []
    with open_sync(server) as session:
        session.on("transcript", by_type.append)
        session.on(TranscriptMessage, by_class.append)
        session.send_audio(AUDIO)
        result = session.final_result()
        read = list(session)
    assert by_type  # both callbacks get every transcript, in order
    assert by_type == by_class
    assert isinstance(result, PostFinalTranscriptMessage)
    assert not any(isinstance(message, TranscriptMessage) for message in read)


def test_a_raising_callback_fails_the_session_and_the_next_call_raises(server: Any) -> None:
    def broken(message: LiveMessage) -> None:
        raise KeyError("utterance")

    session = open_sync(server)
    session.on(AudioChunkAckMessage, broken)

    def send_until_it_fails() -> None:
        with session:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                session.send_audio(AUDIO[:3200])
                time.sleep(0.01)

    with pytest.raises(LiveCallbackError) as caught:
        send_until_it_fails()
    error = caught.value
    assert isinstance(error.__cause__, KeyError)
    assert isinstance(error.server_message, AudioChunkAckMessage)
    assert "broken" in error.callback
    assert "KeyError" in str(error)
    assert session.state is LiveState.FAILED
    assert session.error is error
    with pytest.raises(LiveCallbackError):
        list(session)


def test_on_refuses_what_it_cannot_use(server: Any) -> None:
    session = LiveSession("ws://127.0.0.1:9/v2/live?token=x")
    with pytest.raises(InvalidRequestError, match="message type"):
        session.on(42, print)  # type: ignore[arg-type]
    with pytest.raises(InvalidRequestError, match="callable"):
        session.on("transcript", "print")  # type: ignore[arg-type]


async def test_async_callbacks_are_awaited_in_order(server: Any) -> None:
    seen: list[LiveMessage] = []

    async def collect(message: LiveMessage) -> None:
        await asyncio.sleep(0)
        seen.append(message)

    session = await open_async(server)
    session.on("*", collect)
    async with session:
        await session.send_audio(AUDIO)
    check_stream(seen)
    assert [message async for message in session] == []


async def test_async_raising_callback_surfaces_from_close(server: Any) -> None:
    def broken(message: LiveMessage) -> None:
        raise ValueError("bad handler")

    session = await open_async(server)
    session.on(EndSessionMessage, broken)  # raises after the server ended the session normally
    await session.send_audio(AUDIO)
    with pytest.raises(LiveCallbackError) as caught:
        await session.close()
    assert isinstance(caught.value.__cause__, ValueError)
    assert session.state is LiveState.FAILED
    unread: list[LiveMessage] = []

    async def read_all() -> None:
        while True:
            unread.append(await session.recv(timeout=0))

    with pytest.raises(LiveCallbackError):  # the unread messages first, then the error
        await read_all()
    assert unread


# -- attaching with the dict request -----------------------------------------------------------------------


def test_from_init_response_takes_the_dict_request(server: Any) -> None:
    init = create_session(server)
    request = {**DICT_REQUEST, "sample_rate": 8000}
    assert LiveSession.from_init_response(init, request).audio_format.sample_rate == 8000
    assert AsyncLiveSession.from_init_response(init, request).audio_format.sample_rate == 8000
    with pytest.raises(InvalidRequestError, match="encodin"):
        LiveSession.from_init_response(init, {"encodin": "wav/pcm"})


def test_a_callback_may_read_the_session_to_its_end(server: Any) -> None:
    """The end of the stream waits for the callbacks, except for a callback reading it: no deadlock."""
    drained: list[LiveMessage] = []
    ended: list[BaseException] = []

    def at_the_end(message: LiveMessage) -> None:
        try:
            while True:
                drained.append(session.recv(timeout=10))
        except LiveSessionEnded as exc:
            ended.append(exc)

    session = open_sync(server)
    session.on("end_session", at_the_end)
    with session:
        session.send_audio(AUDIO)
    assert len(ended) == 1
    assert any(isinstance(message, PostFinalTranscriptMessage) for message in drained)


def test_messages_waiting_for_a_stuck_callback_are_bounded(server: Any) -> None:
    """A callback that never returns does not grow memory: its queue holds `max_unread_messages`, and a message
    that must not be dropped then fails the session with `LiveBacklogError`, as an unread backlog does."""
    release = threading.Event()
    session = open_sync(server, max_unread_messages=3)
    session.on("*", lambda message: release.wait(10))
    try:
        session.send_audio(AUDIO)
        session.stop_recording()
        deadline = time.monotonic() + 10
        while session.state is not LiveState.FAILED and time.monotonic() < deadline:
            time.sleep(0.02)
        assert isinstance(session.error, LiveBacklogError)
        assert "callbacks" in str(session.error)
        assert session.stats.messages_unread <= 3
    finally:
        release.set()
    with pytest.raises(LiveBacklogError):
        session.close(timeout=10)  # once the callbacks have run on what was queued before the failure
