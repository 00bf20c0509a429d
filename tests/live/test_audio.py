"""Audio format arithmetic and WAV header checks."""

from __future__ import annotations

import io
import struct
import wave

import pytest

from gladia_live_client import AudioFormat, AudioFormatError, read_wav_header
from gladia_live_client.models import (
    StreamingRequest,
    StreamingSupportedBitDepthEnum,
    StreamingSupportedEncodingEnum,
    StreamingSupportedSampleRateEnum,
)


def pcm_wav(frames: bytes, *, rate: int = 16000, channels: int = 1, width: int = 2) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(rate)
        writer.writeframes(frames)
    return out.getvalue()


def wav_with(fmt_body: bytes, data: bytes, *, extra_chunks: bytes = b"", data_size: int | None = None) -> bytes:
    chunks = b"fmt " + struct.pack("<I", len(fmt_body)) + fmt_body + extra_chunks
    chunks += b"data" + struct.pack("<I", len(data) if data_size is None else data_size) + data
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def fmt_chunk(tag: int, channels: int, rate: int, bits: int) -> bytes:
    align = channels * bits // 8
    return struct.pack("<HHIIHH", tag, channels, rate, rate * align, align, bits)


def test_frame_size_is_100_ms_of_whole_sample_frames_and_capped() -> None:
    assert AudioFormat().frame_bytes(0.1) == 3200
    assert AudioFormat("wav/pcm", 24, 44100, 2).frame_bytes(0.1) == 4410 * 6
    assert AudioFormat("wav/ulaw", 8, 8000, 1).frame_bytes(0.1) == 800
    big = AudioFormat("wav/pcm", 32, 48000, 8).frame_bytes(1.0)
    assert big <= 256 * 1024
    assert big % 32 == 0


def test_format_from_request_uses_defaults_for_unset_fields() -> None:
    assert AudioFormat.from_request(StreamingRequest()) == AudioFormat("wav/pcm", 16, 16000, 1)
    request = StreamingRequest(
        encoding=StreamingSupportedEncodingEnum.WAVALAW,
        bit_depth=StreamingSupportedBitDepthEnum.VALUE_8,
        sample_rate=StreamingSupportedSampleRateEnum.VALUE_8000,
        channels=2,
    )
    assert AudioFormat.from_request(request) == AudioFormat("wav/alaw", 8, 8000, 2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bit_depth": 12}, "multiple of 8"),
        ({"sample_rate": 0}, "sample_rate"),
        ({"channels": 0}, "channels"),
        ({"encoding": "wav/alaw", "bit_depth": 16}, "8 bits"),
    ],
)
def test_impossible_formats_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(AudioFormatError, match=message):
        AudioFormat(**kwargs)  # type: ignore[arg-type]


def test_silence_is_the_encodings_zero() -> None:
    assert AudioFormat().silence(5) == bytes(4)
    assert AudioFormat("wav/pcm", 8, 8000, 1).silence(2) == b"\x80\x80"
    assert AudioFormat("wav/alaw", 8, 8000, 1).silence(1) == b"\xd5"
    assert AudioFormat("wav/ulaw", 8, 8000, 1).silence(1) == b"\xff"


def test_a_pcm_wav_header_is_read_and_the_stream_left_at_the_audio() -> None:
    stream = io.BytesIO(pcm_wav(b"\x01\x02" * 10, rate=44100, channels=2))
    info = read_wav_header(stream)
    assert info.format == AudioFormat("wav/pcm", 16, 44100, 2)
    assert info.data_size == 20
    assert stream.read() == b"\x01\x02" * 10


def test_chunks_before_data_are_skipped_and_extensible_and_streamed_sizes_understood() -> None:
    extensible = fmt_chunk(0xFFFE, 1, 16000, 16) + struct.pack("<HHI", 22, 16, 4) + struct.pack("<H", 7) + bytes(14)
    list_chunk = b"LIST" + struct.pack("<I", 5) + b"abcde" + b"\x00"  # odd size: padded
    info = read_wav_header(io.BytesIO(wav_with(extensible, b"", extra_chunks=list_chunk, data_size=0xFFFFFFFF)))
    assert info.format_tag == 7  # mu-law, from the sub-format GUID
    assert info.data_size is None


def test_a_mismatch_names_every_difference_before_anything_is_sent() -> None:
    info = read_wav_header(io.BytesIO(pcm_wav(b"", rate=44100, channels=2, width=3)))
    with pytest.raises(AudioFormatError) as caught:
        info.check_matches(AudioFormat())
    text = str(caught.value)
    assert "bit depth 24 != 16" in text
    assert "sample rate 44100 != 16000" in text
    assert "channels 2 != 1" in text
    assert "encoding" not in text
    float_info = read_wav_header(io.BytesIO(wav_with(fmt_chunk(3, 1, 16000, 32), b"")))
    with pytest.raises(AudioFormatError, match="IEEE float != wav/pcm"):
        float_info.check_matches(AudioFormat("wav/pcm", 32, 16000, 1))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"RIFF\x00\x00\x00\x00AVI ", "not a RIFF/WAVE"),
        (b"RIF", "truncated"),
        (b"RIFF\x00\x00\x00\x00WAVEdata\x00\x00\x00\x00", "before the fmt chunk"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt \x04\x00\x00\x00abcd", "at least 16"),
        (b"RIFF\x00\x00\x00\x00WAVEjunk\xff\x00\x00\x00", "truncated"),
    ],
)
def test_malformed_headers_are_clear_errors(data: bytes, message: str) -> None:
    with pytest.raises(AudioFormatError, match=message):
        read_wav_header(io.BytesIO(data))


def test_a_format_gives_the_init_request_that_declares_it() -> None:
    from gladia_live_client import AudioFormat
    from gladia_live_client._validation import streaming_request

    request = AudioFormat(encoding="wav/ulaw", bit_depth=8, sample_rate=8000, channels=2).to_request()
    assert request == {"encoding": "wav/ulaw", "bit_depth": 8, "sample_rate": 8000, "channels": 2}
    assert AudioFormat.from_request(streaming_request(request)) == AudioFormat("wav/ulaw", 8, 8000, 2)
