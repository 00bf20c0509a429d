"""Tests of transcriber.py against the local Gladia server, with the package's pytest fixtures.

``gladia_server`` is a started `LocalGladiaServer` (stopped after the test) and ``chaos_proxy`` a factory of
TCP proxies that cut, stall or delay connections; both come with the package (a ``pytest11`` entry point).
Run them (from the repository root; needs the ``testing`` extra):

    python -m pytest examples/testing
"""

from __future__ import annotations

import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from transcriber import Transcriber

from gladia_live_client.testing import ChaosPlan, ChaosProxy, LocalGladiaServer

SPEECH = Path(__file__).resolve().parents[2] / "demo" / "speech.wav"


@pytest.fixture
def transcriber(gladia_server: LocalGladiaServer) -> Iterator[Transcriber]:
    service = Transcriber(api_key=gladia_server.api_key, base_url=gladia_server.base_url)
    yield service
    service.close()


def audio_of(path: Path) -> bytes:
    with wave.open(str(path), "rb") as wav:
        return wav.readframes(wav.getnframes())


def test_transcribes_a_file(transcriber: Transcriber, gladia_server: LocalGladiaServer) -> None:
    transcript = transcriber.transcribe(SPEECH)
    assert transcript.text  # the local server's stand-in recogniser "hears" its script's words
    assert gladia_server.sessions_created() == 1
    assert gladia_server.committed_audio(transcript.job_id) == audio_of(SPEECH)
    assert transcriber.finished_jobs() == [transcript.job_id]


def test_survives_a_rate_limit(transcriber: Transcriber, gladia_server: LocalGladiaServer) -> None:
    gladia_server.faults.fail_next("init_session", status=429, retry_after=0.1)
    assert transcriber.transcribe(SPEECH).text
    assert gladia_server.request_count("init_session") == 2


def test_loses_no_audio_when_the_live_connection_drops(
    transcriber: Transcriber, gladia_server: LocalGladiaServer
) -> None:
    gladia_server.faults.ws_drop_after(64_000)  # the first WebSocket connection dies after ~2 s of audio
    transcript = transcriber.transcribe(SPEECH)
    assert transcript.reconnections == 1
    assert gladia_server.websocket_connections(transcript.job_id) == 2
    assert gladia_server.committed_audio(transcript.job_id) == audio_of(SPEECH)


def test_lists_jobs_through_a_network_that_cuts_connections(
    gladia_server: LocalGladiaServer, chaos_proxy: Callable[..., ChaosProxy]
) -> None:
    host, port = gladia_server.base_url.removeprefix("http://").split(":")
    # The first connection through the proxy is reset after 50 bytes of the request, the second is slow.
    proxy = chaos_proxy(host, int(port), plans=[ChaosPlan.cut(after_bytes=50), ChaosPlan.delay(0.05)])
    service = Transcriber(api_key=gladia_server.api_key, base_url=proxy.url(gladia_server.base_url))
    try:
        assert service.finished_jobs() == []  # retried on a fresh connection
    finally:
        service.close()
    assert proxy.count("cut") == 1
