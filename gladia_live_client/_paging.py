"""The loop guard of `iter_jobs`: a walk over pages stops with a typed error instead of running forever.

`BaseGladiaLive._next_page_filters` already refuses a ``next`` link that does not move the offset forward. A server can
still move the offset and serve the same jobs again (a ``next`` link that never ends, pages that cycle): the
walk remembers the id of every job it has returned and refuses a page made only of jobs already returned.
Memory grows by under 100 bytes per job (a hash per id), for the length of one walk.

A page that repeats only some jobs is legitimate (jobs created during the walk shift later pages), so its
jobs are returned as the server sent them. A whole page of repeats would need a full page of new jobs created
between two requests; the error then names both offsets, so a caller can start the walk again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._exceptions import APIResponseValidationError

if TYPE_CHECKING:
    import httpx

    from ._generated.models.list_streaming_response import ListStreamingResponse

__all__ = ["PageWalk"]


class PageWalk:
    """The jobs one `iter_jobs` walk has returned; `check` each page before returning its jobs."""

    def __init__(self) -> None:
        self._seen: set[int] = set()
        self._pages = 0

    def check(self, page: ListStreamingResponse, filters: Mapping[str, Any], response: httpx.Response) -> None:
        """Raise `APIResponseValidationError` if every job of a non-empty ``page`` was returned before."""
        self._pages += 1
        ids = {hash(str(job.id)) for job in page.items}
        if ids and ids <= self._seen:
            offset = int(filters.get("offset", 0))
            raise APIResponseValidationError(
                f"list_jobs: page {self._pages} (offset {offset}) holds only jobs already returned by this walk: "
                "the server's next links repeat pages; stopped instead of looping",
                response=response,
                request_id=None,
                body=None,
            )
        self._seen |= ids
