"""End to end over loopback: with every client-side logger at DEBUG, the API key and WebSocket token never show."""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest

from gladia_live_client import GladiaError, GladiaLive

from ._live import record_sync

# The client's own stack. The server under test (uvicorn, gladia_live_client.testing) and the WebSocket
# helper of these tests (websockets) log URLs with the token: they are not the client.
CLIENT_LOGGERS = ("gladia_live_client.http", "gladia_live_client.lib", "httpx", "httpcore", "httpx_retries", "asyncio")


def test_the_key_and_token_stay_out_of_every_client_log_line(
    server: Any, gladia: GladiaLive, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    session = gladia.init_session({"encoding": "wav/pcm"})
    token = session.url.split("token=", 1)[1]
    assert token
    record_sync(session.url, b"\x00\x01" * 16000)
    server.faults.fail_next("get_job", status=503, retry_after=0.01)
    gladia.get_job(session.id)
    list(gladia.iter_jobs(limit=1))
    gladia.patch_job(session.id, {"a": 1})
    gladia.download_audio(session.id, io.BytesIO())
    gladia.delete_job(session.id)
    texts = []
    with GladiaLive(api_key="wrong-key", base_url=server.base_url) as wrong:
        for call in (lambda: gladia.get_job(session.id), lambda: wrong.get_job("y")):
            with pytest.raises(GladiaError) as info:
                call()
            texts += [str(info.value), repr(info.value)]

    client_records = [r for r in caplog.records if r.name.startswith(CLIENT_LOGGERS)]
    names = {r.name.split(".")[0] for r in client_records}
    assert {"gladia_live_client", "httpx", "httpcore"} <= names, "the capture saw the whole client stack"
    http_lines = [r.getMessage() for r in client_records if r.name == "gladia_live_client.http"]
    assert len(http_lines) == 9  # post, 503 + get, list, patch, file, delete, 404, 401
    everything = "\n".join([r.getMessage() for r in client_records] + texts + [repr(gladia), repr(session.id)])
    assert server.api_key not in everything
    assert token not in everything
