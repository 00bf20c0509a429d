"""An https API that answers a cleartext ``ws://`` session URL: refused before any WebSocket connection.

No TLS server is needed: the client believes its API is ``https://api.gladia.io`` while a forwarding
transport carries its REST requests to the local server (plain http), which answers ``ws://127.0.0.1:...``
session URLs. The local server counts WebSocket connections, so "nothing connected" is measured.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gladia_live_client import AsyncGladiaLive, GladiaLive, InsecureSessionURLError
from gladia_live_client.models import EndSessionMessage

from .conftest import fast_options, speechlike

REQUEST = {"messages_config": {"receive_lifecycle_events": True}}


def _to_local(request: httpx.Request, server: Any) -> None:
    local = httpx.URL(server.base_url)
    request.url = request.url.copy_with(scheme="http", host=local.host, port=local.port)
    request.headers["host"] = f"{local.host}:{local.port}"


class ToLocal(httpx.BaseTransport):
    """Sends requests meant for the https API to the local http server instead."""

    def __init__(self, server: Any) -> None:
        self._server = server
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        _to_local(request, self._server)
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


class AsyncToLocal(httpx.AsyncBaseTransport):
    def __init__(self, server: Any) -> None:
        self._server = server
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        _to_local(request, self._server)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def test_live_refuses_a_ws_url_from_an_https_api(server: Any) -> None:
    transport = ToLocal(server)
    with GladiaLive(api_key=server.api_key, base_url="https://api.gladia.io", transport=transport) as gladia:
        with pytest.raises(InsecureSessionURLError, match="cleartext ws://") as caught:
            gladia.live(REQUEST, options=fast_options())
        init = gladia.init_session(REQUEST)
        with pytest.raises(InsecureSessionURLError, match="allow_cleartext_websocket=True"):
            gladia.attach_live(init, REQUEST)
    transport.close()
    refused = caught.value.session_id
    assert refused is not None
    assert server.websocket_connections(refused) == 0
    assert server.websocket_connections(str(init.id)) == 0
    # The message names the API and the host, never the token.
    assert "token" not in str(caught.value).replace("session token", "")
    assert "https://api.gladia.io" in str(caught.value)
    assert isinstance(caught.value, InsecureSessionURLError)


async def test_async_live_refuses_a_ws_url_from_an_https_api(server: Any) -> None:
    transport = AsyncToLocal(server)
    async with AsyncGladiaLive(api_key=server.api_key, base_url="https://api.gladia.io", transport=transport) as gladia:
        with pytest.raises(InsecureSessionURLError) as caught:
            await gladia.live(REQUEST, options=fast_options())
        init = await gladia.init_session(REQUEST)
        with pytest.raises(InsecureSessionURLError):
            await gladia.attach_live(init, REQUEST)
    await transport.aclose()
    assert server.websocket_connections(caught.value.session_id) == 0


def test_allow_cleartext_websocket_lets_it_connect(server: Any) -> None:
    audio = speechlike(0.3, seed=41)
    transport = ToLocal(server)
    with (
        GladiaLive(
            api_key=server.api_key,
            base_url="https://api.gladia.io",
            transport=transport,
            allow_cleartext_websocket=True,
        ) as gladia,
        gladia.live(REQUEST, options=fast_options()) as session,
    ):
        session.send_audio(audio)
        session.stop_recording()
        messages = list(session)
    transport.close()
    assert isinstance(messages[-1], EndSessionMessage)
    assert server.committed_audio(session.session_id) == audio


async def test_async_allow_cleartext_websocket_lets_it_connect(server: Any) -> None:
    transport = AsyncToLocal(server)
    async with AsyncGladiaLive(
        api_key=server.api_key, base_url="https://api.gladia.io", transport=transport, allow_cleartext_websocket=True
    ) as gladia:
        init = await gladia.init_session(REQUEST)
        async with await gladia.attach_live(init, REQUEST, options=fast_options()) as session:
            await session.send_audio(speechlike(0.2, seed=42))
    await transport.aclose()
    assert server.websocket_connections(str(init.id)) >= 1


def test_an_http_api_may_answer_ws_without_the_setting(server: Any) -> None:
    with GladiaLive(api_key=server.api_key, base_url=server.base_url) as gladia:
        init = gladia.init_session(REQUEST)
        with gladia.attach_live(init, REQUEST, options=fast_options()) as session:
            session.send_audio(speechlike(0.2, seed=43))
    assert server.websocket_connections(str(init.id)) >= 1


@pytest.mark.parametrize("value", [1, "yes", None])
def test_the_setting_must_be_a_bool(value: object) -> None:
    from gladia_live_client import ConfigurationError

    with pytest.raises(ConfigurationError, match="allow_cleartext_websocket must be True or False"):
        GladiaLive(api_key="k", allow_cleartext_websocket=value)  # type: ignore[arg-type]
