"""`gladia-live stream -`: audio piped into the command, raw with its format from flags, or a WAV stream."""

from __future__ import annotations

import io
import re
import subprocess
import wave
from typing import Any

from tests.cli.conftest import CLI, ROOT, SENTENCE, SPEECH, assert_one_line_error, clean_env, wav_audio

SESSION_LINE = re.compile(r"^Session\s+([0-9a-f-]{36})$", re.MULTILINE)


def _pipe(server: Any, data: bytes, *args: str) -> subprocess.CompletedProcess[str]:
    env = clean_env(GLADIA_API_URL=server.base_url, GLADIA_API_KEY=server.api_key)
    result = subprocess.run(
        [*CLI, "stream", "-", *args], input=data, cwd=ROOT, env=env, capture_output=True, timeout=120, check=False
    )
    return subprocess.CompletedProcess(result.args, result.returncode, result.stdout.decode(), result.stderr.decode())


def _job_id(stdout: str) -> str:
    match = SESSION_LINE.search(stdout)
    assert match is not None, stdout
    return match.group(1)


def test_raw_pcm_on_stdin_in_the_default_format(server: Any) -> None:
    audio = wav_audio(SPEECH)

    result = _pipe(server, audio, "--fast")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Streaming standard input (wav/pcm 16-bit 16000 Hz mono) as fast as acknowledged")
    job_id = _job_id(result.stdout)
    assert server.committed_audio(job_id) == audio
    assert server.job(job_id)["result"]["transcription"]["full_transcript"] == SENTENCE
    assert f"({len(audio):,} bytes)" in result.stdout  # the total was not known in advance


def test_raw_audio_format_from_the_flags(server: Any) -> None:
    audio = bytes(range(256)) * 125  # 8 kHz stereo mu-law: 2 s

    result = _pipe(server, audio, "--fast", "--encoding", "wav/ulaw", "--sample-rate", "8000", "--channels", "2")

    assert result.returncode == 0, result.stderr
    job_id = _job_id(result.stdout)
    assert server.committed_audio(job_id) == audio
    params = server.job(job_id)["request_params"]
    assert (params["encoding"], params["bit_depth"], params["sample_rate"], params["channels"]) == (
        "wav/ulaw",
        8,
        8000,
        2,
    )


def test_a_wav_stream_on_stdin_gives_its_own_format(server: Any) -> None:
    buffer = io.BytesIO()
    frames = bytes(range(256)) * 96  # 24-bit stereo at 32 kHz: 4096 frames
    with wave.open(buffer, "wb") as file:
        file.setnchannels(2)
        file.setsampwidth(3)
        file.setframerate(32000)
        file.writeframes(frames)

    result = _pipe(server, buffer.getvalue() + b"trailing bytes are not audio", "--fast")

    assert result.returncode == 0, result.stderr
    assert "Streaming standard input (wav/pcm 24-bit 32000 Hz stereo, 0.1 s)" in result.stdout
    job_id = _job_id(result.stdout)
    assert server.committed_audio(job_id) == frames


def test_the_whole_demo_wav_piped_in(server: Any) -> None:
    result = _pipe(server, SPEECH.read_bytes(), "--fast")
    assert result.returncode == 0, result.stderr
    assert server.committed_audio(_job_id(result.stdout)) == wav_audio(SPEECH)


def test_format_flags_with_a_wav_stream_are_refused(server: Any) -> None:
    before = server.sessions_created()
    result = _pipe(server, SPEECH.read_bytes(), "--sample-rate", "8000")
    assert_one_line_error(result, "standard input is a WAV stream", "drop --sample-rate")
    assert server.sessions_created() == before


def test_a_format_gladia_does_not_take_is_refused_before_any_session(server: Any) -> None:
    before = server.sessions_created()
    result = _pipe(server, bytes(3200), "--sample-rate", "22050")
    assert_one_line_error(result, "standard input", "sample rate 22050 Hz")
    bad_depth = _pipe(server, bytes(3200), "--bit-depth", "12")
    assert_one_line_error(bad_depth, "bit_depth must be a positive multiple of 8, got 12")
    assert server.sessions_created() == before


def test_empty_stdin_is_an_empty_recording(server: Any) -> None:
    result = _pipe(server, b"", "--fast")
    assert result.returncode == 0, result.stderr
    assert server.committed_audio(_job_id(result.stdout)) == b""
