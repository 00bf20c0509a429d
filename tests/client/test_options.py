"""Per-call options, `with_options` copies, ``http_client=`` checks and raw responses, against a mock transport."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from gladia_live_client import (
    AsyncGladiaLive,
    ConfigurationError,
    ConfigurationTypeError,
    DeadlineExceededError,
    GladiaLive,
    InternalServerError,
    InvalidRequestError,
    NotFoundError,
    RawResponse,
)

from ._mock import JOB, JOB_ID, SECRET, Script, error


def test_a_per_call_timeout_applies_to_that_call_only() -> None:
    script = Script()
    with script.sync_client(timeout=30) as client:
        client.get_job(JOB_ID, timeout=2.5)
        client.get_job(JOB_ID)
    assert script.requests[0].extensions["timeout"]["read"] == 2.5
    assert script.requests[1].extensions["timeout"]["read"] == 30


@pytest.mark.usefixtures("fast_backoff")
def test_max_retries_zero_disables_retries_for_the_call() -> None:
    script = Script().then(error(503), error(503))
    with script.sync_client(max_retries=2) as client:
        with pytest.raises(InternalServerError):
            client.get_job(JOB_ID, max_retries=0)
        assert len(script.requests) == 1
        assert str(client.get_job(JOB_ID).id) == JOB_ID  # one 503 left, then the default answer: retried
    assert len(script.requests) == 3


def test_a_per_call_deadline_ends_the_call() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        time.sleep(0.6)  # a read that timed out after the call's deadline
        raise httpx.ReadTimeout("stalled", request=request)

    script = Script(default=slow)
    with script.sync_client(max_retries=0) as client, pytest.raises(DeadlineExceededError, match="0.5 s"):
        client.get_job(JOB_ID, deadline=0.5)


def test_extra_headers_and_query_are_sent_and_win_over_the_methods_own() -> None:
    script = Script(default=httpx.Response(200, json={"first": "x", "current": "x", "next": None, "items": []}))
    with script.sync_client() as client:
        client.list_jobs(
            limit=5, extra_headers={"X-Trace": "t-1", "User-Agent": "mine"}, extra_query={"limit": 7, "x": "y"}
        )
    sent = script.requests[0]
    assert sent.headers["x-trace"] == "t-1"
    assert sent.headers["user-agent"] == "mine"
    assert sent.headers["x-gladia-key"] == SECRET
    assert sent.url.params["limit"] == "7"
    assert sent.url.params["x"] == "y"


@pytest.mark.parametrize("name", ["x-gladia-key", "X-Gladia-Key", " x-gladia-key"])
def test_extra_headers_cannot_replace_the_api_key(name: str) -> None:
    script = Script()
    with script.sync_client() as client, pytest.raises(InvalidRequestError, match="API key"):
        client.get_job(JOB_ID, extra_headers={name: "another"})
    assert script.requests == []


@pytest.mark.parametrize(
    "options",
    [
        {"timeout": 0},
        {"timeout": "5"},
        {"max_retries": -1},
        {"max_retries": True},
        {"deadline": float("inf")},
        {"extra_headers": [("a", "b")]},
        {"extra_headers": {"a": 1}},
        {"extra_query": {1: "a"}},
        {"timout": 5},
    ],
)
def test_bad_per_call_options_raise_before_sending(options: dict[str, Any]) -> None:
    script = Script()
    with script.sync_client() as client, pytest.raises(InvalidRequestError):
        client.get_job(JOB_ID, **options)
    assert script.requests == []


def test_patch_job_merges_extra_body() -> None:
    script = Script(default=httpx.Response(204))
    with script.sync_client() as client:
        client.patch_job(JOB_ID, {"a": {"b": 1}}, extra_body={"a": {"c": 2}, "d": 3})
    assert json.loads(script.requests[0].content) == {"a": {"b": 1, "c": 2}, "d": 3}


def test_with_options_copies_settings_and_shares_the_pool() -> None:
    script = Script()
    with script.sync_client(timeout=30, max_retries=2) as client:
        copy = client.with_options(timeout=4, max_retries=0, api_key="sk-other-key-123")
        assert copy._http is client._http
        assert copy.max_retries == 0
        assert client.max_retries == 2
        copy.get_job(JOB_ID)
        copy.close()  # closes nothing: the pool is the original's
        client.get_job(JOB_ID)
        assert not client._http.is_closed
    assert client._http.is_closed
    first, second = script.requests
    assert first.extensions["timeout"]["read"] == 4
    assert first.headers["x-gladia-key"] == "sk-other-key-123"
    assert second.extensions["timeout"]["read"] == 30
    assert second.headers["x-gladia-key"] == SECRET
    assert "sk-other-key-123" not in repr(copy)


def test_with_options_checks_its_values() -> None:
    with Script().sync_client() as client, pytest.raises(ConfigurationError):
        client.with_options(deadline=-1)


def test_http_client_of_the_wrong_kind_is_refused() -> None:
    with httpx.Client() as sync_client:
        with pytest.raises(ConfigurationTypeError, match="httpx.AsyncClient"):
            AsyncGladiaLive(api_key=SECRET, http_client=sync_client)  # type: ignore[arg-type]
        with pytest.raises(ConfigurationError, match="not both"):
            GladiaLive(api_key=SECRET, http_client=sync_client, transport=httpx.MockTransport(Script().handle))
    with pytest.raises(ConfigurationTypeError, match="httpx.Client"):
        GladiaLive(api_key=SECRET, http_client=object())  # type: ignore[arg-type]


def test_raw_response_gives_status_headers_request_id_and_the_model() -> None:
    script = Script(default=httpx.Response(200, json=JOB, headers={"x-request-id": "G-req-1"}))
    with script.sync_client() as client:
        raw = client.with_raw_response.get_job(JOB_ID, timeout=3)
        assert isinstance(raw, RawResponse)
        assert raw.status_code == 200
        assert raw.headers["x-request-id"] == "G-req-1"
        assert raw.request_id == "G-req-1"
        assert raw.http_response.request.url.path == f"/v2/live/{JOB_ID}"
        assert str(raw.parse().id) == JOB_ID
        script.then(httpx.Response(202))
        deleted = client.with_raw_response.delete_job(JOB_ID)
        assert deleted.status_code == 202
        assert deleted.parse() is None
        script.then(error(404, "Job not found"))
        with pytest.raises(NotFoundError):
            client.with_raw_response.get_job(JOB_ID)


async def test_async_per_call_options_with_options_and_raw_response() -> None:
    script = Script(default=httpx.Response(200, json=JOB, headers={"request-id": "G-req-2"}))
    async with script.async_client(timeout=30) as client:
        raw = await client.with_options(deadline=10).with_raw_response.get_job(JOB_ID, extra_query={"a": "b"})
        assert raw.request_id == "G-req-2"
        assert str(raw.parse().id) == JOB_ID
        with pytest.raises(InvalidRequestError):
            await client.get_job(JOB_ID, extra_headers={"x-gladia-key": "x"})
    assert script.requests[0].url.params["a"] == "b"
    assert len(script.requests) == 1


async def test_async_max_retries_zero() -> None:
    script = Script().then(error(503))
    async with script.async_client() as client:
        with pytest.raises(InternalServerError):
            await client.get_job(JOB_ID, max_retries=0)
    assert len(script.requests) == 1
