"""A network backend for httpcore that holds every connect, read and write to the current call's deadline.

httpx's timeouts apply to each socket operation: a server sending one byte a second (of the headers or of
the body) never trips a 60 s read timeout, and the call never ends. Under a `._limits.Call`, each operation
here gets ``min(its timeout, time left)``, and none starts once the deadline has passed; outside a call the
backend changes nothing.

`install` puts it under an `httpx.HTTPTransport` or `httpx.AsyncHTTPTransport` (direct or through a proxy):
httpx has no public way to choose the backend, so it replaces the ``_network_backend`` of the transport's
connection pool, checking the layout it expects (tests/client/test_deadline.py fails if a new httpx changes
it). Connections opened before that keep their plain streams.
"""

from __future__ import annotations

import ssl
import typing
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

import httpcore
import httpx

from ._limits import current_call

__all__ = ["AsyncDeadlineBackend", "DeadlineBackend", "install"]

T = TypeVar("T")

SocketOption = typing.Any  # httpcore's private SOCKET_OPTION


def _limit(timeout: float | None, expired: type[Exception]) -> tuple[float | None, bool]:
    """The timeout to use now, and whether the deadline (not ``timeout``) is what bounds it."""
    call = current_call()
    if call is None:
        return timeout, False
    remaining = call.remaining()
    if remaining <= 0:
        call.deadline_hit = True
        raise expired("the call's deadline passed")
    if timeout is not None and timeout <= remaining:
        return timeout, False
    return remaining, True


def _timed_out(by_deadline: bool) -> None:
    """An operation timed out: the call's deadline is what ended it if it bounded the operation."""
    if by_deadline and (call := current_call()) is not None:
        call.deadline_hit = True


def _bounded(operation: Callable[[float | None], T], timeout: float | None, expired: type[Exception]) -> T:
    limited, by_deadline = _limit(timeout, expired)
    try:
        return operation(limited)
    except httpcore.TimeoutException:
        _timed_out(by_deadline)
        raise


async def _abounded(
    operation: Callable[[float | None], Awaitable[T]], timeout: float | None, expired: type[Exception]
) -> T:
    limited, by_deadline = _limit(timeout, expired)
    try:
        return await operation(limited)
    except httpcore.TimeoutException:
        _timed_out(by_deadline)
        raise


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return _bounded(lambda limit: self._inner.read(max_bytes, limit), timeout, httpcore.ReadTimeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        _bounded(lambda limit: self._inner.write(buffer, limit), timeout, httpcore.WriteTimeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        inner = _bounded(
            lambda limit: self._inner.start_tls(ssl_context, server_hostname, limit), timeout, httpcore.ConnectTimeout
        )
        return _Stream(inner)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _AsyncStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await _abounded(lambda limit: self._inner.read(max_bytes, limit), timeout, httpcore.ReadTimeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await _abounded(lambda limit: self._inner.write(buffer, limit), timeout, httpcore.WriteTimeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        inner = await _abounded(
            lambda limit: self._inner.start_tls(ssl_context, server_hostname, limit), timeout, httpcore.ConnectTimeout
        )
        return _AsyncStream(inner)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """Wraps a sync backend; see the module docstring."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        stream = _bounded(
            lambda limit: self._inner.connect_tcp(host, port, limit, local_address, socket_options),
            timeout,
            httpcore.ConnectTimeout,
        )
        return _Stream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[SocketOption] | None = None
    ) -> httpcore.NetworkStream:
        stream = _bounded(
            lambda limit: self._inner.connect_unix_socket(path, limit, socket_options), timeout, httpcore.ConnectTimeout
        )
        return _Stream(stream)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class AsyncDeadlineBackend(httpcore.AsyncNetworkBackend):
    """Wraps an async backend; see the module docstring."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await _abounded(
            lambda limit: self._inner.connect_tcp(host, port, limit, local_address, socket_options),
            timeout,
            httpcore.ConnectTimeout,
        )
        return _AsyncStream(stream)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[SocketOption] | None = None
    ) -> httpcore.AsyncNetworkStream:
        stream = await _abounded(
            lambda limit: self._inner.connect_unix_socket(path, limit, socket_options), timeout, httpcore.ConnectTimeout
        )
        return _AsyncStream(stream)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def install(transport: httpx.BaseTransport | httpx.AsyncBaseTransport) -> bool:
    """Put the deadline backend under ``transport`` if it is an httpx transport of the expected layout.

    Returns whether the backend is in place (also when it already was).
    """
    if not isinstance(transport, httpx.HTTPTransport | httpx.AsyncHTTPTransport):
        return False
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, DeadlineBackend | AsyncDeadlineBackend):
        return True
    if isinstance(backend, httpcore.NetworkBackend):
        pool._network_backend = DeadlineBackend(backend)  # type: ignore[union-attr]
        return True
    if isinstance(backend, httpcore.AsyncNetworkBackend):
        pool._network_backend = AsyncDeadlineBackend(backend)  # type: ignore[union-attr]
        return True
    return False
