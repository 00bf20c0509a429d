"""A hostile server echoing the API key back, over loopback: the key never shows, whatever its length.

The server answers with the key in a field of a 200 that fails validation, in a garbage status line or
header, in a reason phrase, in error bodies (JSON, truncated JSON, HTML) and in a ``Retry-After`` header.
Each test checks the exception (``str``, ``repr``, ``args``, attributes, the printed traceback with its
chained causes) and every record captured at DEBUG on the root logger (this package's, httpx's, httpcore's,
httpx-retries').
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from gladia_live_client import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    AsyncGladiaLive,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    GladiaLive,
    InternalServerError,
)
from gladia_live_client._redaction import MASK, known_secrets

from ._hostile import RawServer, raw

pytestmark = pytest.mark.usefixtures("fast_backoff")

# Lengths 1, 3, 6 and 40. A short key is masked wherever it occurs (test_redaction shows a key "e" masking
# every "e" of a message); these ones do not occur in the code's own text (type names, file paths, source
# lines of a traceback), so finding one anywhere would be a leak.
KEYS = ["Q", "Qz7", "Qz7-K9", "sk-live-0123456789abcdefghijklmnopqrstuv"]
JOB_ID = "0b4a7c1e-5f0d-4c6a-9e61-1a2b3c4d5e6f"


def http(status_line: str, body: bytes = b"", *headers: str) -> bytes:
    head = "".join(f"{header}\r\n" for header in headers)
    return f"{status_line}\r\n{head}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body


def json_body(value: Any) -> bytes:
    return json.dumps(value).encode()


Scenario = tuple[Callable[[str], bytes], str, type[APIError]]

SCENARIOS: dict[str, Scenario] = {
    "a 201 whose fields fail validation": (
        lambda key: http(
            "HTTP/1.1 201 Created",
            json_body({"id": JOB_ID, "created_at": f"not a date {key}", "url": f"wss://h/v2/live?token={key}"}),
            "Content-Type: application/json",
        ),
        "init_session",
        APIResponseValidationError,
    ),
    "a 200 job whose fields fail validation": (
        lambda key: http("HTTP/1.1 200 OK", json_body({"id": key, "status": key, "created_at": key}), "X-A: b"),
        "get_job",
        APIResponseValidationError,
    ),
    "a garbage status line": (lambda key: f"HTTP/1.1 2{key} OK\r\n\r\n".encode(), "get_job", APIConnectionError),
    "a garbage header line": (lambda key: f"HTTP/1.1 200 OK\r\nx{key}\r\n\r\n".encode(), "get_job", APIConnectionError),
    "the reason phrase": (lambda key: http(f"HTTP/1.1 401 {key}"), "get_job", AuthenticationError),
    "a JSON error body": (
        lambda key: http(
            "HTTP/1.1 400 Bad Request",
            json_body(
                {
                    "message": f"bad key {key}",
                    "request_id": key,
                    "validation_errors": [f"key {key} unknown", {"key": key, "detail": [key]}],
                }
            ),
        ),
        "get_job",
        BadRequestError,
    ),
    "a truncated JSON error body": (
        lambda key: http("HTTP/1.1 500 Internal Server Error", f'{{"message":"key {key}","request_id":"{key}'.encode()),
        "get_job",
        InternalServerError,
    ),
    "an HTML error page and Retry-After": (
        lambda key: http(
            "HTTP/1.1 503 Service Unavailable",
            f"<html><body><h1>Gateway</h1><p>key={key} x-gladia-key: {key}</p></body></html>".encode(),
            f"Retry-After: {key}",
            "Content-Type: text/html",
        ),
        "get_job",
        InternalServerError,
    ),
}


@pytest.fixture(autouse=True)
def _secrets_released() -> Iterator[None]:
    """Each client's key is masked while it lives, not after: a short key must not mask later tests."""
    yield
    gc.collect()
    assert not set(KEYS) & set(known_secrets())


def call(gladia: GladiaLive, operation: str) -> None:
    if operation == "init_session":
        gladia.init_session({"encoding": "wav/pcm"})
    else:
        gladia.get_job(JOB_ID)


def shown(exc: BaseException) -> list[str]:
    """Everything an exception shows: str, repr, args, its attributes and the traceback with its causes."""
    places = [str(exc), repr(exc), repr(exc.args), "".join(traceback.format_exception(exc))]
    places += [repr(getattr(exc, name, None)) for name in ("message", "request_id", "validation_errors", "body")]
    return places


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every record captured on the root logger (no other code runs in these tests), formatted."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


def assert_hidden(key: str, exc: BaseException, caplog: pytest.LogCaptureFixture) -> None:
    for place in shown(exc):
        assert key not in place, place
    text = logged(caplog)
    assert "httpcore" in text, "httpcore's DEBUG trace was not captured"
    assert key not in text, text


@pytest.mark.parametrize("key", KEYS, ids=lambda key: f"key{len(key)}")
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_a_key_echoed_by_the_server_never_shows(scenario: str, key: str, caplog: pytest.LogCaptureFixture) -> None:
    response, operation, expected = SCENARIOS[scenario]
    caplog.set_level(logging.DEBUG)
    with RawServer(raw(response(key))) as server, GladiaLive(api_key=key, base_url=server.base_url) as gladia:
        with pytest.raises(expected) as caught:
            call(gladia, operation)
        exc = caught.value
        assert_hidden(key, exc, caplog)
        assert MASK in "".join(shown(exc)) + logged(caplog), "the echo never reached the client"
        assert key not in repr(gladia)
    del gladia, caught, exc


@pytest.mark.parametrize("key", KEYS, ids=lambda key: f"key{len(key)}")
def test_the_chained_httpx_and_h11_errors_are_masked_in_place(key: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with (
        RawServer(raw(f"HTTP/1.1 2{key} OK\r\n\r\n".encode())) as server,
        GladiaLive(api_key=key, base_url=server.base_url, max_retries=0) as gladia,
        pytest.raises(APIConnectionError) as caught,
    ):
        gladia.get_job(JOB_ID)
    chain = []
    link: BaseException | None = caught.value
    while link is not None:
        chain.append(link)
        link = link.__cause__ or link.__context__
    # The cause stays the original httpx exception (callers may catch on it), masked.
    assert type(chain[1]).__module__.startswith("httpx")
    assert len(chain) >= 3, "httpx's error keeps httpcore's (and h11's) as its cause"
    for exc in chain:
        assert key not in str(exc)
        assert key not in repr(exc)
    assert_hidden(key, caught.value, caplog)
    assert "illegal status line" in str(caught.value)
    del gladia, caught, chain


@pytest.mark.parametrize("key", [KEYS[0], KEYS[-1]], ids=lambda key: f"key{len(key)}")
async def test_the_async_client_hides_an_echoed_key_too(key: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for scenario in ("a garbage status line", "a 201 whose fields fail validation", "a JSON error body"):
        response, operation, expected = SCENARIOS[scenario]
        with RawServer(raw(response(key))) as server:
            async with AsyncGladiaLive(api_key=key, base_url=server.base_url, max_retries=1) as gladia:
                sending = gladia.init_session({"encoding": "wav/pcm"}) if operation == "init_session" else None
                with pytest.raises(expected) as caught:
                    await (sending or gladia.get_job(JOB_ID))
                assert_hidden(key, caught.value, caplog)
                assert key not in repr(gladia)
        del gladia, caught
    await asyncio.sleep(0)


def test_user_information_in_base_url_never_shows() -> None:
    url = "http://someone:pw-s3cret@127.0.0.1:9"
    with GladiaLive(api_key=KEYS[-1], base_url=url) as gladia:
        for text in (repr(gladia), str(gladia), repr(gladia._http)):
            assert "pw-s3cret" not in text
            assert KEYS[-1] not in text
        assert "127.0.0.1:9" in repr(gladia)
    with pytest.raises(ConfigurationError) as caught:
        GladiaLive(api_key=KEYS[-1], base_url="http://someone:pw-s3cret@[::1")
    assert "pw-s3cret" not in str(caught.value) + repr(caught.value)
    del gladia
