"""The core's direct-send decision (the caller writes its audio itself when nothing waits), one writer at a
time, and the stall deadline the core keeps up to date instead of recomputing it on every frame."""

from __future__ import annotations

import asyncio
import random

from gladia_live_client import AsyncLiveSession, AudioFormat, LiveOptions, ReconnectPolicy
from gladia_live_client._live._protocol import LiveProtocol
from gladia_live_client._live._shell import Idle

from ._model import PATIENT, ModelServer, negative_ack_json

PCM16 = AudioFormat()  # 3200 bytes per 100 ms frame
ROOM = 32 * 1024  # what a socket takes without waiting, in these tests


def make(**kwargs: object) -> tuple[LiveProtocol, ModelServer]:
    options = LiveOptions(reconnect=PATIENT, rng=random.Random(0), **kwargs)  # type: ignore[arg-type]
    return LiveProtocol(PCM16, options, session_id="s-1"), ModelServer()


def source_bytes(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


def test_an_idle_open_connection_lets_the_caller_send_what_it_wrote() -> None:
    core, server = make()
    core.connection_made(0.0)
    chunk = source_bytes(3200)
    core.write(chunk)
    frames = core.frames_to_send_directly(ROOM, 0.0)
    assert [bytes(frame) for frame in frames] == [chunk]
    assert core.writing  # the write counts as started: a blocked one is a stall
    core.write_finished(0.0)
    assert not core.writing
    assert core.frames_to_send(0.0) == []  # nothing left for the writer


def test_no_direct_send_before_the_connection_opens_the_writer_sends_it_later() -> None:
    core, _ = make()
    chunk = source_bytes(3200)
    core.write(chunk)
    assert not core.sends_directly(ROOM)
    assert core.frames_to_send_directly(ROOM, 0.0) == []
    assert not core.writing
    core.connection_made(0.0)
    assert [bytes(frame) for frame in core.frames_to_send(0.0)] == [chunk]


def test_no_direct_send_while_a_write_is_in_progress_and_frames_stay_in_order() -> None:
    core, server = make()
    core.connection_made(0.0)
    audio = source_bytes(4 * 3200)
    core.write(audio[:3200])
    first = core.frames_to_send_directly(ROOM, 0.0)  # the caller writes ...
    core.write(audio[3200:6400])
    assert core.frames_to_send_directly(ROOM, 0.0) == []  # ... so a second caller may not overtake it
    core.write_finished(0.0)
    second = core.frames_to_send_directly(ROOM, 0.0)
    core.write_finished(0.0)
    core.write(audio[6400:])
    third = core.frames_to_send(0.0)  # the writer's way: the same cursor
    server.deliver(first + second + third)
    for message in server.ack(10):
        core.receive(message)
    assert bytes(server.committed) == audio
    assert core.bytes_acknowledged == len(audio)


def test_no_direct_send_when_the_socket_has_no_room_for_it() -> None:
    core, _ = make()
    core.connection_made(0.0)
    core.write(source_bytes(10_000))
    assert not core.sends_directly(0)
    assert not core.sends_directly(9_999)
    assert core.frames_to_send_directly(3200, 0.0) == []
    assert core.sends_directly(10_000)


def test_no_direct_send_of_a_held_back_half_sample() -> None:
    core, _ = make()
    core.connection_made(0.0)
    core.write(b"\x01")  # half a 16-bit sample: nothing sendable yet
    assert not core.sends_directly(ROOM)
    core.write(b"\x02")
    assert [bytes(frame) for frame in core.frames_to_send_directly(ROOM, 0.0)] == [b"\x01\x02"]


def test_no_direct_send_while_a_reconnection_probes_the_servers_recording() -> None:
    core, server = make()
    core.connection_made(0.0)
    core.write(source_bytes(6400))
    server.deliver(core.frames_to_send(0.0))  # sent, never acknowledged
    core.connection_lost(1.0, None)
    core.connection_made(2.0)
    core.write(source_bytes(3200, seed=1))
    assert not core.sends_directly(ROOM)  # the probe goes first, alone, through the writer
    probe = core.frames_to_send(2.0)
    assert [len(frame) for frame in probe] == [PCM16.block_align]
    assert core.frames_to_send_directly(ROOM, 2.0) == []  # nothing more until the probe's acknowledgement


def test_the_shells_writer_waits_while_the_caller_writes() -> None:
    async def scenario() -> None:
        session = AsyncLiveSession("ws://127.0.0.1:9/v2/live?token=t")
        ws = object()
        assert session._connection_opened(ws)
        chunk = source_bytes(3200)
        rest, frames = session._offer_directly(memoryview(chunk), ROOM)
        assert len(rest) == 0
        assert frames is not None
        assert [bytes(frame) for frame in frames] == [chunk]
        assert session._writer is None  # the caller writes: the connection needs no writer yet
        more = source_bytes(3200, seed=1)
        rest, frames = session._offer_directly(memoryview(more), ROOM)
        assert frames is None  # a write is in progress: the writer is started instead
        writer = session._writer
        assert writer is not None
        writer.cancel()  # before it runs: the steps below play its part
        assert isinstance(session._next_writes(ws), Idle)  # ... and waits for the caller's write to finish
        session._writes_done()
        writes = session._next_writes(ws)
        assert isinstance(writes, list)
        assert [bytes(frame) for frame in writes] == [more]

    asyncio.run(scenario())


def test_a_connection_gets_a_writer_when_its_keepalive_is_due() -> None:
    async def scenario() -> None:
        options = LiveOptions(keepalive_interval=0.5, stall_timeout=5.0)
        session = AsyncLiveSession("ws://127.0.0.1:9/v2/live?token=t", options=options)
        ws = object()
        assert session._connection_opened(ws)
        session._watch_stalls(ws)
        keepalive = session._core.next_deadline()
        assert keepalive is not None
        assert session._timer_at == keepalive  # before the stall look, a second away: no writer asks for it
        assert session._writer is None
        session._core._last_activity -= 1.0  # the keepalive is due now
        session._timer_fired(ws)
        writer = session._writer
        assert writer is not None
        writer.cancel()
        session._ws = None  # detached: no writer for it any more
        session._writer = None
        session._work.notify_all()
        assert session._writer is None
        assert session._timer is not None
        session._timer.cancel()

    asyncio.run(scenario())


def test_the_shell_does_not_send_directly_without_room_or_connection() -> None:
    async def scenario() -> None:
        session = AsyncLiveSession("ws://127.0.0.1:9/v2/live?token=t")
        rest, frames = session._offer_directly(memoryview(source_bytes(3200)), ROOM)
        assert (len(rest), frames) == (0, None)  # not connected: buffered for the writer
        assert session._writer is None  # which starts with the connection
        assert session._connection_opened(object())
        rest, frames = session._offer_directly(memoryview(source_bytes(3200, seed=1)), 0)
        assert frames is None
        writer = session._writer
        assert writer is not None  # no room: the writer sends it
        writer.cancel()

    asyncio.run(scenario())


def test_the_stall_deadline_follows_writes_and_acknowledgements() -> None:
    core, server = make(stall_timeout=5.0, end_timeout=None, keepalive_interval=None)
    core.connection_made(0.0)
    assert core.stall_deadline() is None  # nothing owed
    core.write(source_bytes(3200))
    frames = core.frames_to_send(0.0)
    core.write_started(0.0)
    assert core.stall_deadline() == 5.0  # the write must finish within the stall timeout
    core.write_finished(1.0)
    assert core.stall_deadline() == 6.0  # then its acknowledgement must come
    assert core.stall(5.9) is None
    server.deliver(frames)
    for message in server.ack(10):
        core.receive(message)
    assert core.stall(5.95) is None
    assert core.stall_deadline() is None  # acknowledged: nothing owed any more
    assert core.stall(100.0) is None


def test_a_missing_acknowledgement_is_a_stall_at_its_deadline() -> None:
    core, _ = make(stall_timeout=5.0, end_timeout=None, keepalive_interval=None)
    core.connection_made(0.0)
    core.write(source_bytes(3200))
    core.frames_to_send(0.0)
    core.write_started(0.0)
    core.write_finished(1.0)
    assert core.stall(5.99) is None
    reason = core.stall(6.0)
    assert reason is not None
    assert "acknowledged nothing" in reason
    core.connection_lost(6.0, None)
    assert core.stall_deadline() is None


def test_a_write_that_never_finishes_is_a_stall() -> None:
    core, _ = make(stall_timeout=2.0, end_timeout=None, keepalive_interval=None)
    core.connection_made(0.0)
    core.write(source_bytes(3200))
    core.frames_to_send_directly(ROOM, 0.0)
    reason = core.stall(2.0)
    assert reason is not None
    assert "accepted no data" in reason


def sent_and_written(core: LiveProtocol, server: ModelServer, chunks: int, start: float, end: float) -> None:
    """Write `chunks` frames of audio, hand them to `server`, the write starting at `start`, ending at `end`."""
    for index in range(chunks):
        core.write(source_bytes(3200, seed=index))
    frames = core.frames_to_send(start)
    core.write_started(start)
    core.write_finished(end)
    server.deliver(frames)


def test_frame_handled_restarts_the_acknowledgement_wait_as_stall_does() -> None:
    # The async shell calls frame_handled, the sync shell stall, after each frame: the same deadline follows.
    cores = [make(stall_timeout=5.0, end_timeout=None, keepalive_interval=None) for _ in range(2)]
    deadlines = []
    for (core, server), after_frame in zip(cores, ("frame_handled", "stall"), strict=True):
        core.connection_made(0.0)
        sent_and_written(core, server, 2, 0.0, 1.0)
        assert core.stall_deadline() == 6.0
        (ack,) = server.ack(1)  # one of the two frames: the other is still owed, from now on
        core.receive_frame(ack)
        assert getattr(core, after_frame)(3.0) is None
        deadlines.append(core.stall_deadline())
    assert deadlines == [8.0, 8.0]


def test_frame_handled_leaves_the_deadline_alone_on_frames_that_acknowledge_nothing() -> None:
    core, server = make(stall_timeout=5.0, end_timeout=None, keepalive_interval=None)
    core.connection_made(0.0)
    sent_and_written(core, server, 1, 0.0, 1.0)
    core.receive_frame(ack_of_nothing := '{"type": "speech_start", "session_id": "s-1"}')
    assert core.frame_handled(3.0) is None
    assert core.stall_deadline() == 6.0  # a transcript or speech event does not restart the wait
    # Past the deadline, the frame does not judge it: the shell's timer does (with `stall`).
    core.receive_frame(ack_of_nothing)
    assert core.frame_handled(7.0) is None
    reason = core.stall(7.0)
    assert reason is not None
    assert "acknowledged nothing" in reason


def test_frame_handled_takes_an_acknowledgement_after_a_silent_frame() -> None:
    # The mark of a moved acknowledgement survives frames that change nothing, and is taken once.
    core, server = make(stall_timeout=5.0, end_timeout=None, keepalive_interval=None)
    core.connection_made(0.0)
    sent_and_written(core, server, 2, 0.0, 1.0)
    assert core.frame_handled(1.5) is None  # the connection's first look
    (ack,) = server.ack(1)
    core.receive_frame(ack)
    assert core.frame_handled(2.0) is None
    assert core.stall_deadline() == 7.0
    core.receive_frame('{"type": "speech_end", "session_id": "s-1"}')
    assert core.frame_handled(4.0) is None
    assert core.stall_deadline() == 7.0


def test_frame_handled_cuts_a_connection_that_refused_audio_at_once_and_once() -> None:
    core, server = make(stall_timeout=5.0, end_timeout=None, keepalive_interval=None)
    core.connection_made(0.0)
    sent_and_written(core, server, 1, 0.0, 0.0)
    core.receive_frame(negative_ack_json("too fast"))
    reason = core.frame_handled(0.1)  # long before any deadline
    assert reason is not None
    assert "too fast" in reason
    assert core.frame_handled(0.2) is None  # the connection is being cut already


def test_reconnection_jitter_is_drawn_only_when_a_reconnection_comes() -> None:
    options = LiveOptions(reconnect=ReconnectPolicy(max_attempts=3, initial_delay=1.0, max_delay=1.0))
    core = LiveProtocol(PCM16, options)
    core.connection_made(0.0)
    action = core.connection_lost(1.0, None)
    assert 0.0 <= getattr(action, "delay", -1.0) <= 1.0
