"""The values the protocol core keeps up to date instead of recomputing them on every frame stay equal to what
recomputing gives, across writes, direct sends, acknowledgements, keepalives, cuts, probes and the stop."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gladia_live_client import AudioFormat

from .test_protocol_resync import OPERATIONS, PCM16, Harness, run, unique_audio


def assert_cached_values_hold(harness: Harness) -> None:
    core = harness.core
    end = core.stats().audio_bytes
    expected = end if core.stop_requested else end - end % core.audio_format.block_align
    assert core._sendable == expected == core._sendable_end()


@settings(max_examples=200, deadline=None)
@given(
    size=st.integers(0, 30_000),
    audio_format=st.sampled_from([PCM16, AudioFormat(channels=2), AudioFormat(bit_depth=24, sample_rate=8000)]),
    keepalive=st.sampled_from(["empty_chunk", "silence"]),
    buffer_limit=st.integers(6, 20_000),
    before_stop=OPERATIONS,
    after_stop=OPERATIONS,
)
def test_the_sendable_end_stays_equal_to_its_recomputation(
    size: int,
    audio_format: AudioFormat,
    keepalive: str,
    buffer_limit: int,
    before_stop: list[tuple[str, int, int]],
    after_stop: list[tuple[str, int, int]],
) -> None:
    harness = Harness(audio_format, buffer_limit=buffer_limit, keepalive_interval=7.0, keepalive=keepalive)
    core, server = harness.core, harness.server
    source = unique_audio(size, audio_format.block_align)
    written = 0
    assert_cached_values_hold(harness)
    for op, first, second in before_stop:
        if op in ("write", "stream"):
            written += core.write(source[written : written + first])
            assert_cached_values_hold(harness)
            if op == "stream" and core.connected:
                # As a shell whose caller writes to the socket itself when nothing waits.
                frames = core.frames_to_send_directly(1 << 20, harness.now)
                if frames:
                    server.send(frames)
                    core.write_finished(harness.now)
                else:
                    harness.pump()
        else:
            run(harness, op, first, second)
        assert_cached_values_hold(harness)
    if not harness.over:
        core.stop_recording()
        assert_cached_values_hold(harness)
    for op, first, second in after_stop:
        if not harness.over and op not in ("write", "stream"):
            run(harness, op, first, second)
            assert_cached_values_hold(harness)
    for _ in range(200):
        if harness.over:
            break
        harness.settle()
        assert_cached_values_hold(harness)


def test_the_sendable_end_follows_silence_keepalives() -> None:
    harness = Harness(keepalive_interval=5.0, keepalive="silence")
    harness.core.write(bytes(3200))
    harness.settle()
    harness.now += 6.0
    frames = harness.core.frames_to_send(harness.now)
    assert [len(frame) for frame in frames] == [3200]  # a silence frame: audio added by the core itself
    assert harness.core.stats().audio_bytes == 6400
    assert_cached_values_hold(harness)
