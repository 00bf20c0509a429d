"""The messages the server sent and the caller has not read yet: a bounded queue with a drop policy.

The session reads its socket all the time, whether or not the caller reads messages: acknowledgements must
keep flowing, or a caller that sends a whole file before reading would block for ever once the audio buffer
fills. What the caller has not read waits here, bounded by count and by bytes (`LiveOptions.max_unread_messages`,
`LiveOptions.max_unread_bytes`). When the backlog is full, messages that a later message supersedes (partial
transcripts, acknowledgements) are dropped first and counted; a message that nothing supersedes (a final
transcript, a post-processing result, a lifecycle event) is never dropped: the session fails with
`LiveBacklogError` instead, which says how to read while sending.
"""

from __future__ import annotations

from collections import deque

from .._generated.models.audio_chunk_ack_message import AudioChunkAckMessage
from .._generated.models.stop_recording_ack_message import StopRecordingAckMessage
from .._generated.models.transcript_message import TranscriptMessage
from ._errors import LiveBacklogError
from ._messages import LiveMessage

__all__ = ["CALLBACKS_TOO_SLOW", "READ_WHILE_SENDING", "MessageBacklog", "is_superseded"]

READ_WHILE_SENDING = "read messages while sending (recv(timeout=...) in the send loop, callbacks, or iteration)"
CALLBACKS_TOO_SLOW = (
    "the callbacks registered with on() fall behind: return from them sooner (hand slow work to a queue of your own)"
)


# Never appended to (`push` replaces it first): maxlen=0 would drop what it is given.
_NO_ENTRIES: deque[tuple[LiveMessage, int, bool]] = deque(maxlen=0)


def is_superseded(message: LiveMessage) -> bool:
    """Whether a later message makes `message` redundant: a partial transcript (its final one follows) or a
    positive acknowledgement (the next one covers it). Such messages may be dropped when the backlog is full."""
    if isinstance(message, TranscriptMessage):
        return not message.data.is_final
    if isinstance(message, AudioChunkAckMessage | StopRecordingAckMessage):
        return message.acknowledged is True
    return False


class MessageBacklog:
    """Unread messages, oldest first, at most `max_messages` of them and about `max_bytes` of JSON.

    Each message is accounted at the size of the frame it came in (its JSON text), a stable proxy for the
    memory it holds. A single message larger than `max_bytes` is still taken when the backlog is empty, so a
    long session's final transcript (megabytes of JSON) always gets through to a reader.
    """

    __slots__ = ("_bytes", "_entries", "_superseded", "advice", "dropped", "max_bytes", "max_messages", "warned")

    def __init__(self, max_messages: int, max_bytes: int, advice: str = READ_WHILE_SENDING) -> None:
        self.max_messages = max_messages
        self.max_bytes = max_bytes
        self.advice = advice  # what the caller can do, in `LiveBacklogError`
        # Shared and empty until the first message (a deque allocates 600 bytes up front; a session without
        # callbacks never uses its second backlog).
        self._entries: deque[tuple[LiveMessage, int, bool]] = _NO_ENTRIES
        self._bytes = 0
        self._superseded = 0  # how many queued entries may be dropped
        self.dropped = 0
        self.warned = False

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def nbytes(self) -> int:
        return self._bytes

    def _fits(self, size: int) -> bool:
        if not self._entries:
            return True
        return len(self._entries) < self.max_messages and self._bytes + size <= self.max_bytes

    def push(self, messages: list[LiveMessage], frame_size: int) -> int:
        """Queue `messages` (parsed from one frame of `frame_size` bytes); return how many were dropped.

        Raises `LiveBacklogError` when a message that must not be dropped does not fit even after every
        droppable message queued was dropped (nothing is queued from this frame then).
        """
        if self._entries is _NO_ENTRIES:
            self._entries = deque()
        dropped = 0
        size = max(1, frame_size // max(1, len(messages)))
        for message in messages:
            superseded = is_superseded(message)
            entries = self._entries  # `_fits`, written out: it runs for every message
            if entries and (len(entries) >= self.max_messages or self._bytes + size > self.max_bytes):
                if superseded:
                    dropped += 1  # the newest partial result goes; the final one that follows is kept
                    continue
                dropped += self._drop_superseded()
                if not self._fits(size):
                    raise LiveBacklogError(
                        f"{len(self._entries)} unread messages ({self._bytes} bytes of JSON) fill the backlog "
                        f"(LiveOptions.max_unread_messages={self.max_messages}, "
                        f"max_unread_bytes={self.max_bytes}) and the next one, a {_kind(message)}, must not be "
                        f"dropped; {self.advice}, or raise those limits",
                        unread_messages=len(self._entries),
                        unread_bytes=self._bytes,
                    )
            self._entries.append((message, size, superseded))
            self._bytes += size
            self._superseded += superseded
        self.dropped += dropped
        return dropped

    def _drop_superseded(self) -> int:
        if not self._superseded:
            return 0
        kept = deque(entry for entry in self._entries if not entry[2])
        dropped = len(self._entries) - len(kept)
        self._entries = kept
        self._bytes = sum(entry[1] for entry in kept)
        self._superseded = 0
        return dropped

    def pop(self) -> LiveMessage | None:
        """The oldest unread message, or None."""
        if not self._entries:
            return None
        message, size, superseded = self._entries.popleft()
        self._bytes -= size
        self._superseded -= superseded
        return message


def _kind(message: LiveMessage) -> str:
    kind = getattr(message, "type", None)
    kind = getattr(kind, "value", kind)  # generated models hold an enum
    if isinstance(message, TranscriptMessage):
        return "final transcript"
    return f"{kind!s} message" if kind else "message"
