"""Fixtures of the command-line tests: a local server in this process, and `gladia-live` run as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rich  # noqa: F401  (the cli extra: installed by requirements/dev.txt, so a missing one fails here)

from gladia_live_client import GladiaLive, testing
from tests.conftest import ROOT

SERVER_KEY = "cli-test-key-8c41f0d2e7"
SPEECH = ROOT / "demo" / "speech.wav"
SENTENCE = (ROOT / "demo" / "speech.txt").read_text(encoding="utf-8").strip()
CLI = [sys.executable, "-m", "gladia_live_client.cli"]
# Variables that would make rich draw colours or a terminal UI into a pipe.
_STYLE_VARIABLES = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS", "LINES", "CLICOLOR_FORCE")


def clean_env(**overrides: str) -> dict[str, str]:
    """The environment of a subprocess: no Gladia settings and no forced styling, plus `overrides`."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in _STYLE_VARIABLES and not name.startswith("GLADIA_")
    }
    env.update(overrides)
    return env


def run_cli(
    *args: str | Path, server: Any = None, key: str | None = None, cwd: Path = ROOT, **env: str
) -> subprocess.CompletedProcess[str]:
    """`gladia-live ARGS` as a subprocess, pointed at `server` (with its key, or `key`) through the environment."""
    settings = dict(env)
    if server is not None:
        settings["GLADIA_API_URL"] = server.base_url
        settings["GLADIA_API_KEY"] = key if key is not None else server.api_key
    return subprocess.run(
        [*CLI, *map(str, args)],
        cwd=cwd,
        env=clean_env(**settings),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    """An expected failure: exit status 1, exactly one line on stderr starting with "error:", no traceback."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def wav_audio(path: Path) -> bytes:
    with wave.open(str(path), "rb") as file:
        return file.readframes(file.getnframes())


def write_wav(path: Path, *, rate: int = 16000, width: int = 2, channels: int = 1, seconds: float = 0.5) -> Path:
    with wave.open(str(path), "wb") as file:
        file.setnchannels(channels)
        file.setsampwidth(width)
        file.setframerate(rate)
        file.writeframes(bytes(int(rate * seconds) * width * channels))
    return path


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    """A local server for the module, with a fixed key and the demo sentence as its script."""
    with testing.LocalGladiaServer(api_key=SERVER_KEY, transcript_script=[SENTENCE]) as running:
        yield running


@pytest.fixture(autouse=True)
def _no_leftover_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "server" in request.fixturenames:
        request.getfixturevalue("server").faults.clear()


@pytest.fixture
def gladia(server: Any) -> Iterator[GladiaLive]:
    with GladiaLive(api_key=server.api_key, base_url=server.base_url, timeout=30) as client:
        yield client


@pytest.fixture
def closed_port_url() -> str:
    """A base URL nothing listens on: a port bound and released (the network is 'down')."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
