"""End to end over loopback: transient faults of the local server are retried, POST sessions never duplicated."""

from __future__ import annotations

import logging
import socket
import time
from typing import Any

import pytest

from gladia_live_client import (
    APIConnectionError,
    APITimeoutError,
    AsyncGladiaLive,
    GladiaLive,
    InternalServerError,
    RateLimitError,
)

from ._live import record_sync

pytestmark = pytest.mark.usefixtures("fast_backoff")


def done_job(gladia: GladiaLive, audio: bytes = b"\x00\x01" * 8000) -> str:
    session = gladia.init_session({"encoding": "wav/pcm", "sample_rate": 16000, "bit_depth": 16, "channels": 1})
    assert record_sync(session.url, audio) == 1000
    return str(session.id)


def test_transient_faults_of_every_idempotent_operation_are_retried_and_succeed(
    server: Any, gladia: GladiaLive
) -> None:
    job_id = done_job(gladia)
    for operation in ("get_job", "list_jobs", "get_audio", "patch_job", "delete_job"):
        server.faults.fail_next(operation, status=503, count=1, retry_after=0.01)
        server.faults.reset_next(operation)  # then a connection closed without an answer
    assert str(gladia.get_job(job_id).id) == job_id
    assert [str(job.id) for job in gladia.list_jobs().items] == [job_id]
    assert b"".join(gladia.iter_audio(job_id)).startswith(b"RIFF")
    gladia.patch_job(job_id, {"attempt": "retried"})
    assert server.job(job_id)["post_session_metadata"] == {"attempt": "retried"}
    gladia.delete_job(job_id)
    for operation in ("get_job", "list_jobs", "get_audio", "patch_job", "delete_job"):
        assert server.request_count(operation) == 3, operation


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_each_transient_status_is_retried(server: Any, gladia: GladiaLive, status: int) -> None:
    server.faults.fail_next("list_jobs", status=status, count=2, retry_after=0.01)
    assert gladia.list_jobs().items == []
    assert server.request_count("list_jobs") == 3


def test_retries_give_up_after_max_retries(server: Any) -> None:
    server.faults.fail_next("get_job", status=503, count=10, retry_after=0.01)
    with (
        GladiaLive(api_key=server.api_key, base_url=server.base_url, max_retries=3) as gladia,
        pytest.raises(InternalServerError),
    ):
        gladia.get_job("x")
    assert server.request_count("get_job") == 4
    with (
        GladiaLive(api_key=server.api_key, base_url=server.base_url, max_retries=0) as gladia,
        pytest.raises(InternalServerError),
    ):
        gladia.get_job("x")
    assert server.request_count("get_job") == 5


@pytest.mark.parametrize(("status", "retry_after"), [(429, 1.0), (503, 0.6)])
def test_the_measured_delay_honours_retry_after(
    server: Any, gladia: GladiaLive, status: int, retry_after: float
) -> None:
    server.faults.fail_next("list_jobs", status=status, retry_after=retry_after)
    started = time.monotonic()
    gladia.list_jobs()
    elapsed = time.monotonic() - started
    assert server.request_count("list_jobs") == 2
    assert elapsed >= retry_after  # a lower bound only: a loaded machine may be slower, never faster


def test_post_hit_by_a_server_error_is_not_duplicated(server: Any, gladia: GladiaLive) -> None:
    server.faults.fail_next("init_session", status=503, retry_after=0.01)
    with pytest.raises(InternalServerError):
        gladia.init_session({"encoding": "wav/pcm"})
    assert server.request_count("init_session") == 1
    assert server.sessions_created() == 0


def test_post_whose_connection_drops_is_not_duplicated(server: Any, gladia: GladiaLive) -> None:
    server.faults.reset_next("init_session")
    with pytest.raises(APIConnectionError):
        gladia.init_session({"encoding": "wav/pcm"})
    assert server.request_count("init_session") == 1
    assert server.sessions_created() == 0


def test_post_that_times_out_after_sending_is_not_duplicated(server: Any) -> None:
    # The server creates the session after the delay, when the client has given up: a retry would make two.
    server.faults.delay_next("init_session", 1.0)
    with (
        GladiaLive(api_key=server.api_key, base_url=server.base_url, timeout=0.3) as gladia,
        pytest.raises(APITimeoutError),
    ):
        gladia.init_session({"encoding": "wav/pcm"})
    assert server.request_count("init_session") == 1


def test_post_rate_limited_is_retried_and_creates_exactly_one_session(server: Any, gladia: GladiaLive) -> None:
    server.faults.fail_next("init_session", status=429, count=2, retry_after=0.01)
    session = gladia.init_session({"encoding": "wav/pcm"})
    assert server.request_count("init_session") == 3
    assert server.sessions_created() == 1
    assert server.job(str(session.id))["id"] == str(session.id)

    server.faults.fail_next("init_session", status=429, count=5, retry_after=0.01)
    with pytest.raises(RateLimitError):
        gladia.init_session({"encoding": "wav/pcm"})
    assert server.sessions_created() == 1


def test_post_to_a_refused_connection_is_retried(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    caplog.set_level(logging.DEBUG, logger="gladia_live_client.http")
    with (
        GladiaLive(api_key="k", base_url=f"http://127.0.0.1:{port}", max_retries=2) as gladia,
        pytest.raises(APIConnectionError) as info,
    ):
        gladia.init_session({"encoding": "wav/pcm"})
    assert "ConnectError" in str(info.value)
    attempts = [r.getMessage() for r in caplog.records if r.name == "gladia_live_client.http"]
    assert len(attempts) == 3
    assert all("POST /v2/live -> ConnectError" in line for line in attempts)


async def test_async_client_retries_and_never_duplicates(server: Any, agladia: AsyncGladiaLive) -> None:
    server.faults.fail_next("list_jobs", status=502, count=2, retry_after=0.01)
    assert (await agladia.list_jobs()).items == []
    assert server.request_count("list_jobs") == 3

    server.faults.fail_next("init_session", status=500)
    with pytest.raises(InternalServerError):
        await agladia.init_session({"encoding": "wav/pcm"})
    server.faults.fail_next("init_session", status=429, retry_after=0.01)
    await agladia.init_session({"encoding": "wav/pcm"})
    assert server.request_count("init_session") == 3
    assert server.sessions_created() == 1
