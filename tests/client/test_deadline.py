"""The total deadline of a call, over real sockets: trickled headers and bodies, Retry-After waits and
downloads end within it (sync and async twins)."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from gladia_live_client import AsyncGladiaLive, DeadlineExceededError, GladiaLive, RateLimitError, _network

from ._calls import MODES, call
from ._hostile import API_KEY, JOB_ID, RawServer, Request, answer, fixed, job, response_head

DEADLINE = 1.0
# Generous: the deadline plus the time a loaded machine needs to notice it.
SLACK = 1.5


def _trickled_body(request: Request) -> object:
    async def handle(request: Request, writer: asyncio.StreamWriter) -> None:
        whole = answer(200, json.dumps(job()).encode())
        writer.write(whole[:-20])
        for byte in whole[-20:]:
            await asyncio.sleep(0.2)  # each read gets something well within the 10 s timeout
            writer.write(bytes([byte]))
            await writer.drain()

    return handle


async def _trickled_headers(request: Request, writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\n")
    for number in range(200):
        await asyncio.sleep(0.2)
        writer.write(f"x-line-{number}: trickled\r\n".encode())
        await writer.drain()


@pytest.mark.parametrize("operation", ["get_job", "list_jobs", "init_session", "delete_job", "download_audio"])
@pytest.mark.parametrize("mode", MODES)
def test_trickled_headers_end_at_the_deadline(mode: str, operation: str) -> None:
    with RawServer(_trickled_headers) as server:
        outcome, seconds = call(mode, server.base_url, operation, timeout=10, deadline=DEADLINE)
    assert isinstance(outcome, DeadlineExceededError), repr(outcome)
    assert outcome.deadline == DEADLINE
    assert "deadline of 1 s" in str(outcome)
    assert seconds < DEADLINE + SLACK


@pytest.mark.parametrize("mode", MODES)
def test_a_trickled_body_ends_at_the_deadline(mode: str) -> None:
    with RawServer(_trickled_body(None)) as server:  # type: ignore[arg-type]
        outcome, seconds = call(mode, server.base_url, "get_job", timeout=10, deadline=DEADLINE)
    assert isinstance(outcome, DeadlineExceededError), repr(outcome)
    assert seconds < DEADLINE + SLACK


@pytest.mark.parametrize("mode", MODES)
def test_a_trickled_download_ends_at_the_deadline(mode: str) -> None:
    async def handle(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(response_head(200, [("content-length", "1000")]))
        for _ in range(1000):
            writer.write(b"R")
            await writer.drain()
            await asyncio.sleep(0.1)

    with RawServer(handle) as server:
        outcome, seconds = call(mode, server.base_url, "download_audio", timeout=10, deadline=DEADLINE)
    assert isinstance(outcome, DeadlineExceededError), repr(outcome)
    assert seconds < DEADLINE + SLACK


@pytest.mark.parametrize("mode", MODES)
def test_a_retry_after_longer_than_the_deadline_is_not_waited_for(mode: str) -> None:
    busy = fixed(429, b'{"message": "slow down", "request_id": "G-1"}', [("retry-after", "120")])
    with RawServer(busy) as server:
        outcome, seconds = call(mode, server.base_url, "get_job", deadline=30)
        attempts = len(server.requests)
    assert isinstance(outcome, RateLimitError), repr(outcome)
    assert attempts == 1
    assert seconds < 5
    assert "not retried: the server asked to wait 120 s (Retry-After)" in str(outcome)
    assert "of the call's 30 s deadline" in str(outcome)


@pytest.mark.parametrize("mode", MODES)
def test_a_retry_after_within_the_deadline_is_honoured(mode: str) -> None:
    answers = iter([(503, [("retry-after", "0.3")]), (200, [])])

    async def handle(request: Request, writer: asyncio.StreamWriter) -> None:
        status, headers = next(answers)
        writer.write(answer(status, json.dumps(job()).encode(), headers))
        await writer.drain()

    with RawServer(handle) as server:
        outcome, seconds = call(mode, server.base_url, "get_job", deadline=5)
    assert not isinstance(outcome, Exception), repr(outcome)
    assert 0.3 <= seconds < 5


@pytest.mark.parametrize("mode", MODES)
def test_the_download_deadline_leaves_out_the_callers_time(mode: str) -> None:
    """Reading a 4-chunk download slowly (0.4 s a chunk) takes longer than its 0.5 s deadline without failing."""
    audio = b"R" * 4096

    async def handle(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(response_head(200, [("content-length", str(len(audio)))]) + audio)
        await writer.drain()

    with RawServer(handle) as server:
        if mode == "sync":
            with GladiaLive(api_key=API_KEY, base_url=server.base_url) as gladia:
                received = []
                for piece in gladia.iter_audio(JOB_ID, chunk_size=1024, deadline=0.5):
                    received.append(piece)
                    __import__("time").sleep(0.4)
        else:

            async def main() -> list[bytes]:
                async with AsyncGladiaLive(api_key=API_KEY, base_url=server.base_url) as gladia:
                    pieces = []
                    async for piece in gladia.iter_audio(JOB_ID, chunk_size=1024, deadline=0.5):
                        pieces.append(piece)
                        await asyncio.sleep(0.4)
                    return pieces

            received = asyncio.run(main())
    assert b"".join(received) == audio


def test_the_deadline_backend_goes_under_httpx_transports() -> None:
    """The layout `_network.install` relies on; fails loudly if a new httpx or httpcore changes it."""
    for transport in (
        httpx.HTTPTransport(),
        httpx.AsyncHTTPTransport(),
        httpx.HTTPTransport(proxy="http://127.0.0.1:3128"),
        httpx.AsyncHTTPTransport(proxy="http://127.0.0.1:3128"),
    ):
        assert _network.install(transport)
        backend = transport._pool._network_backend  # type: ignore[union-attr]
        assert isinstance(backend, _network.DeadlineBackend | _network.AsyncDeadlineBackend)
        assert _network.install(transport)  # once only
        assert not isinstance(backend._inner, _network.DeadlineBackend | _network.AsyncDeadlineBackend)
    assert not _network.install(httpx.MockTransport(lambda request: httpx.Response(200)))


@pytest.mark.parametrize("mode", MODES)
def test_the_deadline_holds_through_a_transport_of_the_callers(mode: str) -> None:
    """A transport passed in gets the deadline backend too (it is an httpx transport)."""
    with RawServer(_trickled_headers) as server:
        transport = httpx.HTTPTransport() if mode == "sync" else httpx.AsyncHTTPTransport()
        outcome, seconds = call(mode, server.base_url, "get_job", timeout=10, deadline=DEADLINE, transport=transport)
    assert isinstance(outcome, DeadlineExceededError), repr(outcome)
    assert seconds < DEADLINE + SLACK
