"""One DEBUG line per HTTP attempt, and the API key nowhere: logs, repr, str, exception messages."""

from __future__ import annotations

import io
import logging
import re

import httpx
import pytest

from gladia_live_client import APIConnectionError, GladiaError, NotFoundError

from ._mock import JOB, JOB_ID, SECRET, Script, error

WS_TOKEN = "ws-token-7c1e9d2a"
SESSION = {"id": JOB_ID, "created_at": "2024-01-01T00:00:00Z", "url": f"wss://api.gladia.io/v2/live?token={WS_TOKEN}"}
LINE = re.compile(
    r"HTTP (?P<method>[A-Z]+) (?P<path>\S+) -> (?P<status>\S+) (in|after) (?P<ms>[0-9.]+) ms "
    r"\(request_id=(?P<request_id>\S+), attempt=(?P<attempt>\d+)\)"
)

pytestmark = pytest.mark.usefixtures("fast_backoff")


def http_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, str]]:
    lines = []
    for record in caplog.records:
        if record.name == "gladia_live_client.http":
            assert record.levelno == logging.DEBUG
            match = LINE.fullmatch(record.getMessage())
            assert match, record.getMessage()
            lines.append(match.groupdict())
    return lines


def test_one_line_per_attempt_with_method_path_status_request_id_and_attempt(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    script = Script().then(
        httpx.Response(503, headers={"retry-after": "0"}, json={"request_id": "G-00000001", "message": "busy"}),
        httpx.Response(200, json=JOB, headers={"x-request-id": "G-00000002"}),
        error(404, request_id="G-00000003"),
    )
    with script.sync_client() as gladia:
        gladia.get_job(JOB_ID)
        with pytest.raises(NotFoundError):
            gladia.list_jobs(custom_metadata={"user": "John"})
    lines = http_lines(caplog)
    assert [(line["method"], line["path"], line["status"], line["request_id"], line["attempt"]) for line in lines] == [
        ("GET", f"/v2/live/{JOB_ID}", "503", "G-00000001", "1"),
        ("GET", f"/v2/live/{JOB_ID}", "200", "G-00000002", "2"),
        ("GET", "/v2/live", "404", "G-00000003", "1"),  # the path only: the query string is left out
    ]
    assert all(float(line["ms"]) >= 0 for line in lines)


def test_transport_failures_are_logged_too(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="gladia_live_client")
    script = Script(httpx.ConnectError("refused"))
    with script.sync_client(max_retries=1) as gladia, pytest.raises(APIConnectionError):
        gladia.delete_job(JOB_ID)
    lines = http_lines(caplog)
    assert [(line["method"], line["status"], line["attempt"]) for line in lines] == [
        ("DELETE", "ConnectError", "1"),
        ("DELETE", "ConnectError", "2"),
    ]


def test_nothing_is_logged_above_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="gladia_live_client")
    with Script().sync_client() as gladia:
        gladia.get_job(JOB_ID)
    assert [r for r in caplog.records if r.name.startswith("gladia_live_client")] == []


async def test_the_key_and_the_websocket_token_never_show(caplog: pytest.LogCaptureFixture) -> None:
    """Every logger at DEBUG (ours, httpx, httpcore, httpx-retries, asyncio) over every method and failure."""
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []

    def collect(exc: BaseException) -> None:
        texts.extend([str(exc), repr(exc), str(exc.args)])

    script = Script().then(
        httpx.Response(201, json=SESSION),
        httpx.Response(503, headers={"retry-after": "0"}, text="busy"),
        httpx.Response(200, json=JOB),
        error(401, message="gladia user not found"),
        httpx.ConnectError("refused"),
        httpx.ConnectError("refused"),
        httpx.ConnectError("refused"),
        httpx.Response(200, content=b"RIFF"),
    )
    with script.sync_client() as gladia:
        texts += [repr(gladia), str(gladia), str(vars(gladia))]
        session = gladia.init_session({"encoding": "wav/pcm"})
        gladia.get_job(session.id)
        for call in (lambda: gladia.delete_job(JOB_ID), lambda: gladia.get_job(JOB_ID)):
            with pytest.raises(GladiaError) as info:
                call()
            collect(info.value)
        gladia.download_audio(JOB_ID, io.BytesIO())

    script = Script().then(error(403, message="nope"), httpx.ReadTimeout("slow"))
    async with script.async_client(max_retries=0) as agladia:
        texts += [repr(agladia), str(vars(agladia))]
        for acall in (agladia.delete_job(JOB_ID), agladia.patch_job(JOB_ID, {"a": 1})):
            with pytest.raises(GladiaError) as ainfo:
                await acall
            collect(ainfo.value)

    assert len(http_lines(caplog)) == 10  # 8 sync attempts (one retried 503, three connect errors), 2 async
    assert sum(1 for r in caplog.records if r.name.startswith(("httpx", "httpcore", "httpx_retries"))) > 0
    everything = "\n".join(texts + [record.getMessage() for record in caplog.records] + [caplog.text])
    assert SECRET not in everything
    assert WS_TOKEN not in everything
    # The requests did carry the key: the assertion above would catch a leak.
    assert all(request.headers["x-gladia-key"] == SECRET for request in script.requests)
