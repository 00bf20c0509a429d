"""uvicorn's WebSocket protocol, reading a few messages ahead of the app instead of one.

uvicorn's `websockets-sansio` protocol stops reading the socket as soon as one received message waits for the
app (`transport.pause_reading()`), and reads again once the app has taken it (`resume_reading()`). For a live
session that is two `epoll_ctl` system calls and two selector updates for every audio frame, about a tenth of
the server's work at hundreds of real-time sessions, to keep at most one message waiting. Here reading stops
only once `MAX_QUEUED` messages wait: memory stays bounded (`MAX_QUEUED` messages of at most `ws_max_size`,
plus what one read of the socket holds, as before), and a client that sends faster than the server handles its
audio still meets TCP backpressure, a few frames later.

One more difference: a data message sent while the transport is already closing (a write to a client that
cut the connection failed, and asyncio has not yet reported the loss) raises `ClientDisconnected`, as uvicorn
does once it knows, instead of being written: asyncio logs "socket.send() raised exception." at WARNING for
every write to a lost connection past the fifth, which a server acknowledging every audio frame reaches when
a client cuts mid-stream. The session stops sending on that error and still reads what the client sent.

It changes nothing else: the same class, the same handshake, keepalive, close and error handling. When the
installed uvicorn has no such protocol (before 0.35), the server uses uvicorn's default one.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MAX_QUEUED", "websocket_protocol"]

MAX_QUEUED = 8  # received messages waiting for the app before the socket is no longer read


def websocket_protocol() -> Any:
    """The protocol class to give `uvicorn.Config(ws=...)`, or "auto" when this uvicorn has none to extend."""
    try:
        from uvicorn.protocols.utils import ClientDisconnected
        from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
    except ImportError:  # uvicorn before 0.35, or without `websockets`
        return "auto"

    class ReadAheadProtocol(WebSocketsSansIOProtocol):
        """`WebSocketsSansIOProtocol`, whose `read_paused` flag reads as set while fewer than `MAX_QUEUED`
        messages wait, so that it pauses reading only from there (see the module docstring)."""

        _paused = False

        @property
        def read_paused(self) -> bool:
            # Read where uvicorn decides whether to pause (after queueing a message: "already paused" means
            # "do not pause") and whether to resume (after the app took one: resuming a socket that reads
            # already is a no-op in asyncio).
            return self._paused or self.queue.qsize() < MAX_QUEUED

        @read_paused.setter
        def read_paused(self, paused: bool) -> None:
            # uvicorn sets it right before it calls `transport.pause_reading()` or `resume_reading()`.
            self._paused = paused

        async def send(self, message: Any) -> None:
            # After our own close, uvicorn drops a data message itself (`close_sent`); before it, a closing
            # transport means the connection is lost (see the module docstring).
            if message["type"] == "websocket.send" and not self.close_sent and self.transport.is_closing():
                raise ClientDisconnected()
            await super().send(message)

    return ReadAheadProtocol
