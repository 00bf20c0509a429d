"""One DEBUG line per HTTP attempt, on the ``gladia_live_client.http`` logger.

The transports here sit under the retry transport, so each attempt (the first one and every retry) is one
line: method, path (never the query string), status, time to the response (its headers, and its body for a
JSON answer, which `._limits` reads under this transport), request id and attempt number. Nothing else of the request is logged: headers carry the API key and the ``POST /v2/live`` answer
carries the WebSocket URL with its token.
"""

from __future__ import annotations

import logging
import time

import httpx

from ._error_body import request_id_of
from ._log import package_logger

__all__ = ["ATTEMPT_EXTENSION", "AsyncLoggingTransport", "LoggingTransport", "logger"]

logger = package_logger("gladia_live_client.http")

# The retry transport sends the same `httpx.Request` object again; this extension counts the attempts.
ATTEMPT_EXTENSION = "gladia_live_client.attempt"


def _start(request: httpx.Request) -> int:
    attempt = int(request.extensions.get(ATTEMPT_EXTENSION, 0)) + 1
    request.extensions[ATTEMPT_EXTENSION] = attempt
    return attempt


def _log_response(request: httpx.Request, response: httpx.Response, started: float, attempt: int) -> None:
    logger.debug(
        "HTTP %s %s -> %d in %.1f ms (request_id=%s, attempt=%d)",
        request.method,
        request.url.path,
        response.status_code,
        (time.perf_counter() - started) * 1000,
        request_id_of(response) or "-",
        attempt,
    )


def _log_failure(request: httpx.Request, exc: Exception, started: float, attempt: int) -> None:
    logger.debug(
        "HTTP %s %s -> %s after %.1f ms (request_id=-, attempt=%d)",
        request.method,
        request.url.path,
        type(exc).__name__,
        (time.perf_counter() - started) * 1000,
        attempt,
    )


class LoggingTransport(httpx.BaseTransport):
    """Log each request sent through ``inner``; close ``inner`` only if this transport owns it."""

    def __init__(self, inner: httpx.BaseTransport, *, owns_inner: bool) -> None:
        self._inner = inner
        self._owns_inner = owns_inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        attempt = _start(request)
        started = time.perf_counter()
        try:
            response = self._inner.handle_request(request)
        except Exception as exc:
            if logger.isEnabledFor(logging.DEBUG):
                _log_failure(request, exc, started, attempt)
            raise
        if logger.isEnabledFor(logging.DEBUG):
            if response.is_error:
                # The request id of an error is in its JSON body, read already (and capped) by `._limits`.
                response.read()
            _log_response(request, response, started, attempt)
        return response

    def close(self) -> None:
        if self._owns_inner:
            self._inner.close()


class AsyncLoggingTransport(httpx.AsyncBaseTransport):
    """The async twin of `LoggingTransport`."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, owns_inner: bool) -> None:
        self._inner = inner
        self._owns_inner = owns_inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        attempt = _start(request)
        started = time.perf_counter()
        try:
            response = await self._inner.handle_async_request(request)
        except Exception as exc:
            if logger.isEnabledFor(logging.DEBUG):
                _log_failure(request, exc, started, attempt)
            raise
        if logger.isEnabledFor(logging.DEBUG):
            if response.is_error:
                await response.aread()
            _log_response(request, response, started, attempt)
        return response

    async def aclose(self) -> None:
        if self._owns_inner:
            await self._inner.aclose()
