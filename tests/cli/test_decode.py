"""`gladia-live stream FILE` on any audio or video file: decoded by PyAV, committed sample for sample."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gladia_live_client import decode_audio
from tests._media import MEDIA, make_all
from tests.cli.conftest import ROOT, assert_one_line_error, clean_env, run_cli

SESSION_LINE = re.compile(r"^Session\s+([0-9a-f-]{36})$", re.MULTILINE)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_all(tmp_path_factory.mktemp("media"))


def _job_id(stdout: str) -> str:
    match = SESSION_LINE.search(stdout)
    assert match is not None, stdout
    return match.group(1)


@pytest.mark.parametrize("name", list(MEDIA))
def test_stream_decodes_any_file(server: Any, media: dict[str, Path], name: str) -> None:
    path = media[name]

    result = run_cli("stream", path, "--fast", server=server)

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    header = result.stdout.splitlines()[0]
    assert re.match(
        rf"Streaming {re.escape(str(path))} decoded from .+ by PyAV \(wav/pcm 16-bit 16000 Hz mono, 0\.6 s\)", header
    )
    assert server.committed_audio(_job_id(result.stdout)) == b"".join(decode_audio(path))


def test_stream_resamples_to_the_rate_and_channels_asked_for(server: Any, media: dict[str, Path]) -> None:
    path = media["tone.opus.ogg"]

    result = run_cli("stream", path, "--fast", "--sample-rate", "8000", "--channels", "2", server=server)

    assert result.returncode == 0, result.stderr
    job_id = _job_id(result.stdout)
    assert server.committed_audio(job_id) == b"".join(decode_audio(path, sample_rate=8000, channels=2))
    params = server.job(job_id)["request_params"]
    assert (params["sample_rate"], params["channels"], params["bit_depth"]) == (8000, 2, 16)


def test_decoded_audio_is_16_bit_pcm(server: Any, media: dict[str, Path]) -> None:
    result = run_cli("stream", media["tone.mp3"], "--bit-depth", "8", server=server)
    assert_one_line_error(result, "tone.mp3", "16-bit PCM", "drop --encoding and --bit-depth")


def test_a_file_that_is_neither_wav_nor_media(server: Any, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not audio\n", encoding="utf-8")
    result = run_cli("stream", notes, server=server)
    assert_one_line_error(result, "notes.txt: not a WAV file, and PyAV cannot decode it")


def test_without_the_decode_extra_the_error_says_what_to_install(server: Any, media: dict[str, Path]) -> None:
    before = server.sessions_created()
    code = (
        "import sys; sys.modules['av'] = None; "  # `import av` fails as if PyAV were not installed
        "from gladia_live_client.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    env = clean_env(GLADIA_API_URL=server.base_url, GLADIA_API_KEY=server.api_key)
    result = subprocess.run(
        [sys.executable, "-c", code, "stream", str(media["tone.m4a"])],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    line = assert_one_line_error(result, "tone.m4a is not a WAV file")
    assert "pip install 'gladia-live-client[decode]'" in line
    assert server.sessions_created() == before
