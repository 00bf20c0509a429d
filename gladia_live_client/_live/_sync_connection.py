"""`LiveConnection`: the `websockets.sync` client connection `LiveSession` opens, which hands each message to
the session from `websockets`' own receiving thread.

A plain `ClientConnection` queues messages for a `recv()` in another thread: one more thread per session and
one more hand-off per message. This subclass (`connect(create_connection=...)`, the documented way to
customise the connection) overrides `process_event` so a complete data message goes straight to
`on_message(connection, message)` (text decoded, fragments joined; `websockets` has already bounded its
size by `max_size`), and `recv_events` so `on_end(connection)` runs once the connection is over (its
`close_code` then final). Control frames and the handshake stay `websockets`' own. Keepalive pings are the
session's (connect with `ping_interval=None`).

It also carries what the session keeps per connection: whether a thread is writing on it (`busy`, one at a
time so frames stay in order) and whether another one waits for that (`wanted`), the messages that arrived
before the session took the connection (`early`), and `writable()`.

This module imports `websockets`: `_sync.py` imports it when it first connects.
"""

from __future__ import annotations

import contextlib
import select
import socket
from collections.abc import Callable
from typing import Any

from websockets.frames import Frame, Opcode
from websockets.protocol import Event
from websockets.sync.client import ClientConnection

__all__ = ["LiveConnection"]

_DATA = (Opcode.TEXT, Opcode.BINARY, Opcode.CONT)


class LiveConnection(ClientConnection):
    """A `websockets.sync` client connection that delivers messages by callback (see the module docstring)."""

    def __init__(
        self,
        sock: socket.socket,
        protocol: Any,
        *,
        on_message: Callable[[LiveConnection, str | bytes], None],
        on_end: Callable[[LiveConnection], None],
        **kwargs: Any,
    ) -> None:
        # Set before `super().__init__`, which starts the receiving thread.
        self.on_message = on_message
        self.on_end = on_end
        self.early: list[str | bytes] | None = []
        """Messages that came before the session took the connection (None once it did, or gave it up)."""
        self.ended = False
        """The receiving thread is done: the connection is closed and `close_code` is final."""
        self.busy = False
        """A thread is writing frames on this connection."""
        self.wanted = False
        """Another thread has something to write once the writing one is done."""
        self.closing = False
        """The session closes this connection (a handshake or a cut): nothing more is written on it."""
        self._fragments: list[bytes] | None = None
        self._fragmented_text = False
        # poll(), not select(): a process with hundreds of sessions has descriptors past select()'s 1024.
        # Windows has no poll(), and its select() takes any descriptor.
        self._poll: select.poll | None = None
        if hasattr(select, "poll"):
            self._poll = select.poll()
            self._poll.register(sock, select.POLLOUT)
        super().__init__(sock, protocol, **kwargs)

    def writable(self, timeout: float | None = 0) -> bool:
        """Whether the socket takes a frame without blocking (its send buffer has room), waiting up to
        `timeout` seconds for that (None: until it does)."""
        # Any event counts: an error or a hang-up makes the write fail at once, which the writer handles.
        if self._poll is not None:
            return bool(self._poll.poll(None if timeout is None else timeout * 1000))
        _, writable, failed = select.select([], [self.socket], [self.socket], timeout)
        return bool(writable or failed)

    def process_event(self, event: Event) -> None:
        if self.response is None or not isinstance(event, Frame) or event.opcode not in _DATA:
            super().process_event(event)  # the handshake's response, pings, pongs, close
            return
        data = event.data
        if event.opcode is Opcode.CONT:
            if self._fragments is None:  # the protocol layer rejects a continuation without a start
                return
            self._fragments.append(bytes(data))
            if not event.fin:
                return
            data, text = b"".join(self._fragments), self._fragmented_text
            self._fragments = None
        else:
            text = event.opcode is Opcode.TEXT
            if not event.fin:
                self._fragments, self._fragmented_text = [bytes(data)], text
                return
        raw = bytes(data)
        message: str | bytes = raw
        if text:
            # Not UTF-8: handed over as bytes, which the session reports as a frame that is not UTF-8 text.
            with contextlib.suppress(UnicodeDecodeError):
                message = raw.decode()
        self.on_message(self, message)

    def recv_events(self) -> None:
        try:
            super().recv_events()
        finally:
            self.on_end(self)
