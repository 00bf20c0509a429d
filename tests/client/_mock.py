"""A scripted `httpx.MockTransport` for unit tests of single functions of the client.

It records every request exactly as httpx would put it on the wire and answers from a queue of responses
(or exceptions to raise), falling back to a default answer when the queue is empty.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any

import httpx

from gladia_live_client import AsyncGladiaLive, GladiaLive

SECRET = "sk-test-3f9a1c0e7b2d4e6f"
JOB_ID = "45463597-20b7-4af7-b3b3-f5fb778203ab"
JOB = {
    "id": JOB_ID,
    "request_id": "G-45463597",
    "version": 2,
    "status": "done",
    "created_at": "2024-01-01T00:00:00.000Z",
    "kind": "live",
}

EMPTY_PAGE = {
    "first": "https://api.gladia.io/v2/live?offset=0&limit=20",
    "current": "https://api.gladia.io/v2/live?offset=0&limit=20",
    "next": None,
    "items": [],
}

Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class Script:
    """Answers queued with `then`; `requests` holds every request received."""

    def __init__(self, default: Answer | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self._queue: deque[Answer] = deque()
        self._default: Answer = default if default is not None else httpx.Response(200, json=JOB)
        self._lock = threading.Lock()

    def then(self, *answers: Answer) -> Script:
        self._queue.extend(answers)
        return self

    def handle(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
            answer = self._queue.popleft() if self._queue else self._default
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        if not hasattr(answer, "_content"):
            return answer  # a streamed body, served once
        # A fresh copy each time: a Response's stream can be read once.
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def sync_client(self, **kwargs: Any) -> GladiaLive:
        kwargs.setdefault("api_key", SECRET)
        kwargs.setdefault("base_url", "https://api.gladia.io")
        return GladiaLive(transport=self.transport(), **kwargs)

    def async_client(self, **kwargs: Any) -> AsyncGladiaLive:
        kwargs.setdefault("api_key", SECRET)
        kwargs.setdefault("base_url", "https://api.gladia.io")
        return AsyncGladiaLive(transport=self.transport(), **kwargs)


def error(status: int, message: str = "boom", request_id: str = "G-0000abcd", **extra: Any) -> httpx.Response:
    """A JSON error body as Gladia sends it."""
    body = {
        "timestamp": "2024-01-01T00:00:00.000Z",
        "path": "/v2/live",
        "request_id": request_id,
        "statusCode": status,
        "message": message,
        **extra,
    }
    return httpx.Response(status, json=body)
