"""Send through a caller's `httpx.Client` / `httpx.AsyncClient` (``http_client=``) as if it were a transport.

The client keeps its own httpx client, whose transport stack (retries, logging, limits: see `._retries`,
`._logging`, `._limits`) ends here instead of at a network transport: each attempt goes out through the
caller's client with ``send``, so its transport, proxies, TLS settings, auth, cookies and event hooks apply.
``send`` does not merge the caller's default headers (``build_request`` does), so they are added here where
the request has no header of that name: the client's own headers (the API key first) always win. Redirects
are never followed, as by the client itself. Closing never closes the caller's client.
"""

from __future__ import annotations

import httpx

from ._exceptions import ClientClosedError

__all__ = ["AsyncCallerClientTransport", "CallerClientTransport"]


def _with_client_headers(request: httpx.Request, client: httpx.Client | httpx.AsyncClient) -> None:
    if client.is_closed:  # httpx's own error would be a bare RuntimeError
        raise ClientClosedError("the http_client= given to this client was closed by its owner; nothing was sent")
    for name, value in client.headers.multi_items():
        if name not in request.headers:
            request.headers[name] = value


class CallerClientTransport(httpx.BaseTransport):
    """A transport that sends each request through the caller's `httpx.Client`."""

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        _with_client_headers(request, self._client)
        return self._client.send(request, stream=True, follow_redirects=False)

    def close(self) -> None:
        """Nothing: the caller's client is the caller's to close."""


class AsyncCallerClientTransport(httpx.AsyncBaseTransport):
    """A transport that sends each request through the caller's `httpx.AsyncClient`."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        _with_client_headers(request, self._client)
        return await self._client.send(request, stream=True, follow_redirects=False)

    async def aclose(self) -> None:
        """Nothing: the caller's client is the caller's to close."""
