"""The retry policy applied to requests, over `httpx.MockTransport` (the end-to-end tests repeat it over sockets)."""

from __future__ import annotations

import httpx
import pytest

from gladia_live_client import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
)
from gladia_live_client._retries import RETRY_STATUSES

from ._mock import JOB, JOB_ID, Script, error

SESSION = {"id": JOB_ID, "created_at": "2024-01-01T00:00:00Z", "url": "wss://x/v2/live?token=t"}
# A fractional Retry-After keeps these tests quick and proves it is honoured instead of the backoff.
QUICK = {"retry-after": "0.01"}

pytestmark = pytest.mark.usefixtures("fast_backoff")


def transient(status: int) -> httpx.Response:
    return httpx.Response(status, headers=QUICK, json={"message": "try again"})


def test_retried_statuses_are_exactly_the_transient_ones() -> None:
    assert frozenset({408, 429, 500, 502, 503, 504}) == RETRY_STATUSES


@pytest.mark.parametrize("status", sorted(RETRY_STATUSES))
def test_get_is_retried_on_each_transient_status_and_succeeds(status: int) -> None:
    script = Script().then(transient(status), transient(status))
    with script.sync_client() as gladia:
        job = gladia.get_job(JOB_ID)
    assert str(job.id) == JOB_ID
    assert len(script.requests) == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413, 422, 501, 505])
def test_other_statuses_are_not_retried(status: int) -> None:
    script = Script(error(status))
    with script.sync_client() as gladia, pytest.raises(APIStatusError) as info:
        gladia.get_job(JOB_ID)
    assert info.value.status_code == status
    assert len(script.requests) == 1


def test_delete_and_patch_are_retried() -> None:
    script = Script().then(transient(503), httpx.Response(202), transient(502), httpx.Response(204))
    with script.sync_client() as gladia:
        gladia.delete_job(JOB_ID)
        gladia.patch_job(JOB_ID, {"note": "x"})
    assert [request.method for request in script.requests] == ["DELETE", "DELETE", "PATCH", "PATCH"]
    assert script.requests[2].content == script.requests[3].content == b'{"note":"x"}'


def test_connection_failures_of_a_get_are_retried_then_raised() -> None:
    script = Script(httpx.ConnectError("refused"))
    with script.sync_client(max_retries=3) as gladia, pytest.raises(APIConnectionError) as info:
        gladia.get_job(JOB_ID)
    assert len(script.requests) == 4
    assert isinstance(info.value.__cause__, httpx.ConnectError)

    script = Script().then(httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped"))
    with script.sync_client() as gladia:
        assert str(gladia.get_job(JOB_ID).id) == JOB_ID
    assert len(script.requests) == 3


def test_retries_are_counted_and_can_be_disabled() -> None:
    script = Script(transient(503))
    with script.sync_client(max_retries=4) as gladia, pytest.raises(InternalServerError):
        gladia.get_job(JOB_ID)
    assert len(script.requests) == 5

    script = Script(transient(503))
    with script.sync_client(max_retries=0) as gladia, pytest.raises(InternalServerError):
        gladia.get_job(JOB_ID)
    assert len(script.requests) == 1


@pytest.mark.parametrize(
    "failure",
    [
        error(500),
        error(502),
        error(503),
        error(504),
        error(408),
        httpx.ReadTimeout("no answer"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadError("reset"),
        httpx.WriteError("broken pipe"),
    ],
    ids=repr,
)
def test_a_post_that_may_have_created_a_session_is_never_retried(failure: httpx.Response | Exception) -> None:
    script = Script().then(failure).then(httpx.Response(201, json=SESSION))
    with script.sync_client(max_retries=5) as gladia, pytest.raises((APIStatusError, APIConnectionError)):
        gladia.init_session({"encoding": "wav/pcm"})
    assert len(script.requests) == 1


@pytest.mark.parametrize(
    "failure",
    [
        transient(429),
        httpx.ConnectError("[Errno 111] Connection refused"),
        httpx.ConnectTimeout("connect timed out"),
        httpx.PoolTimeout("no connection free"),
    ],
    ids=repr,
)
def test_a_post_that_cannot_have_created_a_session_is_retried(failure: httpx.Response | Exception) -> None:
    script = Script().then(failure, failure).then(httpx.Response(201, json=SESSION))
    with script.sync_client() as gladia:
        session = gladia.init_session({"encoding": "wav/pcm"})
    assert session.url == SESSION["url"]
    assert len(script.requests) == 3
    assert all(request.content == b'{"encoding":"wav/pcm"}' for request in script.requests)


def test_post_retries_stop_at_max_retries() -> None:
    script = Script(transient(429))
    with script.sync_client(max_retries=1) as gladia, pytest.raises(RateLimitError):
        gladia.init_session({})
    assert len(script.requests) == 2

    script = Script(httpx.ConnectTimeout("slow"))
    with script.sync_client(max_retries=0) as gladia, pytest.raises(APITimeoutError):
        gladia.init_session({})
    assert len(script.requests) == 1


async def test_async_client_applies_the_same_policy() -> None:
    script = Script().then(transient(503), httpx.ConnectError("refused")).then(httpx.Response(200, json=JOB))
    async with script.async_client() as gladia:
        await gladia.get_job(JOB_ID)
    assert len(script.requests) == 3

    script = Script().then(error(503)).then(httpx.Response(201, json=SESSION))
    async with script.async_client() as gladia:
        with pytest.raises(InternalServerError):
            await gladia.init_session({})
    assert len(script.requests) == 1

    script = Script().then(transient(429)).then(httpx.Response(201, json=SESSION))
    async with script.async_client() as gladia:
        await gladia.init_session({})
    assert len(script.requests) == 2


def test_a_stream_is_retried_before_its_body_is_read() -> None:
    script = Script().then(transient(503)).then(httpx.Response(200, content=b"RIFF....WAVE"))
    with script.sync_client() as gladia:
        assert b"".join(gladia.iter_audio(JOB_ID)) == b"RIFF....WAVE"
    assert len(script.requests) == 2


def test_not_found_after_a_retry_is_raised_as_not_found() -> None:
    script = Script().then(transient(502)).then(error(404, message="Job not found"))
    with script.sync_client() as gladia, pytest.raises(NotFoundError, match="Job not found"):
        gladia.delete_job(JOB_ID)
