"""Opening audio files (WAV or raw) and real-time pacing."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import pytest

from gladia_live_client import AudioFormat, AudioFormatError, InvalidRequestError
from gladia_live_client._live._sources import Pacer, open_audio_file


def wav(frames: bytes, rate: int = 16000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(frames)
    return out.getvalue()


def test_a_wav_yields_only_its_data_chunk(tmp_path: Path) -> None:
    audio = bytes(range(256)) * 10
    path = tmp_path / "a.wav"
    path.write_bytes(wav(audio) + b"LIST\x04\x00\x00\x00meta")  # trailing metadata is not audio
    opened = open_audio_file(path, AudioFormat())
    try:
        assert opened.is_wav
        assert b"".join(opened.blocks(100)) == audio
    finally:
        opened.close()


def test_raw_files_and_file_objects_pass_through_and_stay_open() -> None:
    stream = io.BytesIO(b"\x01\x02\x03\x04")
    opened = open_audio_file(stream, AudioFormat())
    assert not opened.is_wav
    assert b"".join(opened.blocks()) == b"\x01\x02\x03\x04"
    opened.close()
    assert not stream.closed  # the caller's file object is the caller's to close
    riff_as_raw = open_audio_file(io.BytesIO(wav(b"\x00\x00")), AudioFormat(), "raw")
    assert b"".join(riff_as_raw.blocks()).startswith(b"RIFF")


def test_wav_required_but_absent_and_truncated_data_are_errors() -> None:
    with pytest.raises(AudioFormatError, match="not a WAV file"):
        open_audio_file(io.BytesIO(b"\x00" * 64), AudioFormat(), "wav")
    truncated = open_audio_file(io.BytesIO(wav(bytes(1000))[:-100]), AudioFormat())
    with pytest.raises(AudioFormatError, match="ends 100 bytes before its data chunk does"):
        b"".join(truncated.blocks())
    with pytest.raises(InvalidRequestError, match=r"kind=\.\.\.\) must be 'auto', 'wav', 'raw' or 'decode'"):
        open_audio_file(io.BytesIO(b""), AudioFormat(), "mp3")  # type: ignore[arg-type]


def test_pacing_follows_the_audio_clock_without_drift() -> None:
    pacer = Pacer(bytes_per_second=32_000, start=100.0)
    assert pacer.delay(3200, now=100.0) == pytest.approx(0.1)
    assert pacer.delay(3200, now=100.25) == 0.0  # late: send at once
    assert pacer.delay(64_000, now=101.5) == pytest.approx(0.5)  # measured from the start, not the last send
