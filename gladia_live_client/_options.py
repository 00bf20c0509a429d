"""Per-call options: what one call of a REST method may change for itself alone.

Every REST method of `GladiaLive` and `AsyncGladiaLive` takes these keyword arguments (`RequestOptions`); each
overrides the client's setting for that call only. `resolve_options` checks them and merges them with the
client's settings into the `CallOptions` the sending uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, TypedDict

import httpx

from ._config import ClientConfig, check_deadline, check_max_retries, check_timeout
from ._exceptions import InvalidRequestError

__all__ = ["PROTECTED_HEADERS", "CallOptions", "RequestOptions", "resolve_options"]

# Headers the client decides alone: the API key (a per-call key would bypass the client's secret masking;
# use `with_options(api_key=...)`).
PROTECTED_HEADERS: Final = frozenset({"x-gladia-key"})


class RequestOptions(TypedDict, total=False):
    """Keyword arguments every REST method accepts; each overrides the client's setting for this call only.

    Keys:
        timeout: seconds or an `httpx.Timeout`, for each network operation of this call.
        max_retries: retries after the first attempt for this call (0: no retry).
        deadline: seconds this whole call may take (connecting, attempts, waits, the body).
        extra_headers: headers added to the request (they win over the client's, the API key excepted:
            ``x-gladia-key`` raises `InvalidRequestError`).
        extra_query: query parameters added to the request (they win over the method's own).
    """

    timeout: float | httpx.Timeout
    max_retries: int
    deadline: float
    extra_headers: Mapping[str, str]
    extra_query: Mapping[str, Any]


@dataclass(frozen=True)
class CallOptions:
    """The settings of one call: the client's, overridden by the call's `RequestOptions`."""

    timeout: httpx.Timeout
    max_retries: int
    deadline: float
    max_response_bytes: int
    headers: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)


def resolve_options(config: ClientConfig, options: Mapping[str, Any]) -> CallOptions:
    """``config`` overridden by ``options``; `InvalidRequestError` for an unknown key or a bad value."""
    unknown = sorted(set(options) - set(RequestOptions.__annotations__))
    if unknown:
        known = ", ".join(sorted(RequestOptions.__annotations__))
        raise InvalidRequestError(f"unknown option(s) {', '.join(unknown)}; the per-call options are {known}.")
    timeout = options.get("timeout")
    max_retries = options.get("max_retries")
    deadline = options.get("deadline")
    return CallOptions(
        timeout=config.timeout if timeout is None else check_timeout(timeout, InvalidRequestError),
        max_retries=config.max_retries if max_retries is None else check_max_retries(max_retries, InvalidRequestError),
        deadline=config.deadline if deadline is None else check_deadline(deadline, InvalidRequestError),
        max_response_bytes=config.max_response_bytes,
        headers=_headers(options.get("extra_headers")),
        params=_query(options.get("extra_query")),
    )


def _headers(value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidRequestError(f"extra_headers must be a mapping of names to values, not {type(value).__name__}.")
    headers: dict[str, str] = {}
    for name, header in value.items():
        if not isinstance(name, str) or not isinstance(header, str):
            raise InvalidRequestError(f"extra_headers names and values must be strings, got {name!r}.")
        if name.strip().lower() in PROTECTED_HEADERS:
            raise InvalidRequestError(
                f"extra_headers cannot set {name!r}: the client sends its API key itself; "
                "use client.with_options(api_key=...) for another key."
            )
        headers[name] = header
    return headers


def _query(value: object) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(name, str) for name in value):
        raise InvalidRequestError("extra_query must be a mapping with string keys.")
    return dict(value)
