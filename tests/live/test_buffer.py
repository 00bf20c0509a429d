"""The unacknowledged-audio buffer: absolute offsets, zero-copy reads, release by acknowledgement."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gladia_live_client._live._buffer import PIECE_BYTES, AudioBuffer


def test_reads_by_absolute_offset_across_pieces_and_after_release() -> None:
    buffer = AudioBuffer()
    data = random.Random(1).randbytes(3 * PIECE_BYTES + 10)
    buffer.append(data)
    assert (buffer.start, buffer.end, len(buffer)) == (0, len(data), len(data))
    inside = buffer.read(10, 100)
    assert isinstance(inside, memoryview)  # within one piece: no copy
    assert bytes(inside) == data[10:110]
    assert bytes(buffer.read(PIECE_BYTES - 5, 10)) == data[PIECE_BYTES - 5 : PIECE_BYTES + 5]
    buffer.release(PIECE_BYTES + 3)
    assert buffer.start == PIECE_BYTES + 3
    assert bytes(buffer.read(PIECE_BYTES + 3, 7)) == data[PIECE_BYTES + 3 : PIECE_BYTES + 10]
    with pytest.raises(IndexError):
        buffer.read(PIECE_BYTES + 2, 1)
    with pytest.raises(IndexError):
        buffer.read(len(data) - 1, 2)
    buffer.release(10**9)  # clamped to the end
    assert len(buffer) == 0
    assert buffer.start == len(data)


@given(st.lists(st.tuples(st.integers(0, 3 * PIECE_BYTES), st.integers(0, 70_000)), max_size=30))
def test_any_append_and_release_sequence_keeps_exactly_the_unreleased_bytes(
    steps: list[tuple[int, int]],
) -> None:
    buffer = AudioBuffer()
    stream = bytearray()
    released = 0
    for size, advance in steps:
        chunk = random.Random(size).randbytes(size)
        buffer.append(chunk)
        stream += chunk
        released = min(len(stream), released + advance)
        buffer.release(released)
        assert (buffer.start, buffer.end) == (released, len(stream))
        if len(buffer):
            assert bytes(buffer.read(buffer.start, len(buffer))) == stream[released:]


def test_released_pieces_are_freed_and_the_index_compacted() -> None:
    buffer = AudioBuffer()
    for _ in range(1000):
        buffer.append(b"x" * 100)
        buffer.release(buffer.end - 100)
    assert len(buffer._pieces) < 200  # compacted: proportional to what is retained, not to the history
    assert bytes(buffer.read(buffer.start, 100)) == b"x" * 100
