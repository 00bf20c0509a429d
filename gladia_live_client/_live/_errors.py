"""Errors raised by live sessions.

Every error names what happened in words and carries the facts as attributes; none of them ever holds the
WebSocket URL's token: URLs and close reasons are masked before they reach an error, and `GladiaError`
redacts every message again (see `.._redaction`).
"""

from __future__ import annotations

from .._exceptions import GladiaError
from .._redaction import redact

__all__ = [
    "AudioFormatError",
    "LiveBacklogError",
    "LiveCallbackError",
    "LiveConnectionError",
    "LiveError",
    "LiveHandshakeRejected",
    "LiveSessionClosed",
    "LiveSessionEnded",
    "LiveSessionIncomplete",
    "LiveStateError",
    "LiveTimeoutError",
]


class LiveError(GladiaError):
    """Base class of every error a live session raises (a `GladiaError`).

    Attributes:
        server_message: the server message the error is about, when there is one (an untyped final result).
    """

    server_message: object = None

    def with_server_message(self, message: object) -> LiveError:
        self.server_message = message
        return self


class LiveConnectionError(LiveError):
    """The session could not (re)connect: the reconnect policy gave up.

    Attributes:
        attempts: connection attempts made in the last unbroken run of failures.
        elapsed: seconds from the first failure of that run to giving up.
        close_code: the close code of the last connection, when it was closed by a close frame.
        close_reason: the close reason that came with `close_code`.
    """

    def __init__(
        self,
        message: str,
        *,
        attempts: int = 0,
        elapsed: float = 0.0,
        close_code: int | None = None,
        close_reason: str | None = None,
    ) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.elapsed = elapsed
        self.close_code = close_code
        self.close_reason = redact(close_reason) if close_reason is not None else None


class LiveHandshakeRejected(LiveConnectionError):
    """The server refused the WebSocket handshake with an HTTP status that retrying cannot fix (403, 404, ...).

    Gladia answers 403 once a session's URL may no longer be used (for instance after repeated failures).
    """

    def __init__(self, message: str, *, status_code: int, attempts: int = 1) -> None:
        super().__init__(message, attempts=attempts)
        self.status_code = status_code


class LiveSessionClosed(LiveError):
    """The server closed the session with a terminal close code (1000, 1001, 4400-4499) before its normal end.

    The normal end is `end_session`, or (without lifecycle events) close 1000 once `stop_recording` and all
    audio were acknowledged.

    Attributes:
        close_code, close_reason: as the server sent them.
        unacknowledged_bytes: audio the server never acknowledged, so never committed.
    """

    def __init__(self, message: str, *, close_code: int, close_reason: str, unacknowledged_bytes: int) -> None:
        super().__init__(message)
        self.close_code = close_code
        self.close_reason = redact(close_reason) if close_reason is not None else None
        self.unacknowledged_bytes = unacknowledged_bytes


class LiveBacklogError(LiveError):
    """The caller left so many messages unread (or the callbacks registered with `on()` fell so far behind) that
    one which must not be dropped (a final transcript, a post-processing result) found the backlog full: read
    messages while sending (`recv(timeout=...)` in the send loop, callbacks, or iterating the session in another
    thread or task), or raise `LiveOptions.max_unread_messages` / `max_unread_bytes`.

    Attributes:
        unread_messages, unread_bytes: what the backlog held (still readable by iterating the session).
    """

    def __init__(self, message: str, *, unread_messages: int, unread_bytes: int) -> None:
        super().__init__(message)
        self.unread_messages = unread_messages
        self.unread_bytes = unread_bytes


class LiveSessionIncomplete(LiveError):
    """The server ended the session (`end_session`) while audio it never acknowledged was still buffered.

    The server may not have that audio, so the transcript may miss it: the session reports it rather than
    ending as if all were well. Every message the server sent was delivered before this error is raised
    (iterate the session to read them; `final_result()` raises this error instead of returning).

    Attributes:
        unacknowledged_bytes: audio bytes the server never acknowledged.
        bytes_acknowledged: the audio the server did acknowledge (a prefix of the session's audio).
    """

    def __init__(self, message: str, *, unacknowledged_bytes: int, bytes_acknowledged: int) -> None:
        super().__init__(message)
        self.unacknowledged_bytes = unacknowledged_bytes
        self.bytes_acknowledged = bytes_acknowledged


class LiveTimeoutError(LiveError, TimeoutError):
    """A bounded wait ran out; the session goes on. `close(timeout)` returned before the session ended (call
    `close()` again to keep waiting, or `abort()`), or `recv(timeout)` found no message in time (nothing is
    lost: the next message is still the next one). Also a builtin `TimeoutError`.

    Attributes:
        timeout: the seconds the call waited.
    """

    def __init__(self, message: str, *, timeout: float | None) -> None:
        super().__init__(message)
        self.timeout = timeout


class LiveStateError(LiveError, RuntimeError):
    """An operation the session's state does not allow (audio after `stop_recording()`, after the end, ...)."""


class LiveSessionEnded(LiveStateError):
    """`recv()` after the session ended normally and every message was read: where iteration stops, `recv()`
    raises this (a session that failed raises its own error instead, as iteration does)."""


class LiveCallbackError(LiveError):
    """A callback registered with `session.on(...)` raised. The session fails with this error (its connection is
    cut and the callbacks run no more): the caller's next call on the session raises it, and the callback's
    exception is its `__cause__`.

    Attributes:
        server_message: the message the callback was given.
        callback: the name of the callback that raised.
    """

    def __init__(self, message: str, *, callback: str) -> None:
        super().__init__(message)
        self.callback = callback


class AudioFormatError(LiveError, ValueError):
    """Audio that does not match the session's format, or a WAV header that cannot be read."""
