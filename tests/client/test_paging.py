"""`iter_jobs` follows ``next`` with the caller's filters, over `httpx.MockTransport`."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from gladia_live_client import APIResponseValidationError

from ._mock import JOB, Script


def job(number: int) -> dict[str, Any]:
    return {**JOB, "id": f"00000000-0000-4000-8000-{number:012d}"}


def page(offset: int, count: int, next_url: str | None) -> httpx.Response:
    items = [job(offset + i) for i in range(count)]
    return httpx.Response(200, json={"first": "f", "current": "c", "next": next_url, "items": items})


def params(request: httpx.Request) -> dict[str, list[str]]:
    return parse_qs(request.url.query.decode())


def test_iter_jobs_walks_every_page_with_the_same_filters() -> None:
    script = Script().then(
        # The next links name another host and spread custom_metadata the way upstream does: ignored but the offset.
        page(0, 2, "https://api.gladia.io/v2/live?offset=2&limit=2&status=done&user=John"),
        page(2, 2, "https://elsewhere.example/v2/live?offset=4&limit=2"),
        page(4, 1, None),
    )
    with script.sync_client() as gladia:
        jobs = list(gladia.iter_jobs(limit=2, status=["done"], custom_metadata={"user": "John"}))
    assert [str(j.id)[-2:] for j in jobs] == ["00", "01", "02", "03", "04"]
    assert [params(r).get("offset") for r in script.requests] == [None, ["2"], ["4"]]
    for request in script.requests:
        assert request.url.host == "api.gladia.io"
        assert params(request)["limit"] == ["2"]
        assert params(request)["status"] == ["done"]
        assert params(request)["custom_metadata"] == ['{"user":"John"}']
        assert "user" not in params(request)


def test_a_next_link_without_offset_continues_after_the_items_received() -> None:
    script = Script().then(page(0, 3, "https://api.gladia.io/v2/live?page=2"), page(3, 1, None))
    with script.sync_client() as gladia:
        assert len(list(gladia.iter_jobs())) == 4
    assert params(script.requests[1])["offset"] == ["3"]


def test_an_empty_page_ends_the_walk_even_with_a_next_link() -> None:
    script = Script().then(page(0, 0, "https://api.gladia.io/v2/live?offset=20"))
    with script.sync_client() as gladia:
        assert list(gladia.iter_jobs()) == []
    assert len(script.requests) == 1


@pytest.mark.parametrize("next_url", ["https://api.gladia.io/v2/live?offset=0", "https://x/v2/live?offset=abc"])
def test_a_next_link_that_does_not_advance_is_an_error_not_a_loop(next_url: str) -> None:
    script = Script().then(page(0, 2, next_url))
    with script.sync_client() as gladia, pytest.raises(APIResponseValidationError, match="does not move past"):
        list(gladia.iter_jobs())
    assert len(script.requests) == 1


def test_requests_are_sent_only_as_the_iterator_is_consumed() -> None:
    script = Script().then(page(0, 1, "https://api.gladia.io/v2/live?offset=1"), page(1, 1, None))
    with script.sync_client() as gladia:
        jobs = gladia.iter_jobs()
        assert script.requests == []
        next(jobs)
        assert len(script.requests) == 1


async def test_async_iter_jobs() -> None:
    script = Script().then(
        page(0, 2, "https://api.gladia.io/v2/live?offset=2&limit=2"), page(2, 2, None), page(0, 2, "next")
    )
    async with script.async_client() as gladia:
        jobs = [j async for j in gladia.iter_jobs(limit=2, date="2026-08-22")]
        first_page = await gladia.list_jobs(limit=2)
    assert len(jobs) == 4
    assert [params(r).get("offset") for r in script.requests[:2]] == [None, ["2"]]
    assert all(params(r)["date"] == ["2026-08-22"] for r in script.requests[:2])
    assert len(first_page.items) == 2
    assert params(script.requests[2]) == {"limit": ["2"]}
