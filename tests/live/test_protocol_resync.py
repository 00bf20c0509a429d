"""The protocol core across abrupt cuts that lose acknowledgements: client offsets, the probe, the counts.

The server here commits audio on receipt and numbers it in its own recording, and a cut loses whatever was in
flight in either direction (acknowledgements of committed audio included), as a real network does. Audio is
made of unique sample frames (sample `i` holds the number `i`), so the server's recording shows exactly what
was lost and what was duplicated.
"""

from __future__ import annotations

import logging
import random

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from gladia_live_client import AudioFormat, LiveOptions, LiveSessionIncomplete
from gladia_live_client._live._protocol import Fail, Finish, LiveProtocol, Reconnect

from ._model import PATIENT, CommittingServer, ack_json, end_session_json, negative_ack_json, stop_ack_json

PCM16 = AudioFormat()
KEEPALIVE = '{"type":"audio_chunk","data":{"chunk":""}}'
STOP = '{"type":"stop_recording"}'


def unique_audio(size: int, block_align: int) -> bytes:
    """`size` bytes of sample frames that are all different (frame `i` holds `i`), any partial one last."""
    frames = -(-size // block_align)
    return b"".join(i.to_bytes(block_align, "little") for i in range(frames))[:size]


def duplicates_in(recording: bytes, source: bytes, block_align: int) -> int:
    """The bytes inserted in `recording` relative to `source` (made by `unique_audio`), each a copy of audio
    already in it.

    Fails when `recording` is not `source` with whole sample frames (or the trailing partial one) inserted:
    lost, reordered or foreign audio.
    """
    size, tail = len(source), len(source) % block_align
    whole = size - tail  # where the trailing partial sample frame starts

    def copy_of_earlier(sample: bytes, before: int) -> bool:
        copied_from = int.from_bytes(sample, "little") * block_align
        return (
            len(sample) == block_align
            and copied_from < before
            and source[copied_from : copied_from + len(sample)] == sample
        )

    i = j = duplicated = 0
    while j < whole:
        run = min(4096, whole - j, len(recording) - i)
        run -= run % block_align
        if run and recording[i : i + run] == source[j : j + run]:
            i, j = i + run, j + run  # the common case: a long stretch in order
        elif recording[i : i + block_align] == source[j : j + block_align]:
            i, j = i + block_align, j + block_align
        elif copy_of_earlier(recording[i : i + block_align], j):
            i, duplicated = i + block_align, duplicated + block_align
        else:
            raise AssertionError(f"recording byte {i} is not source byte {j} nor a copy of earlier audio")

    # The end: copies of whole samples or of the partial one, and the partial one itself once (a few units,
    # but a partial sample can look like the start of a copy: try both readings).
    def explained(rest: bytes, partial_seen: bool) -> bool:
        if not rest:
            return partial_seen or not tail
        if tail and rest[:tail] == source[whole:] and explained(rest[tail:], True):
            return True
        return copy_of_earlier(rest[:block_align], whole) and explained(rest[block_align:], partial_seen)

    rest = recording[i:]
    assert explained(rest, False), f"the recording's last {len(rest)} bytes are not the end of the audio"
    return duplicated + len(rest) - tail


class Harness:
    """One session: the core, the committing server and the network between them, driven step by step."""

    def __init__(self, audio_format: AudioFormat = PCM16, **options: object) -> None:
        self.core = LiveProtocol(
            audio_format,
            LiveOptions(reconnect=PATIENT, rng=random.Random(0), **options),  # type: ignore[arg-type]
            session_id="s-1",
        )
        self.server = CommittingServer()
        self.now = 0.0
        self.over = False  # the client finished, or the server ended while the client was cut off
        self.outcome: Finish | Fail | None = None
        self.server.connect()
        self.core.connection_made(self.now)

    def pump(self) -> None:
        if self.core.connected:
            self.server.send(self.core.frames_to_send(self.now))

    def deliver(self, count: int) -> None:
        self.server.deliver(count)

    def respond(self, count: int) -> None:
        self._receive(self.server.respond(count))
        if self.core.ended and self.core.connected:
            self._close(1000)  # the server closes once end_session is out

    def cut(self, frames_arriving: int, acks_arriving: int) -> None:
        if not self.core.connected:
            return
        self._receive(self.server.cut(frames_arriving, acks_arriving))
        self._close(None)

    def settle(self) -> None:
        """A polite exchange: send what is due, let all of it arrive, read every answer."""
        self.pump()
        self.deliver(len(self.server.to_server))
        self.respond(len(self.server.to_client))

    def _receive(self, messages: list[str]) -> None:
        for message in messages:
            self.core.receive(message)

    def _close(self, code: int | None) -> None:
        action = self.core.connection_lost(self.now, code, "cut" if code is None else "session ended")
        if isinstance(action, Reconnect):
            if self.server.stopped:
                self.over = True  # the session is over on the server: it refuses the handshake
                return
            self.now += action.delay
            self.server.connect()
            self.core.connection_made(self.now)
        else:
            self.over = True
            self.outcome = action


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("write"), st.integers(0, 9000), st.just(0)),
        st.tuples(st.just("stream"), st.integers(0, 9000), st.just(0)),
        st.tuples(st.just("pump"), st.just(0), st.just(0)),
        st.tuples(st.just("deliver"), st.integers(0, 6), st.just(0)),
        st.tuples(st.just("respond"), st.integers(0, 6), st.just(0)),
        st.tuples(st.just("cut"), st.integers(0, 30), st.integers(0, 6)),
        st.tuples(st.just("cut"), st.integers(0, 30), st.integers(0, 6)),
        st.tuples(st.just("tick"), st.integers(0, 20), st.just(0)),
    ),
    max_size=80,
)


def run(harness: Harness, op: str, first: int, second: int) -> None:
    if op == "pump":
        harness.pump()
    elif op == "deliver":
        harness.deliver(first)
    elif op == "respond":
        harness.respond(first)
    elif op == "cut":
        harness.cut(first, second)
    elif op == "tick":
        harness.now += first


@settings(max_examples=500, deadline=None)
@given(
    size=st.integers(0, 40_000),
    audio_format=st.sampled_from([PCM16, AudioFormat(channels=2), AudioFormat(bit_depth=24, sample_rate=8000)]),
    frame_duration=st.sampled_from([0.001, 0.01, 0.04, 0.1]),
    buffer_limit=st.integers(6, 20_000),
    before_stop=OPERATIONS,
    after_stop=OPERATIONS,
)
def test_cuts_that_lose_acknowledgements_lose_no_audio_and_count_every_duplicate(
    size: int,
    audio_format: AudioFormat,
    frame_duration: float,
    buffer_limit: int,
    before_stop: list[tuple[str, int, int]],
    after_stop: list[tuple[str, int, int]],
) -> None:
    harness = Harness(audio_format, buffer_limit=buffer_limit, frame_duration=frame_duration, keepalive_interval=7.0)
    core, server = harness.core, harness.server
    block_align = audio_format.block_align
    source = unique_audio(size, block_align)
    written = 0
    for op, first, second in before_stop:
        if op in ("write", "stream"):
            written += core.write(source[written : written + first])
            if op == "stream":
                harness.pump()
        else:
            run(harness, op, first, second)
    while written < size:  # the rest, waiting for room as a shell would
        taken = core.write(source[written:])
        written += taken
        if not taken:
            harness.settle()
    core.stop_recording()
    for op, first, second in after_stop:
        if not harness.over and op not in ("write", "stream"):
            run(harness, op, first, second)
    for _ in range(10_000):
        if harness.over:
            break
        harness.settle()
    assert harness.over

    stats = core.stats()
    reconnections = server.connections - 1
    event(f"reconnections: {min(reconnections, 3)}+")
    event(f"recovered lost acks: {stats.bytes_recovered > 0}, duplicated: {stats.bytes_duplicated > 0}")
    event(f"ended by the client: {harness.outcome is not None}")
    assert stats.reconnections == reconnections
    duplicated = duplicates_in(bytes(server.recording), source, block_align)  # fails on any lost byte
    assert duplicated == stats.bytes_duplicated
    assert duplicated <= reconnections * block_align, "at most one sample frame duplicated per reconnection"
    assert stats.duplicated_seconds == duplicated / audio_format.bytes_per_second
    assert (stats.ack_anomalies, stats.resync_failures, stats.offset_mismatches) == (0, 0, 0)
    assert stats.max_bytes_buffered <= buffer_limit
    assert stats.bytes_recovered <= stats.bytes_acknowledged
    if harness.outcome is not None:  # the client saw end_session: every byte was acknowledged
        assert isinstance(harness.outcome, Finish)
        assert stats.bytes_acknowledged == size
        assert stats.bytes_buffered == 0


# -- the probe, step by step ----------------------------------------------------------------------------


def streamed(harness: Harness, size: int, acks_arriving: int, frames_arriving: int = 99) -> bytes:
    """Write `size` bytes, send them in 100 ms frames, then cut: all frames arrive, few acks come back."""
    source = unique_audio(size, 2)
    harness.core.write(source)
    harness.pump()
    harness.cut(frames_arriving, acks_arriving)
    return source


def test_acks_lost_after_the_server_committed_are_recovered_by_the_probe() -> None:
    harness = Harness()
    core, server = harness.core, harness.server
    source = streamed(harness, 16_000, acks_arriving=1)  # 5 frames committed, 1 acknowledgement seen
    assert server.recording == source
    assert core.bytes_acknowledged == 3200
    probe = core.frames_to_send(harness.now)
    assert [bytes(frame) for frame in probe] == [source[3200:3202]]
    assert core.frames_to_send(harness.now + 100.0) == [KEEPALIVE], "only keepalives until the probe's ack"
    server.send(probe)
    harness.deliver(1)
    harness.respond(1)  # the probe's acknowledgement: [16000, 16002)
    assert core.bytes_acknowledged == 16_000
    assert core.frames_to_send(harness.now) == []  # nothing to resend: the server had it all
    stats = core.stats()
    assert (stats.resyncs, stats.bytes_recovered, stats.bytes_duplicated) == (1, 12_800, 2)
    assert stats.duplicated_seconds == 2 / 32_000
    core.write(source[:2])  # new audio is numbered after the duplicate in the server's recording
    harness.settle()
    assert server.recording == source + source[3200:3202] + source[:2]
    assert core.bytes_acknowledged == 16_002
    assert core.stats().ack_anomalies == 0


def test_without_lost_acks_the_probe_is_just_the_next_sample() -> None:
    harness = Harness()
    core, server = harness.core, harness.server
    source = streamed(harness, 16_000, acks_arriving=2, frames_arriving=2)  # what arrived was acknowledged
    harness.settle()  # the probe
    harness.settle()  # the rest
    assert server.recording == source
    stats = core.stats()
    assert (stats.resyncs, stats.bytes_recovered, stats.bytes_duplicated, stats.bytes_acknowledged) == (
        1,
        0,
        0,
        16_000,
    )


def test_nothing_in_flight_means_no_probe() -> None:
    harness = Harness()
    core = harness.core
    streamed(harness, 6400, acks_arriving=2)
    assert core.stats().resyncs == 0
    assert core.has_pending_frames is False
    core.write(b"\x01\x02")
    assert [bytes(frame) for frame in core.frames_to_send(harness.now)] == [b"\x01\x02"]


def test_a_probe_cut_off_before_its_ack_is_assumed_committed_so_nothing_is_lost() -> None:
    """Two cuts in a row: the first probe may or may not be in the recording; the session assumes it is."""
    harness = Harness()
    core, server = harness.core, harness.server
    source = streamed(harness, 16_000, acks_arriving=1)
    harness.pump()  # the probe
    harness.cut(1, 0)  # it arrives and is committed; its acknowledgement is lost
    assert server.recording == source + source[3200:3202]
    harness.settle()
    harness.settle()
    assert duplicates_in(bytes(server.recording), source, 2) == core.stats().bytes_duplicated == 4
    assert core.stats().resyncs == 1
    assert core.bytes_acknowledged == 16_000

    # The same, but the first probe was lost on its way: the server has 2 bytes fewer, and the session, still
    # assuming the first probe arrived, resends one sample it did not need to: no loss, one sample per cut.
    harness = Harness()
    core, server = harness.core, harness.server
    source = streamed(harness, 16_000, acks_arriving=1)
    harness.pump()
    harness.cut(0, 0)
    harness.settle()
    harness.settle()
    assert server.recording == source + source[3200:3202] + source[15_998:16_000]
    assert duplicates_in(bytes(server.recording), source, 2) == core.stats().bytes_duplicated == 4
    assert core.stats().bytes_recovered == 12_798


def test_a_half_sample_flushed_by_stop_is_probed_on_its_own() -> None:
    harness = Harness()
    core, server = harness.core, harness.server
    core.write(unique_audio(6401, 2))
    core.stop_recording()
    harness.pump()
    assert server.to_server[-1] == STOP
    harness.cut(2, 2)  # the audio frames arrive and are acknowledged; the half sample and the stop are lost
    assert core.bytes_acknowledged == 6400
    probe = core.frames_to_send(harness.now)
    assert [len(frame) for frame in probe] == [1]  # not a whole sample: that is all there is
    server.send(probe)
    harness.deliver(1)
    harness.respond(1)
    assert core.frames_to_send(harness.now) == [STOP]
    assert core.stats().bytes_duplicated == 0


def test_a_recording_off_the_sample_grid_holds_the_trailing_half_sample() -> None:
    """Only the last frame ends inside a sample: the probe's offset then tells which lost probes arrived."""
    harness = Harness()
    core, server = harness.core, harness.server
    source = unique_audio(6401, 2)
    core.write(source)
    core.stop_recording()
    harness.pump()  # [0, 3200), [3200, 6400), [6400, 6401), stop_recording
    harness.cut(3, 1)  # all the audio arrives, the stop does not; one acknowledgement comes back
    harness.pump()
    harness.cut(0, 0)  # the probe is lost on its way
    harness.settle()  # the probe: [6401, 6403) says the server has 3201 bytes more, so no earlier probe
    assert core.bytes_acknowledged == 6401
    assert core.stats().bytes_duplicated == 2
    assert core.frames_to_send(harness.now) == [STOP]
    assert server.recording == source + source[3200:3202]


def test_awaiting_acknowledgement_covers_the_probe() -> None:
    harness = Harness()
    core = harness.core
    assert not core.awaiting_acknowledgement
    core.write(unique_audio(6400, 2))
    harness.pump()
    assert core.awaiting_acknowledgement
    harness.cut(2, 1)
    assert not core.awaiting_acknowledgement  # the probe is not sent yet
    harness.pump()
    assert core.awaiting_acknowledgement  # the probe is out
    harness.deliver(1)
    harness.respond(1)
    assert not core.awaiting_acknowledgement  # the server had it all: nothing more to send or await


def test_stop_recording_waits_for_the_probe() -> None:
    harness = Harness()
    core = harness.core
    streamed(harness, 6400, acks_arriving=0)
    core.stop_recording()
    assert [len(frame) for frame in core.frames_to_send(harness.now)] == [2]
    assert core.frames_to_send(harness.now) == []  # neither audio nor stop_recording before the probe's ack
    assert core.has_pending_frames is False


# -- a server that does not behave as assumed ------------------------------------------------------------


def lost_connection_with_audio_in_flight() -> tuple[LiveProtocol, bytes]:
    core = LiveProtocol(PCM16, LiveOptions(reconnect=PATIENT, rng=random.Random(0)), session_id="s-1")
    source = unique_audio(9600, 2)
    core.connection_made(0.0)
    core.write(source)
    core.frames_to_send(0.0)
    core.receive(ack_json(0, 3200))
    assert isinstance(core.connection_lost(1.0, None), Reconnect)
    core.connection_made(1.0)
    assert [len(frame) for frame in core.frames_to_send(1.0)] == [2]
    return core, source


@pytest.mark.parametrize(
    ("start", "end", "why"),
    [
        (100, 102, "the server's recording is shorter than what it acknowledged"),
        (99_000, 99_002, "more than was ever sent"),
        (9600, 9700, "not acknowledged on its own"),
    ],
)
def test_an_impossible_probe_ack_takes_the_probe_as_new_audio_and_says_so(
    start: int, end: int, why: str, caplog: pytest.LogCaptureFixture
) -> None:
    core, source = lost_connection_with_audio_in_flight()
    with caplog.at_level(logging.WARNING, "gladia_live_client.live"):
        core.receive(ack_json(start, end))
    assert core.stats().resync_failures == 1, why
    assert core.stats().resyncs == 0
    assert core.bytes_acknowledged == 3202
    assert "cannot resynchronise" in caplog.text
    # The server's numbering from then on: the next frame is acknowledged from the probe's end.
    frames = core.frames_to_send(1.0)
    assert b"".join(bytes(frame) for frame in frames) == source[3202:]
    core.receive(ack_json(end, end + 3200))
    assert core.bytes_acknowledged == 6402
    assert core.stats().ack_anomalies == 0


def test_a_refused_probe_resends_everything_and_learns_the_mapping_again() -> None:
    core, source = lost_connection_with_audio_in_flight()
    core.receive(negative_ack_json())
    assert core.stats().resync_failures == 1
    assert core.bytes_acknowledged == 3200  # nothing released
    frames = core.frames_to_send(1.0)
    assert b"".join(bytes(frame) for frame in frames) == source[3200:]
    core.receive(ack_json(50_000, 53_200))  # whatever the server's numbering, it maps to the first frame
    assert core.bytes_acknowledged == 6400
    core.receive(ack_json(53_200, 56_400))
    assert core.bytes_acknowledged == 9600


def test_a_cut_before_the_mapping_is_learnt_again_takes_it_from_the_next_probe() -> None:
    core, source = lost_connection_with_audio_in_flight()
    core.receive(negative_ack_json())
    core.frames_to_send(1.0)  # everything from 3200 again
    assert isinstance(core.connection_lost(2.0, None), Reconnect)
    core.connection_made(2.0)
    assert [bytes(frame) for frame in core.frames_to_send(2.0)] == [source[3200:3202]]
    core.receive(ack_json(70_000, 70_002))
    assert core.bytes_acknowledged == 3202
    assert core.stats().resync_failures == 1  # the refusal; learning the mapping is not a failure
    assert b"".join(bytes(frame) for frame in core.frames_to_send(2.0)) == source[3202:]
    core.receive(ack_json(70_002, 73_202))
    assert core.bytes_acknowledged == 6402


def test_a_probe_refused_after_stop_recording_sends_only_the_stop_again() -> None:
    core = LiveProtocol(PCM16, LiveOptions(reconnect=PATIENT, rng=random.Random(0)), session_id="s-1")
    core.connection_made(0.0)
    core.write(unique_audio(6400, 2))
    core.stop_recording()
    assert core.frames_to_send(0.0)[-1] == STOP
    core.connection_lost(1.0, None)
    core.connection_made(1.0)
    assert [len(frame) for frame in core.frames_to_send(1.0)] == [2]
    core.receive(negative_ack_json("the recording is over"))
    assert core.has_pending_frames
    assert core.frames_to_send(1.0) == [STOP]
    assert core.frames_to_send(1.0) == []
    core.receive(stop_ack_json())
    core.receive(end_session_json())
    action = core.connection_lost(2.0, 1000)
    assert isinstance(action, Fail)  # the server never acknowledged the audio: the session says so
    assert isinstance(action.error, LiveSessionIncomplete)
    assert action.error.unacknowledged_bytes == 6400
    assert core.stats().stops_sent == 2


def test_acks_outside_the_connection_are_ignored_and_logged_once_per_connection(
    caplog: pytest.LogCaptureFixture,
) -> None:
    core = LiveProtocol(PCM16, LiveOptions(reconnect=PATIENT, rng=random.Random(0)), session_id="s-1")
    core.connection_made(0.0)
    core.write(unique_audio(6400, 2))
    core.frames_to_send(0.0)
    with caplog.at_level(logging.WARNING, "gladia_live_client.live"):
        core.receive(ack_json(6400, 9600))  # audio never sent
        core.receive(ack_json(0, 3200))
        core.receive(ack_json(0, 3200))  # already acknowledged
        core.receive(ack_json(3200, 3200))  # an empty frame's: nothing, not an anomaly
    assert core.stats().ack_anomalies == 2
    assert core.bytes_acknowledged == 3200
    assert caplog.text.count("ignored the acknowledgement") == 1
    core.connection_lost(1.0, None)
    core.connection_made(1.0)
    core.frames_to_send(1.0)  # the probe
    with caplog.at_level(logging.WARNING, "gladia_live_client.live"):
        core.receive(ack_json(3200, 3202))  # nothing was committed after 3200: the probe was the next sample
        core.receive(ack_json(90_000, 90_002))
    assert caplog.text.count("ignored the acknowledgement") == 2
    assert core.stats().ack_anomalies == 3


def test_silence_keepalives_wait_while_the_probe_is_unanswered() -> None:
    silent = LiveProtocol(
        PCM16, LiveOptions(reconnect=PATIENT, keepalive="silence", keepalive_interval=1.0), session_id="s-1"
    )
    silent.connection_made(0.0)
    silent.write(unique_audio(3200, 2))
    silent.frames_to_send(0.0)
    silent.connection_lost(0.5, None)
    silent.connection_made(0.5)
    assert len(silent.frames_to_send(0.5)) == 1  # the probe
    assert silent.frames_to_send(5.0) == [KEEPALIVE]  # not silence: audio must not follow the probe yet
    assert silent.stats().silence_bytes == 0


# -- end_session while audio is unacknowledged -----------------------------------------------------------


def test_end_session_with_unacknowledged_audio_is_an_error() -> None:
    core = LiveProtocol(PCM16, LiveOptions(reconnect=PATIENT), session_id="s-1")
    core.connection_made(0.0)
    core.write(unique_audio(6400, 2))
    core.frames_to_send(0.0)
    core.receive(ack_json(0, 3200))
    core.receive(end_session_json())
    assert core.should_close
    action = core.connection_lost(1.0, 1000, "session ended")
    assert isinstance(action, Fail)
    error = action.error
    assert isinstance(error, LiveSessionIncomplete)
    assert (error.unacknowledged_bytes, error.bytes_acknowledged) == (3200, 3200)
    assert "3200 bytes" in str(error)
    assert core.error is error


def test_end_session_with_everything_acknowledged_or_after_abort_is_the_normal_end() -> None:
    core = LiveProtocol(PCM16, LiveOptions(reconnect=PATIENT), session_id="s-1")
    core.connection_made(0.0)
    core.write(unique_audio(3200, 2))
    core.frames_to_send(0.0)
    core.receive(ack_json(0, 3200))
    core.receive(end_session_json())
    assert isinstance(core.connection_lost(1.0, 1000), Finish)
    aborted = LiveProtocol(PCM16, LiveOptions(reconnect=PATIENT), session_id="s-1")
    aborted.connection_made(0.0)
    aborted.write(unique_audio(3200, 2))
    aborted.receive(end_session_json())
    aborted.abort()  # the caller gave the audio up: nothing to report
    assert isinstance(aborted.connection_lost(1.0, 1000), Finish)


def test_seeded_sessions_with_three_cuts_each_lose_nothing() -> None:
    """500 streamed sessions, 3 cuts each at random moments, losing random parts of what is in flight."""
    audio_format = AudioFormat(bit_depth=32, sample_rate=8000)  # 4-byte samples: unique over the whole source
    totals = {"sessions": 0, "reconnections": 0, "duplicated": 0, "recovered": 0}
    for seed in range(500):
        rng = random.Random(seed)
        harness = Harness(audio_format, frame_duration=rng.choice([0.02, 0.1]), buffer_limit=rng.randrange(8, 200_000))
        core, server = harness.core, harness.server
        source = unique_audio(rng.randrange(0, 160_000), 4)
        steps = max(1, len(source) // 2000)
        cuts = {rng.randrange(steps + 5) for _ in range(3)}
        written = 0
        for step in range(steps + 5):
            if written < len(source):
                written += core.write(source[written : written + rng.randrange(1, 6000)])
            if written == len(source) and not core.stop_requested:
                core.stop_recording()
            harness.pump()
            harness.deliver(rng.randrange(4))
            harness.respond(rng.randrange(6))
            if step in cuts and not harness.over:
                harness.cut(rng.randrange(len(server.to_server) + 1), rng.randrange(len(server.to_client) + 1))
            if harness.over:
                break
        while not harness.over:
            if written < len(source):
                written += core.write(source[written:])
            elif not core.stop_requested:
                core.stop_recording()
            harness.settle()
        stats = core.stats()
        reconnections = server.connections - 1
        duplicated = duplicates_in(bytes(server.recording), source, 4)
        assert duplicated == stats.bytes_duplicated, seed
        assert duplicated <= 4 * reconnections, seed
        assert (stats.ack_anomalies, stats.resync_failures) == (0, 0), seed
        totals["sessions"] += 1
        totals["reconnections"] += reconnections
        totals["duplicated"] += duplicated
        totals["recovered"] += stats.bytes_recovered
    assert totals["recovered"] > 0, totals  # the cuts did lose acknowledgements of committed audio
    assert totals["reconnections"] >= 500, totals


def test_a_refused_frame_releases_nothing_more_and_the_next_connection_resends_it() -> None:
    # The server refuses the first frame but keeps numbering what follows: its later acknowledgements would
    # look like the refused frame's. Nothing is released after the refusal; the connection is cut; the next
    # one resends from the acknowledged offset and learns the mapping from its first acknowledgement.
    core = LiveProtocol(PCM16, LiveOptions(reconnect=PATIENT, rng=random.Random(0)), session_id="s-1")
    audio = unique_audio(9600, PCM16.block_align)
    core.write(audio)
    core.connection_made(0.0)
    frames = core.frames_to_send(0.0)
    assert [len(frame) for frame in frames] == [3200, 3200, 3200]
    core.receive(negative_ack_json("invalid audio"))
    core.receive(ack_json(0, 3200))  # the server's numbering of frame 2
    assert core.stats().bytes_acknowledged == 0
    assert core.stats().ack_anomalies == 1
    assert core.stats().resync_failures == 1
    reason = core.stall(0.0)
    assert reason is not None
    assert "refused audio" in reason
    assert isinstance(core.connection_lost(0.0, None), Reconnect)
    core.connection_made(1.0)
    again = core.frames_to_send(1.0)
    assert b"".join(bytes(frame) for frame in again) == audio  # no probe: everything, from the start
    core.receive(ack_json(6400, 9600))  # the server goes on numbering after what it kept
    assert core.stats().bytes_acknowledged == 3200
