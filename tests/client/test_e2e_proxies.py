"""REST through the proxy environment variables, as httpx routes them: a real forwarding proxy on 127.0.0.1.

The proxy below is a few lines of asyncio on its own thread: it reads one absolute-form request
(``GET http://127.0.0.1:PORT/v2/live HTTP/1.1``), records it, forwards it to the target with
``Connection: close``, copies the answer back and closes. The target is the local Gladia server. It refuses
``CONNECT`` tunnels (403), which shows an https API routed through ``HTTPS_PROXY`` without a TLS server.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from gladia_live_client import (
    APIConnectionError,
    AsyncGladiaLive,
    ConfigurationError,
    DeadlineExceededError,
    GladiaLive,
)

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUEST_METHOD")
PROXY_PASSWORD = "proxy-pass-7d1e4c"


@dataclass
class Seen:
    method: str
    target: str
    proxy_authorization: str | None


@dataclass
class ForwardingProxy:
    """A plain-HTTP forwarding proxy; ``seen`` lists the requests it carried."""

    seen: list[Seen] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ForwardingProxy:
        self._thread.start()
        assert self._ready.wait(5), "the proxy did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(5)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())
        self._loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(10):
                await self._forward(reader, writer)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        method, target, version = head[0].split(" ")
        headers = [line.split(":", 1) for line in head[1:] if line]
        by_name = {name.strip().lower(): value.strip() for name, value in headers}
        self.seen.append(Seen(method, target, by_name.get("proxy-authorization")))
        if method == "CONNECT":  # a tunnel for https: refused, as a proxy that forbids the host would
            writer.write(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n")
            await writer.drain()
            return
        body = await reader.readexactly(int(by_name.get("content-length", "0")))
        url = urlsplit(target)
        kept = [
            f"{name}:{value}"
            for name, value in headers
            if name.strip().lower() not in ("proxy-authorization", "connection", "proxy-connection")
        ]
        path = url.path + (f"?{url.query}" if url.query else "")
        request = "\r\n".join([f"{method} {path} {version}", *kept, "Connection: close", "", ""])
        upstream_reader, upstream_writer = await asyncio.open_connection(url.hostname, url.port)
        upstream_writer.write(request.encode("latin-1") + body)
        await upstream_writer.drain()
        writer.write(await upstream_reader.read())  # until the target closes: one request per connection
        await writer.drain()
        upstream_writer.close()


@pytest.fixture
def proxy_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """A clean proxy environment (upper and lower case) that the test then sets."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


@pytest.fixture
def proxy() -> Iterator[ForwardingProxy]:
    with ForwardingProxy() as running:
        yield running


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_rest_goes_through_http_proxy(server: Any, proxy: ForwardingProxy, proxy_env: pytest.MonkeyPatch) -> None:
    proxy_env.setenv("HTTP_PROXY", f"http://ada:{PROXY_PASSWORD}@127.0.0.1:{proxy.port}")
    with GladiaLive(api_key=server.api_key, base_url=server.base_url, timeout=10) as gladia:
        init = gladia.init_session({"encoding": "wav/pcm"})
        assert gladia.get_job(init.id).id == init.id
        assert gladia.list_jobs(limit=1).items
    assert [(s.method, urlsplit(s.target).path) for s in proxy.seen] == [
        ("POST", "/v2/live"),
        ("GET", f"/v2/live/{init.id}"),
        ("GET", "/v2/live"),
    ]
    assert all(s.target.startswith(server.base_url) for s in proxy.seen), "absolute-form targets"
    assert {s.proxy_authorization for s in proxy.seen} == {"Basic YWRhOnByb3h5LXBhc3MtN2QxZTRj"}


async def test_async_rest_goes_through_all_proxy(
    server: Any, proxy: ForwardingProxy, proxy_env: pytest.MonkeyPatch
) -> None:
    proxy_env.setenv("ALL_PROXY", f"http://127.0.0.1:{proxy.port}")
    async with AsyncGladiaLive(api_key=server.api_key, base_url=server.base_url, timeout=10) as gladia:
        init = await gladia.init_session({"encoding": "wav/pcm"})
        assert (await gladia.get_job(init.id)).id == init.id
        size = await gladia.download_audio(init.id, bytearray_sink := _Sink())
    assert size == len(bytearray_sink.data)
    assert len(proxy.seen) == 3


class _Sink:
    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, chunk: bytes) -> int:
        self.data += chunk
        return len(chunk)


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "localhost,127.0.0.1", "*"])
def test_no_proxy_bypasses_the_proxy(
    server: Any, proxy: ForwardingProxy, proxy_env: pytest.MonkeyPatch, no_proxy: str
) -> None:
    proxy_env.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
    proxy_env.setenv("NO_PROXY", no_proxy)
    with GladiaLive(api_key=server.api_key, base_url=server.base_url, timeout=10) as gladia:
        assert gladia.list_jobs(limit=1).items is not None
    assert proxy.seen == []


async def test_async_no_proxy_bypasses_the_proxy(
    server: Any, proxy: ForwardingProxy, proxy_env: pytest.MonkeyPatch
) -> None:
    proxy_env.setenv("ALL_PROXY", f"http://127.0.0.1:{proxy.port}")
    proxy_env.setenv("no_proxy", "127.0.0.1")
    async with AsyncGladiaLive(api_key=server.api_key, base_url=server.base_url, timeout=10) as gladia:
        await gladia.list_jobs(limit=1)
    assert proxy.seen == []


def test_an_https_proxy_variable_does_not_apply_to_http(
    server: Any, proxy: ForwardingProxy, proxy_env: pytest.MonkeyPatch
) -> None:
    proxy_env.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.port}")
    with GladiaLive(api_key=server.api_key, base_url=server.base_url, timeout=10) as gladia:
        gladia.list_jobs(limit=1)
    assert proxy.seen == []


def test_trust_env_false_and_a_callers_transport_connect_directly(
    server: Any, proxy: ForwardingProxy, proxy_env: pytest.MonkeyPatch
) -> None:
    proxy_env.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
    with GladiaLive(api_key=server.api_key, base_url=server.base_url, trust_env=False) as gladia:
        gladia.list_jobs(limit=1)
    transport = httpx.HTTPTransport()
    with GladiaLive(api_key=server.api_key, base_url=server.base_url, transport=transport) as gladia:
        gladia.list_jobs(limit=1)
    transport.close()
    assert proxy.seen == []


def test_a_dead_proxy_gives_a_connection_error_naming_it(server: Any, proxy_env: pytest.MonkeyPatch) -> None:
    port = closed_port()
    proxy_env.setenv("HTTP_PROXY", f"http://ada:{PROXY_PASSWORD}@127.0.0.1:{port}")
    client = GladiaLive(api_key=server.api_key, base_url=server.base_url, max_retries=0)
    with client as gladia, pytest.raises(APIConnectionError) as caught:
        gladia.get_job("45463597-20b7-4af7-b3b3-f5fb778203ab")
    text = f"{caught.value} {caught.value!r}"
    assert f"through the proxy 'http://***@127.0.0.1:{port}'" in str(caught.value)
    assert PROXY_PASSWORD not in text
    assert "ada" not in text


async def test_async_dead_proxy_is_retried_then_named(
    server: Any, proxy_env: pytest.MonkeyPatch, fast_backoff: None
) -> None:
    port = closed_port()
    proxy_env.setenv("ALL_PROXY", f"http://127.0.0.1:{port}")
    async with AsyncGladiaLive(api_key=server.api_key, base_url=server.base_url, max_retries=1) as gladia:
        with pytest.raises(APIConnectionError, match=f"ConnectError: through the proxy 'http://127.0.0.1:{port}'"):
            await gladia.list_jobs()


@pytest.mark.parametrize("client", [GladiaLive, AsyncGladiaLive])
def test_an_unusable_proxy_url_is_a_configuration_error(proxy_env: pytest.MonkeyPatch, client: type) -> None:
    proxy_env.setenv("HTTPS_PROXY", f"ftp://ada:{PROXY_PASSWORD}@proxy.example:21")
    with pytest.raises(ConfigurationError, match="trust_env=False") as caught:
        client(api_key="k")
    assert PROXY_PASSWORD not in str(caught.value)
    client(api_key="k", trust_env=False)  # the way out the message gives


def test_an_https_api_goes_through_https_proxy_and_a_refused_tunnel_names_it(
    proxy: ForwardingProxy, proxy_env: pytest.MonkeyPatch
) -> None:
    proxy_env.setenv("HTTPS_PROXY", f"http://ada:{PROXY_PASSWORD}@127.0.0.1:{proxy.port}")
    client = GladiaLive(api_key="k", base_url="https://api.gladia.io", max_retries=0)
    with client as gladia, pytest.raises(APIConnectionError) as caught:
        gladia.list_jobs()
    assert [(s.method, s.target) for s in proxy.seen] == [("CONNECT", "api.gladia.io:443")]
    assert f"ProxyError: through the proxy 'http://***@127.0.0.1:{proxy.port}'" in str(caught.value)
    assert PROXY_PASSWORD not in f"{caught.value} {caught.value!r}"


@contextlib.contextmanager
def trickling_proxy() -> Iterator[int]:
    """A proxy that reads the request, then answers a status line one byte every 50 ms for 8 s, then closes."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(5)
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        with connection:
            connection.recv(65536)
            for byte in itertools.islice(itertools.cycle(b"HTTP/1.1 200 OK\r\nx-trickle: "), 160):
                if stop.wait(0.05):
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()
        thread.join(5)


JOB_ID = "45463597-20b7-4af7-b3b3-f5fb778203ab"


# The proxy mounts get the same deadline machinery as the direct transport: each byte resets httpx's read timeout
# (30 s here), so only the call's deadline (1 s) can end these calls.
def test_a_trickling_proxy_is_bounded_by_the_calls_deadline(proxy_env: pytest.MonkeyPatch) -> None:
    with trickling_proxy() as port:
        proxy_env.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
        client = GladiaLive(api_key="k", base_url="http://gladia.test", deadline=1, timeout=30, max_retries=0)
        started = time.monotonic()
        with client, pytest.raises(DeadlineExceededError):
            client.get_job(JOB_ID)
        assert time.monotonic() - started < 3


async def test_async_trickling_proxy_is_bounded_by_the_calls_deadline(proxy_env: pytest.MonkeyPatch) -> None:
    with trickling_proxy() as port:
        proxy_env.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
        client = AsyncGladiaLive(api_key="k", base_url="http://gladia.test", deadline=1, timeout=30, max_retries=0)
        started = time.monotonic()
        async with client:
            with pytest.raises(DeadlineExceededError):
                await client.get_job(JOB_ID)
        assert time.monotonic() - started < 3
