"""The protocol core alone: offsets, the bounded buffer, resend after drops, stop_recording, keepalives."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gladia_live_client import (
    AudioFormat,
    ConfigurationError,
    LiveConnectionError,
    LiveHandshakeRejected,
    LiveOptions,
    LiveSessionClosed,
    LiveStateError,
    ReconnectPolicy,
)
from gladia_live_client._live._messages import GenericMessage
from gladia_live_client._live._protocol import Fail, Finish, LiveProtocol, LiveState, Reconnect
from gladia_live_client.models import AudioChunkAckMessage, StopRecordingAckMessage, TranscriptMessage

from ._model import PATIENT, ModelServer, ack_json, end_session_json

PCM16 = AudioFormat()  # 16 kHz mono 16-bit: 3200 bytes per 100 ms frame


def make(
    buffer_limit: int = 1 << 20, *, policy: ReconnectPolicy = PATIENT, **kwargs: object
) -> tuple[LiveProtocol, ModelServer]:
    options = LiveOptions(buffer_limit=buffer_limit, reconnect=policy, rng=random.Random(0), **kwargs)  # type: ignore[arg-type]
    return LiveProtocol(PCM16, options, session_id="s-1"), ModelServer()


def source_bytes(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


def test_audio_written_before_the_connection_opens_is_sent_once_it_does() -> None:
    core, server = make()
    audio = source_bytes(10_000)
    assert core.write(audio) == len(audio)
    assert core.frames_to_send(0.0) == []  # not connected yet
    core.connection_made(0.0)
    frames = core.frames_to_send(0.0)
    assert [len(frame) for frame in frames] == [3200, 3200, 3200, 400]
    server.deliver(frames)
    for message in server.ack(10):
        assert core.receive(message) == []  # acks are not surfaced unless asked for
    assert bytes(server.committed) == audio
    assert core.stats().bytes_acknowledged == len(audio)
    assert core.stats().bytes_buffered == 0


def test_a_trailing_partial_sample_waits_for_its_other_half_until_stop() -> None:
    core, server = make()
    core.connection_made(0.0)
    core.write(b"\x01\x02\x03")
    assert [bytes(f) for f in core.frames_to_send(0.0)] == [b"\x01\x02"]
    core.write(b"\x04")
    assert [bytes(f) for f in core.frames_to_send(0.0)] == [b"\x03\x04"]
    core.write(b"\x05")
    assert core.frames_to_send(0.0) == []
    core.stop_recording()
    assert core.frames_to_send(0.0) == [b"\x05", '{"type":"stop_recording"}']


def test_the_buffer_is_bounded_and_acks_make_room() -> None:
    core, server = make(buffer_limit=8000)
    core.connection_made(0.0)
    assert core.write(source_bytes(10_000)) == 8000
    assert core.buffer_space() == 0
    assert core.write(b"more") == 0
    server.deliver(core.frames_to_send(0.0))
    for message in server.ack(1):
        core.receive(message)
    assert core.buffer_space() == 3200
    assert core.stats().max_bytes_buffered == 8000


def test_after_a_drop_the_unacknowledged_tail_is_resent_before_new_audio() -> None:
    core, server = make()
    audio = source_bytes(12_800)
    core.write(audio[:9600])
    core.connection_made(0.0)
    server.deliver(core.frames_to_send(0.0))
    for message in server.ack(1):  # [0, 3200) committed, [3200, 9600) received but not acknowledged
        core.receive(message)
    server.drop()
    action = core.connection_lost(1.0, 1011, "boom")
    assert isinstance(action, Reconnect)
    assert core.state is LiveState.RECONNECTING
    core.write(audio[9600:])  # new audio while disconnected
    core.connection_made(2.0)
    # First the probe: one sample at the acknowledged offset, then nothing until its acknowledgement.
    probe = core.frames_to_send(2.0)
    assert [bytes(f) for f in probe] == [audio[3200:3202]]
    assert core.frames_to_send(2.0) == []
    assert not core.has_pending_frames
    server.deliver(probe)
    for message in server.ack(1):
        core.receive(message)
    frames = core.frames_to_send(2.0)
    assert b"".join(bytes(f) for f in frames if not isinstance(f, str)) == audio[3202:]
    server.deliver(frames)
    for message in server.ack(10):
        core.receive(message)
    assert bytes(server.committed) == audio
    stats = core.stats()
    assert (stats.reconnections, stats.bytes_resent, stats.bytes_sent) == (1, 6400, 12_800)
    assert (stats.resyncs, stats.bytes_recovered, stats.bytes_duplicated) == (1, 0, 0)


def test_stop_recording_is_sent_again_after_a_drop_until_acknowledged() -> None:
    core, server = make()
    core.connection_made(0.0)
    core.write(source_bytes(3200))
    core.stop_recording()
    frames = core.frames_to_send(0.0)
    assert frames[-1] == '{"type":"stop_recording"}'
    server.deliver(frames)
    server.drop()
    assert isinstance(core.connection_lost(0.5, 1006, ""), Reconnect)
    core.connection_made(1.0)
    probe = core.frames_to_send(1.0)  # audio was unacknowledged: the probe comes first, alone
    assert [len(frame) for frame in probe] == [2]
    server.deliver(probe)
    for message in server.ack(1):
        core.receive(message)
    frames = core.frames_to_send(1.0)
    assert frames[-1] == '{"type":"stop_recording"}'
    assert [len(frame) for frame in frames[:-1]] == [3198]
    server.deliver(frames)
    surfaced = [m for message in server.ack(10) for m in core.receive(message)]
    assert surfaced == []
    # Acknowledged: a further drop does not send it a third time.
    assert isinstance(core.connection_lost(2.0, 1011, ""), Reconnect)
    core.connection_made(3.0)
    assert core.frames_to_send(3.0) == []


def test_acks_surface_only_when_asked_for_but_negative_ones_always() -> None:
    core, server = make(include_acks=True)
    core.connection_made(0.0)
    core.write(source_bytes(3200))
    server.deliver(core.frames_to_send(0.0))
    surfaced = core.receive(server.ack(1)[0])
    assert len(surfaced) == 1
    assert isinstance(surfaced[0], AudioChunkAckMessage)

    quiet, _ = make()
    nack = json.dumps(
        {
            "type": "audio_chunk",
            "acknowledged": False,
            "error": {"message": "bad chunk"},
            "session_id": "s-1",
            "created_at": "2024-01-01T00:00:00.000Z",
            "data": None,
        }
    )
    (message,) = quiet.receive(nack)
    assert isinstance(message, AudioChunkAckMessage)
    assert message.acknowledged is False
    stop_nack = nack.replace('"audio_chunk"', '"stop_recording"')
    (message,) = quiet.receive(stop_nack)
    assert isinstance(message, StopRecordingAckMessage)


def test_an_ack_beyond_what_the_connection_carried_releases_nothing() -> None:
    """Releasing audio the connection never carried would lose it at the next cut: an anomaly, not acted on."""
    core, _ = make()
    core.connection_made(0.0)
    core.write(source_bytes(6400))
    core.frames_to_send(0.0)
    core.receive(ack_json(0, 99_999))
    core.receive(ack_json(6400, 9600))
    assert core.stats().bytes_acknowledged == 0
    assert core.stats().ack_anomalies == 2
    core.receive(ack_json(0, 6400))
    assert core.stats().bytes_acknowledged == 6400


def test_an_ack_that_does_not_start_at_the_committed_offset_is_counted() -> None:
    core, _ = make()
    core.connection_made(0.0)
    core.write(source_bytes(6400))
    core.frames_to_send(0.0)
    core.receive(ack_json(3200, 6400))
    assert core.stats().offset_mismatches == 1
    assert core.stats().bytes_acknowledged == 6400


def test_server_messages_are_typed_and_unknown_ones_kept() -> None:
    core, _ = make()
    transcript = {
        "type": "transcript",
        "session_id": "s-1",
        "created_at": "2024-01-01T00:00:00.000Z",
        "data": {
            "id": "00-1",
            "is_final": True,
            "utterance": {
                "start": 0.0,
                "end": 1.0,
                "confidence": 1.0,
                "channel": 0,
                "words": [],
                "text": "hi",
                "language": "en",
            },
        },
    }
    (message,) = core.receive(json.dumps(transcript))
    assert isinstance(message, TranscriptMessage)
    assert message.data.utterance.text == "hi"
    (unknown,) = core.receive('{"type": "brand_new", "data": {"x": 1}}')
    assert isinstance(unknown, GenericMessage)
    assert unknown.type == "brand_new"
    assert unknown.raw["data"] == {"x": 1}
    (broken,) = core.receive(json.dumps({**transcript, "data": {"id": "x"}}))
    assert isinstance(broken, GenericMessage)
    assert broken.type == "transcript"
    assert "schema" in broken.reason


def test_end_session_then_close_finishes_the_session() -> None:
    core, _ = make()
    core.connection_made(0.0)
    core.receive(end_session_json())
    assert core.should_close
    assert isinstance(core.connection_lost(1.0, 1000, ""), Finish)
    assert core.state is LiveState.CLOSED
    with pytest.raises(LiveStateError):
        core.write(b"x")


@pytest.mark.parametrize("code", [1000, 1001, 4400, 4401, 4499])
def test_terminal_close_codes_fail_at_once_with_the_code(code: int) -> None:
    core, _ = make()
    core.connection_made(0.0)
    core.write(source_bytes(100))
    action = core.connection_lost(1.0, code, "bye")
    assert isinstance(action, Fail)
    assert isinstance(action.error, LiveSessionClosed)
    assert action.error.close_code == code
    assert action.error.unacknowledged_bytes == 100
    assert core.state is LiveState.FAILED
    with pytest.raises(LiveSessionClosed):
        core.write(b"x")


@pytest.mark.parametrize("code", [None, 1002, 1006, 1009, 1011, 1012, 1013, 3000, 4000, 4399, 4500, 4999])
def test_other_close_codes_reconnect(code: int | None) -> None:
    core, _ = make()
    core.connection_made(0.0)
    assert isinstance(core.connection_lost(1.0, code, ""), Reconnect)


def test_a_403_handshake_is_final_and_5xx_is_retried() -> None:
    core, _ = make()
    assert isinstance(core.connection_failed(0.0, status=503), Reconnect)
    action = core.connection_failed(1.0, status=403)
    assert isinstance(action, Fail)
    assert isinstance(action.error, LiveHandshakeRejected)
    assert action.error.status_code == 403
    assert "403" in str(action.error)


def test_flapping_connections_back_off_and_give_up_after_max_attempts() -> None:
    policy = ReconnectPolicy(max_attempts=5, max_elapsed=1e9, initial_delay=1.0, max_delay=100.0, jitter=0.5)
    core, _ = make(policy=policy)
    now, delays = 0.0, []
    core.connection_made(now)
    while True:
        action = core.connection_lost(now, 1011, "flap")  # closed at once: never healthy
        if not isinstance(action, Reconnect):
            break
        delays.append(action.delay)
        now += action.delay
        core.connection_made(now)
    assert isinstance(action, Fail)
    assert isinstance(action.error, LiveConnectionError)
    assert len(delays) == 5
    assert action.error.attempts == 6
    assert action.error.close_code == 1011
    for attempt, delay in enumerate(delays, start=1):
        assert policy.min_delay(attempt) <= delay <= policy.base_delay(attempt)
    assert core.stats().connections == 6


def test_giving_up_when_the_time_bound_is_reached() -> None:
    policy = ReconnectPolicy(max_attempts=100, max_elapsed=10.0, initial_delay=1.0, max_delay=4.0, jitter=0.0)
    core, _ = make(policy=policy)
    now = 0.0
    attempts = 0
    while isinstance(action := core.connection_failed(now, detail="refused"), Reconnect):
        attempts += 1
        now += action.delay
    assert isinstance(action, Fail)
    assert isinstance(action.error, LiveConnectionError)
    assert attempts == 3  # waits 1 + 2 + 4 = 7 s; waiting 4 s more would pass the 10 s bound
    assert "refused" in str(action.error)


def test_a_connection_that_made_progress_resets_the_backoff() -> None:
    policy = ReconnectPolicy(max_attempts=2, max_elapsed=1e9, initial_delay=1.0, max_delay=100.0, jitter=0.0)
    core, server = make(policy=policy)
    core.write(source_bytes(640_000))  # more than the 10 s the rounds acknowledge: each round a full second
    for round_ in range(10):
        server.connect(core, float(round_))
        for message in server.ack(10):  # 1 s of audio: ReconnectPolicy.min_progress
            core.receive(message)
        server.drop()
        action = core.connection_lost(float(round_), 1011, "")
        assert action == Reconnect(1.0, 1)  # progress each time: always the first attempt of a new run


def test_keepalive_after_the_interval_without_audio() -> None:
    core, server = make(keepalive_interval=5.0)
    core.connection_made(0.0)
    assert core.next_deadline() == 5.0
    assert core.frames_to_send(4.9) == []
    assert core.frames_to_send(5.0) == ['{"type":"audio_chunk","data":{"chunk":""}}']
    assert core.next_deadline() == 10.0
    core.write(source_bytes(3200))
    assert len(core.frames_to_send(7.0)) == 1  # audio, and the keepalive clock restarts
    assert core.next_deadline() == 12.0
    core.stop_recording()
    assert core.next_deadline() is None
    assert core.stats().keepalives_sent == 1


@pytest.mark.parametrize("mode", ["empty_chunk", "silence"])
def test_keepalive_still_comes_while_half_a_sample_waits(mode: str) -> None:
    """A trailing odd byte is held back; the session is idle all the same and must not spin or go silent."""
    core, server = make(keepalive_interval=1.0, keepalive=mode)
    core.connection_made(0.0)
    core.write(source_bytes(3201))
    assert [len(bytes(f)) for f in core.frames_to_send(0.5)] == [3200]
    assert core.frames_to_send(0.9) == []
    # Silence after half a sample would shift every later sample, so both modes send the JSON keepalive.
    assert core.frames_to_send(1.5) == ['{"type":"audio_chunk","data":{"chunk":""}}']
    assert core.next_deadline() == 2.5, "the keepalive clock restarts: no busy loop on a deadline in the past"
    assert core.stats().keepalives_sent == 1
    assert core.stats().silence_bytes == 0


def test_silence_keepalive_is_audio_in_the_stream() -> None:
    core, server = make(keepalive_interval=5.0, keepalive="silence")
    core.connection_made(0.0)
    frames = core.frames_to_send(5.0)
    assert [bytes(f) for f in frames] == [bytes(3200)]
    assert core.stats().silence_bytes == 3200
    assert core.stats().audio_bytes == 3200


# -- property: random drops, acks and writes never lose or duplicate a byte ------------------------------

OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("write"), st.integers(0, 9000)),
        st.tuples(st.just("pump"), st.just(0)),
        st.tuples(st.just("ack"), st.integers(0, 4)),
        st.tuples(st.just("drop"), st.sampled_from([None, 1006, 1011, 1012, 4000, 4500])),
        st.tuples(st.just("partial"), st.integers(0, 3)),
        st.tuples(st.just("tick"), st.integers(0, 20)),
    ),
    max_size=60,
)


def _run(core: LiveProtocol, server: ModelServer, op: str, arg: int | None, clock: list[float]) -> None:
    now = clock[0]
    if op == "pump" and core.connected:
        server.deliver(core.frames_to_send(now))
    elif op == "partial" and core.connected:
        frames = core.frames_to_send(now)
        server.deliver(frames[: arg or 0])
        op, arg = "drop", 1006
    elif op == "ack" and core.connected:
        for message in server.ack(arg or 0):
            core.receive(message)
    elif op == "tick":
        clock[0] = now + (arg or 0)
    if op == "drop" and core.connected:
        server.drop()
        assert isinstance(core.connection_lost(now, arg, "drop"), Reconnect)
        core.connection_made(now)


@settings(max_examples=300, deadline=None)
@given(
    size=st.integers(0, 40_000),
    buffer_limit=st.integers(2, 20_000),
    before=OPERATIONS,
    after_stop=OPERATIONS,
    seed=st.integers(0, 2**32 - 1),
)
def test_random_drops_never_lose_or_duplicate_audio(
    size: int, buffer_limit: int, before: list[tuple[str, int]], after_stop: list[tuple[str, int]], seed: int
) -> None:
    core, server = make(buffer_limit=buffer_limit, keepalive_interval=7.0)
    audio = source_bytes(size, seed)
    written = 0
    clock = [0.0]
    core.connection_made(0.0)
    for op, arg in before:
        if op == "write":
            written += core.write(audio[written : written + arg])
            assert core.stats().bytes_buffered <= buffer_limit
        else:
            _run(core, server, op, arg, clock)
    # The rest of the audio, waiting for room as a shell would.
    while written < size:
        taken = core.write(audio[written:])
        written += taken
        if not taken:
            server.deliver(core.frames_to_send(clock[0]))
            for message in server.ack(100):
                core.receive(message)
    core.stop_recording()
    for op, arg in after_stop:
        if op != "write":
            _run(core, server, op, arg, clock)
    while not server.stop_acknowledged:
        server.deliver(core.frames_to_send(clock[0]))
        for message in server.ack(100):
            core.receive(message)
    assert bytes(server.committed) == audio
    assert core.stats().bytes_acknowledged == size
    assert core.stats().bytes_buffered == 0
    assert core.stats().max_bytes_buffered <= buffer_limit
    assert all(
        not isinstance(f, str) or "audio_chunk" in f or f.endswith('"stop_recording"}') for f in server.frames_received
    )
    core.receive(end_session_json())
    assert isinstance(core.connection_lost(clock[0], 1000, ""), Finish)


def test_close_1000_after_stop_and_every_byte_acknowledged_is_the_normal_end() -> None:
    core, server = make()
    core.connection_made(0.0)
    core.write(source_bytes(6400))
    core.stop_recording()
    server.deliver(core.frames_to_send(0.0))
    for message in server.ack(10):
        core.receive(message)
    assert isinstance(core.connection_lost(1.0, 1000, "session ended"), Finish)


def test_close_1000_after_the_stop_ack_with_audio_missing_is_an_error() -> None:
    core, server = make()
    core.connection_made(0.0)
    core.write(source_bytes(6400))
    core.stop_recording()
    server.deliver(core.frames_to_send(0.0))
    core.receive(server.ack(1)[0])
    core.receive(
        '{"type":"stop_recording","acknowledged":true,"error":null,"session_id":"s","created_at":"t",'
        '"data":{"recording_duration":0.1,"recording_left_to_process":0}}'
    )
    action = core.connection_lost(1.0, 1000, "")
    assert isinstance(action, Fail)
    assert isinstance(action.error, LiveSessionClosed)
    assert action.error.unacknowledged_bytes == 3200


def test_abort_ends_the_session_whatever_happens_next() -> None:
    core, _ = make()
    core.connection_made(0.0)
    core.abort()
    assert core.should_close
    assert core.frames_to_send(0.0) == []
    assert isinstance(core.connection_lost(1.0, 1011, ""), Finish)
    idle, _ = make()
    idle.abort()
    assert idle.state is LiveState.CLOSED
    assert isinstance(idle.connection_failed(0.0, detail="refused"), Finish)


def test_fail_ends_the_session_with_the_shells_error() -> None:
    core, _ = make()
    action = core.fail(LiveStateError("boom"))
    assert core.state is LiveState.FAILED
    assert core.error is action.error
    with pytest.raises(LiveStateError, match="boom"):
        core.write(b"x")


def test_settings_that_cannot_work_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="smaller than one sample frame"):
        LiveProtocol(AudioFormat("wav/pcm", 32, 16000, 2), LiveOptions(buffer_limit=7))
    for bad in ({"buffer_limit": 0}, {"frame_duration": 0}, {"keepalive_interval": 0}, {"keepalive": "ping"}):
        with pytest.raises(ConfigurationError, match=f"LiveOptions.{next(iter(bad))} must be"):
            LiveOptions(**bad)  # type: ignore[arg-type]
    for bad_policy in ({"max_attempts": -1}, {"initial_delay": 0}, {"multiplier": 0.5}, {"jitter": 1.0}):
        with pytest.raises(ConfigurationError, match=f"ReconnectPolicy.{next(iter(bad_policy))} must be"):
            ReconnectPolicy(**bad_policy)  # type: ignore[arg-type]


def test_backoff_grows_exponentially_to_its_cap_and_jitter_stays_in_bounds() -> None:
    policy = ReconnectPolicy(initial_delay=0.5, max_delay=10.0, multiplier=2.0, jitter=0.5)
    assert [policy.base_delay(n) for n in range(1, 8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    assert policy.base_delay(10_000) == 10.0
    rng = random.Random(3)
    for attempt in range(1, 10):
        assert policy.min_delay(attempt) <= policy.delay(attempt, rng) <= policy.base_delay(attempt)


def test_an_ack_that_misfits_its_schema_still_commits_its_byte_range() -> None:
    """Ignoring a real acknowledgement would resend, so duplicate, audio: its byte_range is what counts."""
    core, _ = make(include_acks=True)
    core.connection_made(0.0)
    core.write(source_bytes(6400))
    core.frames_to_send(0.0)
    (message,) = core.receive('{"type": "audio_chunk", "acknowledged": true, "data": {"byte_range": [0, 3200]}}')
    assert isinstance(message, GenericMessage)  # no session_id, created_at, error: not the schema
    assert core.stats().bytes_acknowledged == 3200
    (message,) = core.receive('{"type": "audio_chunk", "acknowledged": true, "data": {"byte_range": [3200, true]}}')
    assert isinstance(message, GenericMessage)
    assert core.stats().bytes_acknowledged == 3200  # a boolean is not an offset
