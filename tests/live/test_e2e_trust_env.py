"""``trust_env=False`` on the client keeps both halves off the proxy variables: REST and the live WebSocket.

The environment names a dead proxy; a session that streams end to end proves neither half went through it.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest

from gladia_live_client import AsyncGladiaLive, GladiaLive, LiveOptions
from gladia_live_client._config import resolve_config
from gladia_live_client._live._opening import session_options
from gladia_live_client.models import EndSessionMessage

from .conftest import fast_options, speechlike

REQUEST = {"messages_config": {"receive_lifecycle_events": True}}


@pytest.fixture
def dead_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("ALL_PROXY", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")


def test_trust_env_false_streams_directly_despite_a_dead_proxy(server: Any, dead_proxy_env: None) -> None:
    audio = speechlike(0.3, seed=51)
    client = GladiaLive(api_key=server.api_key, base_url=server.base_url, trust_env=False)
    with client as gladia, gladia.live(REQUEST, options=fast_options()) as session:
        assert session.options.proxy is None
        session.send_audio(audio)
        session.stop_recording()
        messages = list(session)
    assert isinstance(messages[-1], EndSessionMessage)
    assert server.committed_audio(session.session_id) == audio


async def test_async_trust_env_false_streams_directly_despite_a_dead_proxy(server: Any, dead_proxy_env: None) -> None:
    audio = speechlike(0.3, seed=52)
    async with AsyncGladiaLive(api_key=server.api_key, base_url=server.base_url, trust_env=False) as gladia:
        init = await gladia.init_session(REQUEST)
        async with await gladia.attach_live(init, REQUEST, options=fast_options()) as session:
            await session.send_audio(audio)
            await session.stop_recording()
            _ = [message async for message in session]
    assert server.committed_audio(str(init.id)) == audio


def test_session_options_only_replace_the_environment_default() -> None:
    off = resolve_config(api_key="k", base_url=None, timeout=5, max_retries=0, trust_env=False)
    on = resolve_config(api_key="k", base_url=None, timeout=5, max_retries=0)
    explicit = LiveOptions(proxy="http://proxy.internal:3128")
    assert session_options(off, None) == LiveOptions(proxy=None)
    assert session_options(off, LiveOptions(buffer_limit=1024)) == LiveOptions(buffer_limit=1024, proxy=None)
    assert session_options(off, explicit) is explicit
    assert session_options(on, None) is None
    assert session_options(on, explicit) is explicit
