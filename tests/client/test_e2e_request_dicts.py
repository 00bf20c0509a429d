"""Dict requests over loopback: an unknown key never leaves the client; `extra_body` is the way to send one.

The local server validates bodies against the same contract. `StreamingRequest` does not forbid additional
properties, so the server accepts (and ignores) a field it does not know, as a server newer than the spec would
accept a new one: a misspelt key would create a session silently configured with the default. The client
refuses it before sending; `extra_body` sends it on purpose.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from gladia_live_client import AsyncGladiaLive, GladiaLive, InvalidRequestError
from gladia_live_client.models import StreamingRequest


class RecordingTransport(httpx.HTTPTransport):
    """A real HTTP transport that keeps the JSON body of every request it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.bodies: list[Any] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.read()) if request.content else None)
        return super().handle_request(request)


class AsyncRecordingTransport(httpx.AsyncHTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self.bodies: list[Any] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(await request.aread()) if request.content else None)
        return await super().handle_async_request(request)


pytestmark = pytest.mark.usefixtures("no_dead_clients")


TYPOS = [
    ({"encodnig": "wav/pcm"}, "request has an unknown field 'encodnig' (did you mean 'encoding'?)"),
    (
        {"encoding": "wav/pcm", "language_config": {"languges": ["en"]}},
        "request.language_config has an unknown field 'languges' (did you mean 'languages'?)",
    ),
    (
        {"realtime_processing": {"custom_vocabulary_config": {"vocabulary": ["Gladia", {"valeu": "SDK"}]}}},
        "request.realtime_processing.custom_vocabulary_config.vocabulary[1] has an unknown field 'valeu' "
        "(did you mean 'value'?)",
    ),
]


@pytest.mark.parametrize(("request_dict", "message"), TYPOS, ids=["top", "nested", "in-a-list"])
def test_an_unknown_key_raises_before_anything_is_sent(request_dict: dict[str, Any], message: str, server: Any) -> None:
    transport = RecordingTransport()
    with GladiaLive(api_key=server.api_key, base_url=server.base_url, transport=transport) as gladia:
        with pytest.raises(InvalidRequestError) as raised:
            gladia.init_session(request_dict)  # type: ignore[arg-type]  # the typo mypy would catch
        assert message in str(raised.value)
        assert "extra_body" in str(raised.value), "the error says how to send a field newer than the spec"
        with pytest.raises(InvalidRequestError, match="did you mean"):
            gladia.live(request_dict)  # type: ignore[arg-type]
    assert transport.bodies == []
    assert server.request_count("init_session") == 0


async def test_an_unknown_key_raises_before_anything_is_sent_async(server: Any) -> None:
    transport = AsyncRecordingTransport()
    async with AsyncGladiaLive(api_key=server.api_key, base_url=server.base_url, transport=transport) as gladia:
        for request_dict, message in TYPOS:
            with pytest.raises(InvalidRequestError) as raised:
                await gladia.init_session(request_dict)  # type: ignore[arg-type]
            assert message in str(raised.value)
            with pytest.raises(InvalidRequestError, match="did you mean"):
                await gladia.live(request_dict)  # type: ignore[arg-type]
    assert transport.bodies == []
    assert server.request_count("init_session") == 0


EXTRA = {"brand_new_option": True, "language_config": {"brand_new_nested": 2}}


def test_extra_body_sends_fields_newer_than_the_spec(server: Any) -> None:
    transport = RecordingTransport()
    with GladiaLive(api_key=server.api_key, base_url=server.base_url, transport=transport) as gladia:
        session = gladia.init_session(
            {"encoding": "wav/pcm", "language_config": {"languages": ["en"]}}, extra_body=EXTRA
        )
        assert gladia.get_job(session.id).status == "queued"
    assert transport.bodies[0] == {
        "encoding": "wav/pcm",
        "language_config": {"languages": ["en"], "brand_new_nested": 2},
        "brand_new_option": True,
    }
    assert server.request_count("init_session") == 1


async def test_extra_body_sends_fields_newer_than_the_spec_async(server: Any) -> None:
    transport = AsyncRecordingTransport()
    async with AsyncGladiaLive(api_key=server.api_key, base_url=server.base_url, transport=transport) as gladia:
        await gladia.init_session(StreamingRequest.from_dict({"encoding": "wav/pcm"}), extra_body=EXTRA)
    assert transport.bodies[0] == {"encoding": "wav/pcm", "language_config": {"brand_new_nested": 2}, **EXTRA}


def test_live_sends_extra_body_with_its_acknowledgements(server: Any) -> None:
    transport = RecordingTransport()
    with (
        GladiaLive(api_key=server.api_key, base_url=server.base_url, transport=transport) as gladia,
        gladia.live({"encoding": "wav/pcm"}, extra_body={"brand_new_option": "x"}) as session,
    ):
        session.stop_recording()
        list(session)
    body = transport.bodies[0]
    assert body["brand_new_option"] == "x"
    assert body["messages_config"] == {"receive_acknowledgments": True}
    assert body["encoding"] == "wav/pcm"


def test_extra_body_must_be_a_json_object(server: Any) -> None:
    with GladiaLive(api_key=server.api_key, base_url=server.base_url) as gladia:
        with pytest.raises(InvalidRequestError, match="extra_body must be a mapping"):
            gladia.init_session({}, extra_body=["not", "an", "object"])  # type: ignore[arg-type]
        with pytest.raises(InvalidRequestError, match="extra_body is not JSON-serialisable"):
            gladia.init_session({}, extra_body={"when": object()})
    assert server.request_count("init_session") == 0
