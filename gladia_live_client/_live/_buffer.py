"""The unacknowledged audio: bytes addressed by absolute session offset, released as acks arrive."""

from __future__ import annotations

from bisect import bisect_right

from ._errors import LiveError

__all__ = ["AudioBuffer", "BufferRangeError"]

# Appended audio is stored in pieces of at most this size, so releasing acknowledged audio frees memory
# piece by piece (a huge append does not stay alive until its last byte is acknowledged).
PIECE_BYTES = 64 * 1024


class BufferRangeError(LiveError, IndexError):
    """Bytes asked of the buffer that it no longer (or not yet) holds: a bug in the session, whose core reads
    only what it retains. A session that meets it fails with a `LiveError` saying so."""


class AudioBuffer:
    """Bytes `[start, end)` of the session's audio, addressed by absolute offset.

    Appending copies the caller's bytes once; reading a frame that lies inside one piece is a zero-copy
    `memoryview`; releasing drops whole pieces. Every operation costs O(log pieces) or the bytes it touches,
    so streaming hours of audio costs linear time (no re-copying of what is retained).
    """

    __slots__ = ("_head", "_pieces", "_starts", "end", "start")

    def __init__(self, start: int = 0) -> None:
        self._pieces: list[bytes] = []
        self._starts: list[int] = []  # absolute offset of each piece's first byte
        self._head = 0  # index of the first piece still (partly) retained
        # Plain attributes, not properties: the session reads them several times per frame. Read-only
        # outside this class.
        self.start = start
        """Absolute offset of the first retained byte (everything before it was released)."""
        self.end = start
        """Absolute offset just past the last appended byte."""

    def __len__(self) -> int:
        return self.end - self.start

    def append(self, data: bytes | bytearray | memoryview) -> None:
        view = data if type(data) is memoryview and data.format == "B" else memoryview(data).cast("B")
        if len(view) <= PIECE_BYTES:  # the usual case: one piece
            if view:
                piece = bytes(view)
                self._pieces.append(piece)
                self._starts.append(self.end)
                self.end += len(piece)
            return
        for index in range(0, len(view), PIECE_BYTES):
            piece = bytes(view[index : index + PIECE_BYTES])
            self._pieces.append(piece)
            self._starts.append(self.end)
            self.end += len(piece)

    def read(self, offset: int, size: int) -> bytes | memoryview:
        """The `size` bytes from absolute `offset`; they must be retained."""
        if offset < self.start or size < 0 or offset + size > self.end:
            raise BufferRangeError(
                f"bytes [{offset}, {offset + size}) are not in the buffer [{self.start}, {self.end})"
            )
        index = bisect_right(self._starts, offset, lo=self._head) - 1
        piece = self._pieces[index]
        relative = offset - self._starts[index]
        if relative + size <= len(piece):
            if not relative and size == len(piece):
                return piece  # a whole piece, as appended (the usual frame): no view to make
            return memoryview(piece)[relative : relative + size]
        parts: list[bytes | memoryview] = []
        remaining = size
        while remaining:
            piece = self._pieces[index]
            take = min(remaining, len(piece) - relative)
            parts.append(memoryview(piece)[relative : relative + take])
            remaining -= take
            index += 1
            relative = 0
        return b"".join(parts)

    def release(self, upto: int) -> None:
        """Forget the bytes before absolute offset `upto` (clamped to what is retained)."""
        upto = min(upto, self.end)
        if upto <= self.start:
            return
        self.start = upto
        pieces, starts = self._pieces, self._starts
        # Every piece before the one that holds byte `upto` is released; all of them when `upto` is the end.
        released = len(pieces) if upto == self.end else bisect_right(starts, upto, lo=self._head) - 1
        head = self._head
        while head < released:
            pieces[head] = b""
            head += 1
        # Compact once the dead prefix dominates, so the lists stay proportional to what is retained.
        if head > 8 and head * 2 > len(pieces):
            del pieces[:head]
            del starts[:head]
            head = 0
        self._head = head
