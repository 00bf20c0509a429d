"""`iter_jobs` against a real server on 127.0.0.1 whose ``next`` links never end, go back or cycle.

Each hostile server would keep a naive walker busy forever; the walk must end with a typed error after a few
pages. The server is a `http.server` of this test, so the client's real transport, retries and parsing run.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from gladia_live_client import APIResponseValidationError, AsyncGladiaLive, GladiaLive

from ._mock import JOB

# offset -> (job numbers of the page, offset of its next link or None)
Pages = Callable[[int], tuple[list[int], int | None]]


def job(number: int) -> dict[str, Any]:
    return {**JOB, "id": f"00000000-0000-4000-8000-{number:012d}"}


HOSTILE: dict[str, tuple[Pages, str]] = {
    # The probe's case: the same job on every page, the offset moving on by one, forever.
    "same-job-forever": (lambda offset: ([7], offset + 1), "only jobs already returned"),
    # Two pages in turn, the offset still moving forward.
    "two-page-cycle": (lambda offset: ([offset // 2 % 2 * 2, offset // 2 % 2 * 2 + 1], offset + 2), "already returned"),
    # A next link back to the first page.
    "back-to-start": (lambda offset: ([offset, offset + 1], 0), "does not move past"),
    # A next link to the page itself.
    "same-offset": (lambda offset: ([offset], offset), "does not move past"),
}


class PageServer:
    """Answers ``GET /v2/live?offset=N`` from ``pages``; counts the requests."""

    def __init__(self, pages: Pages) -> None:
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests += 1
                query = parse_qs(urlsplit(self.path).query)
                offset = int(query.get("offset", ["0"])[0])
                numbers, next_offset = pages(offset)
                base = f"http://127.0.0.1:{outer.port}/v2/live"
                body = json.dumps(
                    {
                        "first": f"{base}?offset=0",
                        "current": f"{base}?offset={offset}",
                        "next": None if next_offset is None else f"{base}?offset={next_offset}&limit=2",
                        "items": [job(n) for n in numbers],
                    }
                ).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> PageServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


@pytest.fixture(params=list(HOSTILE))
def hostile(request: pytest.FixtureRequest) -> Iterator[tuple[PageServer, str]]:
    pages, message = HOSTILE[request.param]
    with PageServer(pages) as server:
        yield server, message


def test_iter_jobs_stops_with_a_typed_error_on_looping_links(hostile: tuple[PageServer, str]) -> None:
    server, message = hostile
    returned: list[str] = []
    client = GladiaLive(api_key="k", base_url=server.base_url, timeout=5, max_retries=0)
    with client as gladia, pytest.raises(APIResponseValidationError, match=message):
        returned.extend(str(j.id) for j in gladia.iter_jobs(limit=2))
    assert server.requests <= 3
    if "already returned" in message:
        assert len(returned) == len(set(returned)), "the repeated page was refused, not returned"


async def test_async_iter_jobs_stops_with_a_typed_error_on_looping_links(hostile: tuple[PageServer, str]) -> None:
    server, message = hostile
    async with AsyncGladiaLive(api_key="k", base_url=server.base_url, timeout=5, max_retries=0) as gladia:
        with pytest.raises(APIResponseValidationError, match=message):
            async for _ in gladia.iter_jobs(limit=2):
                pass
    assert server.requests <= 3


def test_overlapping_pages_are_not_a_loop() -> None:
    # A job created during the walk shifts the list by one: the next page starts with the last job already seen.
    def shifted(offset: int) -> tuple[list[int], int | None]:
        return ([offset - 1, offset, offset + 1] if offset else [0, 1, 2]), (offset + 3 if offset < 9 else None)

    with PageServer(shifted) as server, GladiaLive(api_key="k", base_url=server.base_url, timeout=5) as gladia:
        numbers = [int(str(j.id)[-12:]) for j in gladia.iter_jobs(limit=3)]
    assert numbers == [0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert server.requests == 4
