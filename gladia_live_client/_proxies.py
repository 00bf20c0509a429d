"""REST requests through the proxies named by the environment, as httpx itself would route them.

httpx reads ``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY`` and ``NO_PROXY`` only when it builds its own
transport; the clients build theirs (to put retries and logging under the `httpx.Client`), so they ask httpx
for the same routing table and mount one proxy transport per entry, each wrapped in the same retries and
logging. ``NO_PROXY`` entries map to ``None``: the client's direct transport, exactly as in httpx.

A transport failure on the way through a proxy is re-raised as the same `httpx` exception type (so the retry
policy still sees a connect error as a connect error) with the proxy named, its credentials masked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import httpx

from ._exceptions import ConfigurationError
from ._generated.types import mask_url_secrets

__all__ = ["AsyncProxyTransport", "ProxyTransport", "environment_proxy_mounts", "masked_proxy"]

T = TypeVar("T", httpx.BaseTransport, httpx.AsyncBaseTransport)


def environment_proxy_mounts(make_transport: Callable[[str], T], wrap: Callable[[T], T]) -> dict[str, T | None]:
    """The ``mounts`` of an `httpx.Client` for the proxy environment variables (empty when none is set).

    ``make_transport`` builds the transport for one proxy URL; ``wrap`` puts the client's retries and logging
    around it. Raises `ConfigurationError` for a proxy URL httpx cannot use.
    """
    # httpx's own reading of the variables (urllib's getproxies, plus NO_PROXY turned into mount patterns):
    # the routing then matches httpx's documented behaviour, curl-style NO_PROXY rules included.
    from httpx._utils import get_environment_proxies

    mounts: dict[str, T | None] = {}
    for pattern, url in get_environment_proxies().items():
        if url is None:
            mounts[pattern] = None
            continue
        try:
            mounts[pattern] = wrap(make_transport(url))
        except (ValueError, TypeError, ImportError, httpx.InvalidURL) as exc:
            raise ConfigurationError(
                f"the proxy {masked_proxy(url)} from the environment (for {pattern}) cannot be used: {exc}. Fix the "
                "proxy variable (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY), or pass trust_env=False to connect directly."
            ) from None
    return mounts


def masked_proxy(url: object) -> str:
    """A proxy URL fit for a message: user information masked (``'http://***@proxy:3128'``)."""
    return mask_url_secrets(url)


def _install_deadline(transport: httpx.BaseTransport | httpx.AsyncBaseTransport) -> None:
    """The call's deadline inside every read, as for direct requests (httpcore loads with the first client)."""
    from . import _network

    _network.install(transport)


def _through(name: str, exc: httpx.TransportError, request: httpx.Request) -> httpx.TransportError:
    return type(exc)(f"through the proxy {name}: {exc}".rstrip(": "), request=request)


class ProxyTransport(httpx.BaseTransport):
    """An `httpx.HTTPTransport` to one proxy whose failures name that proxy."""

    def __init__(self, url: str, *, trust_env: bool = True) -> None:
        # The name keeps the place of the credentials (masked): httpx.Proxy moves them out of its URL.
        self._name = masked_proxy(url)
        self._inner = httpx.HTTPTransport(proxy=httpx.Proxy(url), trust_env=trust_env)
        _install_deadline(self._inner)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return self._inner.handle_request(request)
        except httpx.TransportError as exc:
            raise _through(self._name, exc, request) from exc

    def close(self) -> None:
        self._inner.close()


class AsyncProxyTransport(httpx.AsyncBaseTransport):
    """The async twin of `ProxyTransport`."""

    def __init__(self, url: str, *, trust_env: bool = True) -> None:
        # The name keeps the place of the credentials (masked): httpx.Proxy moves them out of its URL.
        self._name = masked_proxy(url)
        self._inner = httpx.AsyncHTTPTransport(proxy=httpx.Proxy(url), trust_env=trust_env)
        _install_deadline(self._inner)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._inner.handle_async_request(request)
        except httpx.TransportError as exc:
            raise _through(self._name, exc, request) from exc

    async def aclose(self) -> None:
        await self._inner.aclose()
