"""The callbacks registered with `session.on(kind, callback)`: which messages they take, and in what order.

A message that at least one registered callback matches goes to the callbacks (every matching one, in the
order they were registered) and NOT to iteration or `recv()`; every other message stays for iteration and
`recv()`. So each message is delivered once, and each side sees its messages in the order the server sent them.
Registering a callback only routes messages received from then on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._exceptions import InvalidRequestError
from ._messages import LiveMessage

__all__ = ["ALL_MESSAGES", "Callback", "MessageCallbacks", "MessageKind", "message_type"]

ALL_MESSAGES = "*"
"""The kind that matches every message."""

Callback = Callable[[Any], Any]
"""Takes one message; in `AsyncLiveSession` it may return an awaitable, which is awaited before the next one."""

MessageKind = str | type
"""A message `type` value (``"transcript"``, ``"post_final_transcript"``, ...), a message class
(`TranscriptMessage`), or ``"*"`` for every message."""


def message_type(message: LiveMessage) -> str | None:
    """The `type` value of `message` as text (generated models hold an enum)."""
    kind = getattr(message, "type", None)
    kind = getattr(kind, "value", kind)
    return kind if isinstance(kind, str) else None


class MessageCallbacks:
    """The registered callbacks, in registration order."""

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: list[tuple[MessageKind, Callback]] = []

    def __bool__(self) -> bool:
        return bool(self._entries)

    def add(self, kind: object, callback: object) -> None:
        """Register `callback` for messages of `kind`; bad arguments raise `InvalidRequestError`."""
        if not (isinstance(kind, str) and kind) and not isinstance(kind, type):
            raise InvalidRequestError(
                f"on() takes a message type such as 'transcript', a message class such as TranscriptMessage, or "
                f"'*' for every message; got {kind!r}"
            )
        if not callable(callback):
            raise InvalidRequestError(f"on() takes a callable taking one message, got {type(callback).__name__}")
        self._entries.append((kind, callback))

    def matching(self, message: LiveMessage) -> list[Callback]:
        """The callbacks `message` goes to, in registration order (empty: it goes to iteration and `recv()`)."""
        if not self._entries:
            return []
        kind = message_type(message)
        return [
            callback
            for key, callback in self._entries
            if key in (ALL_MESSAGES, kind) or (isinstance(key, type) and isinstance(message, key))
        ]

    @staticmethod
    def describe(callback: Callback) -> str:
        return getattr(callback, "__qualname__", None) or type(callback).__name__
