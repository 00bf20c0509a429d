"""Every script of examples/ runs against a local server and does what its docstring says.

Each runs as a subprocess (as a user would run it), with ``GLADIA_API_URL`` / ``GLADIA_API_KEY`` pointing at a
`LocalGladiaServer` started by the test, and within a deadline.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets.sync.client

from gladia_live_client import GladiaLive
from gladia_live_client.testing import LocalGladiaServer
from tests.conftest import ROOT
from tests.docs._snippets import private_imports

EXAMPLES = ROOT / "examples"
SPEECH = ROOT / "demo" / "speech.wav"
SENTENCE = (ROOT / "demo" / "speech.txt").read_text(encoding="utf-8").split()
TIMEOUT = 60


@pytest.fixture
def server() -> Iterator[LocalGladiaServer]:
    with LocalGladiaServer(transcript_script=SENTENCE) as server:
        yield server


def environment(server: LocalGladiaServer) -> dict[str, str]:
    return {**os.environ, "GLADIA_API_URL": server.base_url, "GLADIA_API_KEY": server.api_key}


def run(server: LocalGladiaServer, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=environment(server),
        cwd=ROOT,
    )


def speech_audio() -> bytes:
    with wave.open(str(SPEECH), "rb") as wav:
        return wav.readframes(wav.getnframes())


def test_every_example_is_documented_and_uses_the_public_api_only() -> None:
    scripts = sorted(EXAMPLES.rglob("*.py"))
    assert {p.relative_to(EXAMPLES).as_posix() for p in scripts} == {
        "concurrent_sessions.py",
        "microphone.py",
        "stream_file.py",
        "testing/test_transcriber.py",
        "testing/transcriber.py",
        "web_relay.py",
    }
    for script in scripts:
        source = script.read_text(encoding="utf-8")
        docstring = ast.get_docstring(ast.parse(source))
        assert docstring, f"{script} has no docstring"
        assert "Run it" in docstring or "pytest" in docstring, f"{script} does not say how to run it"
        assert private_imports(source) == [], script
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for script in scripts:
        assert script.relative_to(EXAMPLES).as_posix() in readme


def test_stream_file_prints_the_final_transcripts(server: LocalGladiaServer) -> None:
    done = run(server, EXAMPLES / "stream_file.py", SPEECH)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # "[  0.06s] Hello" ...: the recogniser "hears" the sentence of demo/speech.txt, in order.
    assert " ".join(line.split("] ", 1)[1] for line in lines[:-1]).startswith(" ".join(SENTENCE))
    session_id = lines[-1].split()[1].rstrip(":")
    assert lines[-1] == f"session {session_id}: {len(speech_audio())} bytes acknowledged, 0 reconnections"
    assert server.committed_audio(session_id) == speech_audio()
    assert done.stderr == ""


def test_stream_file_fails_with_one_line_on_a_file_that_is_not_wav(server: LocalGladiaServer) -> None:
    done = run(server, EXAMPLES / "stream_file.py", ROOT / "README.md")
    assert done.returncode == 1
    assert done.stderr.startswith("error: not a RIFF/WAVE file")
    assert server.sessions_created() == 0


def test_microphone_records_one_second_from_a_real_time_device(server: LocalGladiaServer) -> None:
    # miniaudio's null backend: a capture device any machine has, giving silence paced in real time.
    done = run(server, EXAMPLES / "microphone.py", "--backend", "null", "--seconds", "1")
    assert done.returncode == 0, done.stderr
    last = done.stdout.splitlines()[-1]
    session_id = last.split()[1].rstrip(":")
    assert last == f"session {session_id}: 32000 bytes acknowledged, 0 reconnections"
    assert server.committed_audio(session_id) == bytes(16000 * 2)  # 1 s of 16-bit 16 kHz mono silence, exactly
    assert server.job(session_id)["status"] == "done"
    assert done.stderr == f"recording 1 s into session {session_id}\n"


def test_microphone_lists_the_devices(server: LocalGladiaServer) -> None:
    done = run(server, EXAMPLES / "microphone.py", "--list-devices", "--backend", "null")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("0  ")
    assert server.sessions_created() == 0


def test_microphone_fails_with_one_line_on_an_unknown_device(server: LocalGladiaServer) -> None:
    done = run(server, EXAMPLES / "microphone.py", "--backend", "null", "--device", "no such device", "--seconds", "1")
    assert done.returncode == 1
    assert done.stderr.startswith("error: ")
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert server.sessions_created() == 0


def test_concurrent_sessions_checks_twenty_sessions(server: LocalGladiaServer) -> None:
    done = run(server, EXAMPLES / "concurrent_sessions.py", SPEECH, "--sessions", "20")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1].startswith("20 of 20 sessions complete in ")
    assert len(lines) == 21
    assert all(": " + " ".join(SENTENCE) in line for line in lines[:-1])
    assert server.sessions_created() == 20
    audio = speech_audio()
    session_ids = {line.split("(", 1)[1].split(")", 1)[0] for line in lines[:-1]}
    assert len(session_ids) == 20
    assert all(server.committed_audio(session_id) == audio for session_id in session_ids)


def test_concurrent_sessions_reports_failed_sessions(server: LocalGladiaServer) -> None:
    server.faults.ws_refuse_handshake(count=2)
    done = run(server, EXAMPLES / "concurrent_sessions.py", SPEECH, "--sessions", "5")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[-1].startswith("3 of 5 sessions complete in ")
    assert sum("error: LiveHandshakeRejected" in line for line in lines) == 2


@pytest.fixture
def relay(server: LocalGladiaServer) -> Iterator[str]:
    """examples/web_relay.py running against `server`; yields its base URL."""
    process = subprocess.Popen(
        [sys.executable, str(EXAMPLES / "web_relay.py"), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(server),
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # the script binds before printing: the URL is already listening
        assert first.startswith("serving on http://127.0.0.1:"), first + (
            process.stderr.read() if process.stderr else ""
        )
        yield first.split()[-1]
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def test_web_relay_relays_a_browsers_audio_and_sends_transcripts_back(relay: str, server: LocalGladiaServer) -> None:
    audio = speech_audio()
    messages = []
    with websockets.sync.client.connect(relay.replace("http", "ws", 1) + "/listen", open_timeout=10) as browser:
        for start in range(0, len(audio), 4096):  # 128 ms of audio per frame, as a ScriptProcessor sends
            browser.send(audio[start : start + 4096])
        browser.send("stop")
        while True:
            message = json.loads(browser.recv(timeout=TIMEOUT))
            messages.append(message)
            if message["type"] != "transcript":
                break
    assert messages[-1]["type"] == "done", messages[-1]
    finals = [m["text"] for m in messages if m["type"] == "transcript" and m["final"]]
    assert " ".join(finals).startswith(" ".join(SENTENCE))
    assert any(not m["final"] for m in messages if m["type"] == "transcript")  # partials too
    assert server.committed_audio(messages[-1]["session_id"]) == audio
    assert server.job(messages[-1]["session_id"])["status"] == "done"


def test_web_relay_ends_the_session_when_the_browser_leaves(relay: str, server: LocalGladiaServer) -> None:
    audio = speech_audio()[:64_000]  # 2 s, then the tab is closed
    with websockets.sync.client.connect(relay.replace("http", "ws", 1) + "/listen", open_timeout=10) as browser:
        browser.send(audio)
    # No job is left open: the relay stopped the recording, so the job finishes with the audio it got
    # (rather than at the server's idle timeout, 30 s later).
    with GladiaLive(api_key=server.api_key, base_url=server.base_url) as gladia:
        deadline = time.monotonic() + 20
        while not (jobs := gladia.list_jobs().items) or jobs[0].status != "done":
            assert time.monotonic() < deadline, jobs
            time.sleep(0.05)
    assert len(jobs) == 1
    assert server.committed_audio(str(jobs[0].id)) == audio


def test_web_relay_serves_its_page(relay: str) -> None:
    page = httpx.get(relay + "/", timeout=10)
    assert page.status_code == 200
    assert "getUserMedia" in page.text
    assert "/listen" in page.text


def test_the_testing_example_passes_with_the_packages_fixtures() -> None:
    # Only the plugins it needs, the package's loaded by its entry point's name (the suite's others, such as
    # schemathesis, cost seconds to import); `python -m pytest examples/testing` loads them all and passes too.
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    plugins = ["-p", "gladia_live_client", "-p", "pytest_asyncio.plugin", "-p", "no:cacheprovider"]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *plugins, str(EXAMPLES / "testing")],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith("4 passed in ")
