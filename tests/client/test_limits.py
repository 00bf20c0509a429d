"""Hostile bodies over real sockets: every failure is a typed `GladiaError`, and bodies are capped by their
decoded size while they stream in (sync and async twins)."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from gladia_live_client import (
    APIConnectionError,
    APIResponseValidationError,
    ConfigurationError,
    GladiaError,
    GladiaLive,
    InternalServerError,
    InvalidRequestError,
    NotFoundError,
    ResponseTooLargeError,
)
from tests.conftest import ROOT

from ._calls import MODES, call
from ._hostile import (
    API_KEY,
    JOB_ID,
    RawServer,
    Request,
    answer,
    chunk,
    fixed,
    gzip_bomb,
    job,
    nested_json,
    response_head,
)

JSON_OPERATIONS = ("get_job", "list_jobs", "iter_jobs", "init_session")


# -- nested JSON -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("debug", [False, True], ids=["info", "debug"])
@pytest.mark.parametrize("status", [200, 201, 404, 503])
@pytest.mark.parametrize("operation", JSON_OPERATIONS)
@pytest.mark.parametrize("mode", MODES)
def test_json_nested_100000_levels_is_a_typed_error(
    mode: str, operation: str, status: int, debug: bool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG if debug else logging.INFO, logger="gladia_live_client")
    with RawServer(fixed(status, nested_json(100_000))) as server:
        outcome, _ = call(mode, server.base_url, operation, max_retries=0)
    assert isinstance(outcome, GladiaError), repr(outcome)
    if status < 300:
        assert isinstance(outcome, APIResponseValidationError)
        assert "nests arrays and objects too deeply" in str(outcome) or "status" in str(outcome)
    else:
        assert isinstance(outcome, NotFoundError if status == 404 else InternalServerError)
        assert outcome.status_code == status
    assert not isinstance(outcome.__cause__, RecursionError)


@pytest.mark.parametrize("mode", MODES)
def test_json_nested_within_the_limit_parses(mode: str) -> None:
    deep: object = "bottom"
    for _ in range(100):
        deep = {"level": deep}
    body = json.dumps(job(custom_metadata={"deep": deep})).encode()
    with RawServer(fixed(200, body)) as server:
        outcome, _ = call(mode, server.base_url, "get_job")
    assert not isinstance(outcome, Exception), repr(outcome)
    assert outcome.custom_metadata.to_dict()["deep"] == deep


def test_cli_jobs_get_of_a_nested_answer_prints_one_line() -> None:
    with RawServer(fixed(200, nested_json(100_000))) as server:
        result = subprocess.run(
            [sys.executable, "-m", "gladia_live_client.cli", "jobs", "get", JOB_ID],
            cwd=ROOT,
            env={"PATH": "/usr/bin:/bin", "GLADIA_API_URL": server.base_url, "GLADIA_API_KEY": API_KEY},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error:"), result.stderr
    assert "nests arrays and objects too deeply" in lines[0]
    assert "Traceback" not in result.stderr
    assert API_KEY not in result.stderr


# -- size limits -----------------------------------------------------------------------------------------------


def _endless_chunks(total: int, piece: int = 1 << 20) -> object:
    async def handle(request: Request, writer: asyncio.StreamWriter) -> None:
        del request
        head = response_head(200, [("content-type", "application/json"), ("transfer-encoding", "chunked")])
        writer.write(head + chunk(b"[" + b" " * (piece - 1)))
        sent = piece
        filler = chunk(b" " * piece)
        while sent < total:
            writer.write(filler)
            await writer.drain()
            sent += piece
        writer.write(chunk(b"]") + b"0\r\n\r\n")
        await writer.drain()

    return handle


MEMORY_PROBE = """
import asyncio, io, json, resource, sys
from tests.client._calls import call
from tests.client._hostile import RawServer, fixed, gzip_bomb
from tests.client.test_limits import _endless_chunks

mode, case = sys.argv[1], sys.argv[2]
handler = _endless_chunks(1_500_000_000) if case == "chunked" else fixed(200, gzip_bomb(), [("content-encoding", "gzip")])
with RawServer(handler) as server:
    call(mode, server.base_url, "get_job", max_retries=0)  # warm up: imports, pools, the bomb itself
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sent_before = server.sent
    outcome, seconds = call(mode, server.base_url, "get_job", max_retries=0)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"error": type(outcome).__name__, "growth_kib": after - before, "seconds": seconds}))
"""


@pytest.mark.parametrize("case", ["chunked", "gzip"])
@pytest.mark.parametrize("mode", MODES)
def test_bombs_stop_at_the_cap_with_bounded_memory(mode: str, case: str) -> None:
    """A 1.5 GB chunked body, and 1 MB of gzip expanding to 1 GiB: refused at the 32 MiB cap, RSS growth
    under 256 MB (measured in a fresh interpreter, after a first call has loaded everything)."""
    result = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, mode, case],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["error"] == "ResponseTooLargeError"
    assert report["growth_kib"] < 256 * 1024, report
    assert report["seconds"] < 30, report


@pytest.mark.parametrize("mode", MODES)
def test_a_gzip_bomb_stops_at_a_small_cap(mode: str) -> None:
    with RawServer(fixed(200, gzip_bomb(), [("content-encoding", "gzip")])) as server:
        outcome, _ = call(mode, server.base_url, "get_job", max_response_bytes=100_000)
    assert isinstance(outcome, ResponseTooLargeError)
    assert outcome.limit == 100_000
    assert outcome.status_code == 200
    assert "max_response_bytes" in str(outcome)
    assert "100,000 bytes" in str(outcome)


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate"])
@pytest.mark.parametrize("mode", MODES)
def test_compressed_answers_within_the_cap_parse(mode: str, encoding: str) -> None:
    body = json.dumps(job()).encode()
    if encoding == "gzip":
        wire = gzip.compress(body)
    elif encoding == "deflate":
        wire = zlib.compress(body)
    else:
        compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        wire = compressor.compress(body) + compressor.flush()
    header = encoding.removeprefix("raw-")
    with RawServer(fixed(200, wire, [("content-encoding", header)])) as server:
        outcome, _ = call(mode, server.base_url, "get_job")
        sent_encoding = server.requests[0].headers["accept-encoding"]
    assert not isinstance(outcome, Exception), repr(outcome)
    assert str(outcome.id) == JOB_ID
    assert sent_encoding == "gzip, deflate"  # what the client can decompress with a bounded output


@pytest.mark.parametrize("mode", MODES)
def test_an_announced_length_over_the_cap_is_refused_before_reading(mode: str) -> None:
    async def handle(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(response_head(200, [("content-length", "10000000000")]) + b"[")
        await writer.drain()
        await asyncio.sleep(30)  # never sends the rest: the client must not wait for it

    with RawServer(handle) as server:
        outcome, seconds = call(mode, server.base_url, "get_job")
    assert isinstance(outcome, ResponseTooLargeError)
    assert seconds < 5


@pytest.mark.parametrize("status", [200, 503])
@pytest.mark.parametrize(
    ("encoding", "body", "reason"),
    [
        ("gzip", b"\x1f\x8b\x08\x00garbage-not-gzip", "cannot be decompressed"),
        ("gzip", gzip.compress(b'{"id": 1}')[:-12], "ends before the end of the compressed data"),
        ("br", b"\x0b\x02\x80{}\x03", "is not one the client asked for"),
        ("gzip, gzip", gzip.compress(gzip.compress(b"{}")), "is not one the client asked for"),
    ],
    ids=["garbage-gzip", "truncated-gzip", "brotli", "double-gzip"],
)
@pytest.mark.parametrize("mode", MODES)
def test_undecodable_bodies(mode: str, status: int, encoding: str, body: bytes, reason: str) -> None:
    with RawServer(fixed(status, body, [("content-encoding", encoding)])) as server:
        outcome, _ = call(mode, server.base_url, "get_job", max_retries=0)
    if status == 200:
        assert isinstance(outcome, APIResponseValidationError)
    else:
        assert isinstance(outcome, InternalServerError)  # the status still decides the class
    assert reason in str(outcome)


@pytest.mark.parametrize("mode", MODES)
def test_an_error_body_over_the_cap_keeps_its_status(mode: str) -> None:
    with RawServer(fixed(404, b'{"message": "' + b"x" * 5000 + b'"}')) as server:
        outcome, _ = call(mode, server.base_url, "get_job", max_response_bytes=1000)
    assert isinstance(outcome, NotFoundError)
    assert "larger than max_response_bytes (1,000 bytes)" in str(outcome)


# -- downloads -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_download_asks_for_identity_and_refuses_gzip(mode: str, tmp_path: Path) -> None:
    target = tmp_path / "audio.wav"
    with RawServer(fixed(200, gzip.compress(b"RIFF" + b"\0" * 10_000), [("content-encoding", "gzip")])) as server:
        options = {"api_key": API_KEY}
        if mode == "sync":
            with (
                GladiaLive(base_url=server.base_url, **options) as gladia,
                pytest.raises(APIResponseValidationError) as raised,
            ):
                gladia.download_audio(JOB_ID, target)
        else:
            from gladia_live_client import AsyncGladiaLive

            async def main() -> None:
                async with AsyncGladiaLive(base_url=server.base_url, **options) as gladia:
                    await gladia.download_audio(JOB_ID, target)

            with pytest.raises(APIResponseValidationError) as raised:
                asyncio.run(main())
        assert server.requests[0].headers["accept-encoding"] == "identity"
    assert "Content-Encoding 'gzip'" in str(raised.value)
    assert list(tmp_path.iterdir()) == []  # no file, no temporary file


def _short_body(announced: int, sent: int) -> object:
    async def handle(request: Request, writer: asyncio.StreamWriter) -> None:
        del request
        writer.write(response_head(200, [("content-type", "audio/wav"), ("content-length", str(announced))]))
        writer.write(b"R" * sent)
        await writer.drain()
        writer.close()

    return handle


@pytest.mark.parametrize("mode", MODES)
def test_a_download_shorter_than_its_content_length_fails_and_leaves_no_file(mode: str, tmp_path: Path) -> None:
    target = tmp_path / "audio.wav"
    with RawServer(_short_body(100_000, 50_000)) as server:
        if mode == "sync":
            gladia = GladiaLive(base_url=server.base_url, api_key=API_KEY, max_retries=0)
            with gladia, pytest.raises(APIConnectionError):
                gladia.download_audio(JOB_ID, target)
        else:
            from gladia_live_client import AsyncGladiaLive

            async def main() -> None:
                async with AsyncGladiaLive(base_url=server.base_url, api_key=API_KEY, max_retries=0) as gladia:
                    await gladia.download_audio(JOB_ID, target)

            with pytest.raises(APIConnectionError):
                asyncio.run(main())
    assert list(tmp_path.iterdir()) == []


def test_download_check_compares_with_content_length() -> None:
    import httpx

    from gladia_live_client._limits import DownloadCheck

    check = DownloadCheck(httpx.Response(200, headers={"content-length": "10"}))
    assert check.feed(b"12345") is None
    assert check.finish() == "the body ended after 5 of the 10 bytes its Content-Length announced"
    assert check.feed(b"1234567") == "the body is longer than the 10 bytes its Content-Length announced"


# -- settings --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, -1, float("inf"), float("nan"), "300", True])
def test_bad_deadlines_are_refused(value: object) -> None:
    with pytest.raises(ConfigurationError, match="deadline"):
        GladiaLive(api_key="k", deadline=value)  # type: ignore[arg-type]
    with GladiaLive(api_key="k") as gladia, pytest.raises(InvalidRequestError, match="deadline"):
        gladia.iter_audio(JOB_ID, deadline=value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [0, -5, 1.5, "1", True])
def test_bad_max_response_bytes_are_refused(value: object) -> None:
    with pytest.raises(ConfigurationError, match="max_response_bytes"):
        GladiaLive(api_key="k", max_response_bytes=value)  # type: ignore[arg-type]


def test_answer_helper_is_complete() -> None:
    assert answer(200, b"{}").endswith(b"\r\n\r\n{}")
