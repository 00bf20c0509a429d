"""Raw responses: the HTTP answer of a successful call, next to the model it parses to.

``client.with_raw_response.get_job(id)`` runs the ordinary ``client.get_job(id)`` (same checks, retries,
limits and typed errors) while the client notes the `httpx.Response` it reads the result from; the wrapper
returns both as a `RawResponse`. The noting is a context variable, set only for the wrapped call, so the
methods themselves stay unchanged and concurrent calls never see each other's response.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from typing import Generic, ParamSpec, TypeVar

import httpx

from ._error_body import request_id_of

__all__ = ["RawResponse", "async_raw_wrapper", "note_response", "raw_wrapper"]

T = TypeVar("T")
P = ParamSpec("P")

# The list the current wrapped call notes its responses in; None outside `with_raw_response`.
_noted: ContextVar[list[httpx.Response] | None] = ContextVar("gladia_live_client.raw_responses", default=None)


class RawResponse(Generic[T]):
    """The HTTP answer of a successful call and its parsed result.

    Attributes:
        http_response: the `httpx.Response` (its body already read, or consumed by the download).
        status_code, headers: those of ``http_response``.
        request_id: the server's request id from the ``x-request-id`` (or ``request-id``,
            ``x-gladia-request-id``) header; None when the server sends none.
    """

    def __init__(self, http_response: httpx.Response, parsed: T) -> None:
        self.http_response = http_response
        self._parsed = parsed

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        return request_id_of(self.http_response)

    def parse(self) -> T:
        """What the ordinary method returns (the model, ``None``, or a download's byte count)."""
        return self._parsed

    def __repr__(self) -> str:
        request = self.http_response.request
        return f"<RawResponse [{self.status_code}] {request.method} {request.url.path}>"


def note_response(response: httpx.Response) -> None:
    """Called by the client for each answer it reads a result from; kept only inside a wrapped call."""
    noted = _noted.get()
    if noted is not None:
        noted.append(response)


@contextlib.contextmanager
def _noting() -> Iterator[list[httpx.Response]]:
    noted: list[httpx.Response] = []
    token = _noted.set(noted)
    try:
        yield noted
    finally:
        _noted.reset(token)


def _raw(noted: list[httpx.Response], parsed: T) -> RawResponse[T]:
    # Every wrapped method reads the answer it returns a result from (the last noted) before returning.
    return RawResponse(noted[-1], parsed)


def raw_wrapper(method: Callable[P, T]) -> Callable[P, RawResponse[T]]:
    """``method`` returning a `RawResponse` of its result."""

    @functools.wraps(method)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
        with _noting() as noted:
            return _raw(noted, method(*args, **kwargs))

    return wrapped


def async_raw_wrapper(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[RawResponse[T]]]:
    """``method`` (a coroutine function) returning a `RawResponse` of its result."""

    @functools.wraps(method)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
        with _noting() as noted:
            return _raw(noted, await method(*args, **kwargs))

    return wrapped
