"""The retry policy, built on `httpx-retries` (a `RetryTransport` under the client's `httpx` client).

Policy (``max_retries`` = retries after the first attempt; default 2; 0 disables retrying):

* ``GET``, ``DELETE`` and ``PATCH`` (``get_job``, ``list_jobs``, ``get_audio``, ``delete_job``, ``patch_job``)
  are retried on statuses 408, 429, 500, 502, 503 and 504, and on transport failures (connect errors,
  timeouts, connections dropped before a response). Deleting or patching twice has the effect of doing it
  once; the only visible difference is that a DELETE whose first attempt succeeded unseen answers 404.
* ``POST /v2/live`` (``init_session``) creates a live session, so it is retried only when the server cannot
  have created one: the connection was never established (refused, connect timeout, no pooled connection
  free) or the answer is 429 (rate limited before any work). A 5xx, a timeout after the request was sent or a
  dropped connection may hide a created session, so they raise at once: a retry must never create a
  duplicate session.
* Waits grow exponentially with jitter (about 0.5 s, 1 s, 2 s, ... at most 8 s). A ``Retry-After`` header
  (seconds, fractional seconds or an HTTP date) replaces the computed wait, capped at 60 s.
* Under the call's deadline (see `._limits`): a wait that would end after the deadline is not waited for;
  the call raises the error of the last attempt at once, saying why it was not retried.
* Retries happen before the response body is read: a download that breaks in the middle of the body is
  not resumed; it raises `APIConnectionError` (and leaves no partial file behind).

Why `httpx-retries` as is: its `Retry` reads a policy per request from ``request.extensions["retry"]``, which
gives ``POST /v2/live`` its own narrow policy while every other request uses the default one, and it works
for streamed responses. Two small overrides below keep within its documented extension points: the
``Retry-After`` parser also accepts fractional seconds, the exponential backoff has its own cap so the
``Retry-After`` cap (``max_backoff_wait``) can be larger, and the waits (``sleep``/``asleep``) respect the
deadline.
"""

from __future__ import annotations

import math
import random
import time
from http import HTTPStatus

import httpx
from httpx_retries import Retry, RetryTransport

from ._limits import RetryStopped, current_call

__all__ = [
    "MAX_BACKOFF",
    "MAX_RETRY_AFTER",
    "RETRY_STATUSES",
    "RetryPolicy",
]

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
INITIAL_BACKOFF = 0.5
MAX_BACKOFF = 8.0
MAX_RETRY_AFTER = 60.0
BACKOFF_JITTER = 0.5

_IDEMPOTENT_METHODS = ("GET", "HEAD", "DELETE", "PATCH")
# Raised before the request could reach the server: retrying cannot duplicate a session.
_NOT_SENT_ERRORS: tuple[type[Exception], ...] = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class _Retry(Retry):
    """`Retry` with a fractional ``Retry-After`` and a backoff capped apart from the ``Retry-After`` cap."""

    def parse_retry_after(self, retry_after: str) -> float:
        # A number, else an HTTP date; the base class raises `ValueError` for anything else (a negative or
        # non-finite number included), which `_retry_after` reads as "no usable Retry-After".
        try:
            seconds = float(retry_after.strip())
        except ValueError:
            seconds = math.nan
        if not math.isfinite(seconds) or seconds < 0:
            return super().parse_retry_after(retry_after)
        return seconds

    def backoff_strategy(self) -> float:
        # attempts_made is 1 before the first retry: 0.5 s, 1 s, 2 s, ... up to 8 s, then a jitter in [0.5, 1]
        # (capped before the jitter, unlike the base class, so waits at the cap stay spread out).
        if self.backoff_factor == 0:
            return 0.0
        nominal = min(self.backoff_factor * 2.0**self.attempts_made, MAX_BACKOFF)
        return nominal * random.uniform(1 - self.backoff_jitter, 1)

    def sleep(self, response: httpx.Response | Exception) -> None:
        wait = self._wait_within_deadline(response)
        time.sleep(wait)
        self.elapsed_sleep += wait

    async def asleep(self, response: httpx.Response | Exception) -> None:
        import anyio  # only async clients need it

        wait = self._wait_within_deadline(response)
        await anyio.sleep(wait)
        self.elapsed_sleep += wait

    def _wait_within_deadline(self, outcome: httpx.Response | Exception) -> float:
        """The wait before the next attempt; `RetryStopped` if the attempt would start after the deadline."""
        asked = self._retry_after(outcome)
        if asked is not None and asked > 0:
            wait = min(asked, self.max_backoff_wait)
        else:
            wait = self.backoff_strategy() if self.attempts_made > 0 else 0.0
        call = current_call()
        if call is None:
            return wait
        remaining = call.remaining()
        if wait < remaining:
            return wait
        if asked is not None and asked > 0:
            note = (
                f"not retried: the server asked to wait {asked:g} s (Retry-After), longer than the "
                f"{max(remaining, 0):.1f} s left of the call's {call.deadline:g} s deadline"
            )
        else:
            note = (
                f"not retried: the next attempt would start after the call's {call.deadline:g} s deadline "
                f"({max(remaining, 0):.1f} s left)"
            )
        raise RetryStopped(outcome, note)

    def _retry_after(self, outcome: httpx.Response | Exception) -> float | None:
        if not self.respect_retry_after_header or not isinstance(outcome, httpx.Response):
            return None
        value = outcome.headers.get("Retry-After", "").strip()
        if not value:
            return None
        try:
            return self.parse_retry_after(value)
        except ValueError:
            return None  # unreadable: the exponential backoff applies


class RetryPolicy:
    """The two `Retry` configurations of one client and the transport that applies them."""

    def __init__(self, max_retries: int) -> None:
        self.max_retries = max_retries
        self.default: Retry = _retry(max_retries, _IDEMPOTENT_METHODS, RETRY_STATUSES, None)
        self.create_session: Retry = _retry(max_retries, ("POST",), (HTTPStatus.TOO_MANY_REQUESTS,), _NOT_SENT_ERRORS)

    def transport(self, inner: httpx.BaseTransport | httpx.AsyncBaseTransport) -> RetryTransport:
        """Wrap ``inner``; requests without a ``retry`` extension get the default (never-POST) policy."""
        return RetryTransport(transport=inner, retry=self.default)


def _retry(
    max_retries: int,
    methods: tuple[str, ...],
    statuses: frozenset[int] | tuple[int, ...],
    exceptions: tuple[type[Exception], ...] | None,
) -> Retry:
    return _Retry(
        total=max_retries,
        allowed_methods=methods,
        status_forcelist=statuses,
        retry_on_exceptions=exceptions,  # None: httpx-retries' default, every transport failure
        backoff_factor=INITIAL_BACKOFF / 2,
        backoff_jitter=BACKOFF_JITTER,
        max_backoff_wait=MAX_RETRY_AFTER,
        respect_retry_after_header=True,
    )
