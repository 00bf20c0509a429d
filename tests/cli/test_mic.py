"""`gladia-live mic` and `microphone()`: audio captured from real capture paths, through a local server.

Two capture devices every machine with the `mic` extra has, no sound card needed: ALSA's ``null`` PCM (a
capture device of the system's libasound that gives silence as fast as it is read) and miniaudio's ``null``
backend (silence paced in real time, like a microphone).
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from typing import Any

import pytest

from gladia_live_client import MicrophoneError, MicrophoneNotInstalledError, list_microphones, microphone
from tests._signals import interruptible
from tests.cli.conftest import CLI, ROOT, assert_one_line_error, clean_env, run_cli
from tests.cli.test_stream import run_on_a_terminal, written_lines

SESSION_LINE = re.compile(r"^Session\s+([0-9a-f-]{36})$", re.MULTILINE)


def _alsa_null() -> int | None:
    """The index of ALSA's null capture device, when the system's audio is ALSA and has it."""
    try:
        devices = list_microphones(backend="alsa")
    except MicrophoneError:
        return None
    return next((device.index for device in devices if "zero samples" in device.name), None)


ALSA_NULL = _alsa_null()
needs_alsa = pytest.mark.skipif(ALSA_NULL is None, reason="no ALSA null capture device on this system")


def _job_id(stdout: str) -> str:
    match = SESSION_LINE.search(stdout)
    assert match is not None, stdout
    return match.group(1)


@needs_alsa
def test_mic_records_three_seconds_from_a_device(server: Any) -> None:
    result = run_cli("mic", "--backend", "alsa", "--device", str(ALSA_NULL), "--seconds", "3", server=server)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Streaming microphone {ALSA_NULL} (wav/pcm 16-bit 16000 Hz mono, 3.0 s) live")
    assert server.committed_audio(_job_id(result.stdout)) == bytes(3 * 16000 * 2)  # 3 s of silence, exactly
    assert re.search(r"^Audio\s+3\.0 s acknowledged \(96,000 of 96,000 bytes\)$", result.stdout, re.MULTILINE)


def test_mic_on_a_real_time_device_at_another_format(server: Any) -> None:
    result = run_cli(
        "mic", "--backend", "null", "--seconds", "1", "--sample-rate", "8000", "--channels", "2", server=server
    )

    assert result.returncode == 0, result.stderr
    job_id = _job_id(result.stdout)
    assert server.committed_audio(job_id) == bytes(8000 * 2 * 2)
    params = server.job(job_id)["request_params"]
    assert (params["sample_rate"], params["channels"]) == (8000, 2)


def test_list_devices() -> None:
    result = run_cli("mic", "--list-devices", "--backend", "null")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "0  NULL Capture Device  (Null)\n"


def test_ctrl_c_ends_a_mic_recording_with_its_final_transcripts(server: Any) -> None:
    env = clean_env(GLADIA_API_URL=server.base_url, GLADIA_API_KEY=server.api_key, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [*CLI, "mic", "--backend", "null"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **interruptible(),
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Streaming the default microphone (wav/pcm 16-bit 16000 Hz mono) live"), first
        job_id = first.rsplit(" ", 1)[-1].strip()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err  # Ctrl-C is how a microphone recording ends
    assert "stopping the recording" in err
    assert re.search(r"^Stopped\s+by Ctrl-C", out, re.MULTILINE)
    assert server.job(job_id)["status"] == "done"
    assert len(server.committed_audio(job_id)) % 2 == 0


def test_unknown_device_and_backend_are_one_line(server: Any) -> None:
    before = server.sessions_created()
    device = run_cli("mic", "--backend", "null", "--device", "no such mic", server=server)
    assert_one_line_error(device, "no single capture device matches 'no such mic'", "0: NULL Capture Device")
    backend = run_cli("mic", "--backend", "bluetooth", server=server)
    assert_one_line_error(backend, "unknown audio backend 'bluetooth'", "null")
    assert server.sessions_created() == before


def test_without_the_mic_extra_the_error_says_what_to_install(server: Any) -> None:
    code = "import sys; sys.modules['miniaudio'] = None; from gladia_live_client.cli import main; sys.exit(main())"
    env = clean_env(GLADIA_API_URL=server.base_url, GLADIA_API_KEY=server.api_key)
    result = subprocess.run(
        [sys.executable, "-c", code, "mic", "--seconds", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert_one_line_error(result, "pip install 'gladia-live-client[mic]'")


def test_the_library_helper_feeds_a_session(server: Any) -> None:
    from gladia_live_client import GladiaLive

    request = {"encoding": "wav/pcm", "bit_depth": 16, "sample_rate": 16000, "channels": 1}
    with GladiaLive(api_key=server.api_key, base_url=server.base_url) as gladia, gladia.live(request) as session:
        sent = session.send_stream(microphone(backend="null", seconds=0.5))
        session.stop_recording()
        list(session)
    assert sent == 16000
    assert server.committed_audio(str(session.session_id)) == bytes(16000)


def test_the_library_helper_without_miniaudio(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "miniaudio", None)
    with pytest.raises(MicrophoneNotInstalledError, match=r"\[mic\]"):
        microphone()


@needs_alsa
def test_a_default_device_that_cannot_be_opened_is_one_line(server: Any) -> None:
    # Without a sound card, ALSA's default capture device cannot be opened (libasound says so on stderr at
    # length); with one, a short recording succeeds. Either way, no session is left half-made and stderr is clean.
    before = server.sessions_created()
    result = run_cli("mic", "--backend", "alsa", "--seconds", "0.2", server=server)
    if result.returncode == 0:
        assert server.sessions_created() == before + 1
        return
    assert_one_line_error(result, "cannot open the default capture device", "list the devices")
    assert server.sessions_created() == before


def test_on_a_narrow_terminal_a_recording_shows_one_progress_bar_within_the_width(server: Any) -> None:
    text = run_on_a_terminal(server, 60, "mic", "--backend", "null", "--seconds", "1")

    lines = written_lines(text)
    assert max(len(line) for line in lines) <= 60, [line for line in lines if len(line) > 60]
    job_id = _job_id("\n".join(line.rstrip() for line in lines))
    assert sum(job_id in line for line in lines) == 2  # whole, on one line, in the header and in the summary
    bars = [line for line in lines if "━" in line]
    assert bars
    assert all(line.startswith("audio ") for line in bars), bars
    assert re.fullmatch(r"audio ━+ 1\.0 / 1\.0 s *", bars[-1]), bars[-1]
