"""The server's in-memory state: sessions by id and by WebSocket token, request counters, listing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from ._session import ServerSession
from ._spec import ListQuery

__all__ = ["Store"]


def _contains(metadata: Any, wanted: Mapping[str, Any]) -> bool:
    """Subset match: every key of `wanted` is in `metadata` with an equal value."""
    if not wanted:
        return True
    if not isinstance(metadata, Mapping):
        return False
    return all(key in metadata and metadata[key] == value for key, value in wanted.items())


class Store:
    """Every session of one server. Only the server's event loop touches it (inspection is marshalled there)."""

    def __init__(self, script: Sequence[str]) -> None:
        self.script = tuple(script)
        self._sessions: dict[str, ServerSession] = {}
        self._by_token: dict[str, ServerSession] = {}
        self.request_counts: Counter[str] = Counter()
        self.sessions_created = 0

    def create(
        self, *, params: dict[str, Any], custom_metadata: dict[str, Any] | None, region: str | None
    ) -> ServerSession:
        session = ServerSession(params=params, custom_metadata=custom_metadata, region=region, script=self.script)
        self._sessions[session.id] = session
        self._by_token[session.token] = session
        self.sessions_created += 1
        return session

    def get(self, job_id: str) -> ServerSession | None:
        """The session of a job that exists and was not deleted."""
        session = self._sessions.get(job_id)
        return None if session is None or session.deleted else session

    def require(self, job_id: str) -> ServerSession:
        """Like `get`, for inspection: KeyError when the job does not exist (or was deleted)."""
        session = self.get(job_id)
        if session is None:
            raise KeyError(job_id)
        return session

    def by_token(self, token: str | None) -> ServerSession | None:
        session = self._by_token.get(token) if token else None
        return None if session is None or session.deleted else session

    def delete(self, session: ServerSession) -> None:
        # The id stays known (deleted) so a second DELETE and every later request answer 404, not a new job.
        session.deleted = True
        session.audio = bytearray()
        session.result = None
        self._by_token.pop(session.token, None)

    def list(self, query: ListQuery) -> tuple[list[ServerSession], bool]:
        """The page of jobs matching the filters, newest first, and whether more match after it."""
        page: list[ServerSession] = []
        skipped = 0
        for session in reversed(self._sessions.values()):
            if not self._matches(session, query):
                continue
            if skipped < query.offset:
                skipped += 1
            elif len(page) < query.limit:
                page.append(session)
            else:
                return page, True  # one match past the page is enough to know a next page exists
        return page, False

    @staticmethod
    def _matches(session: ServerSession, query: ListQuery) -> bool:
        if session.deleted:
            return False
        if query.status is not None and session.status not in query.status:
            return False
        if query.date is not None and session.created_at.date() != query.date:
            return False
        if query.before is not None and not session.created_at < query.before:
            return False
        if query.after is not None and not session.created_at > query.after:
            return False
        return query.custom_metadata is None or _contains(session.custom_metadata, query.custom_metadata)
