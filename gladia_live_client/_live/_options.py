"""Settings of a live session, shared by the protocol core and both shells; a bad one raises `ConfigurationError`."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, fields
from typing import Literal

from .._exceptions import ConfigurationError
from .._redaction import mask_url
from ._checks import check_number
from ._policy import ReconnectPolicy

__all__ = ["KeepaliveMode", "LiveOptions"]

KeepaliveMode = Literal["empty_chunk", "silence"]


@dataclass(frozen=True, slots=True)
class LiveOptions:
    """How a live session buffers, frames, reconnects and keeps the connection alive.

    Attributes:
        buffer_limit: most bytes of audio held while waiting for the server's acknowledgement. When it is
            full, `send_audio` blocks (sync) or waits (async) until acknowledgements free room.
        frame_duration: seconds of audio per WebSocket frame (100 ms as Gladia recommends); frames are
            also capped at 256 KiB, far under Gladia's 1 MiB limit.
        reconnect: the backoff and its bounds.
        keepalive_interval: seconds without any audio from the caller after which the session sends a
            keepalive (None: never). Keep it well under the server's idle timeout (about 30 s at Gladia).
        keepalive: what a keepalive is. "empty_chunk" (default): an `audio_chunk` action with zero bytes of
            audio, which leaves the recording untouched. "silence": `frame_duration` of digital silence,
            which Gladia surely counts as audio but which becomes part of the recording (its offsets and
            timings included); choose it only when inserted silence is acceptable.
        include_acks: also yield the server's acknowledgement messages (`audio_chunk`, `stop_recording`).
            Negative acknowledgements are always yielded.
        open_timeout: seconds for one WebSocket handshake.
        ping_interval, ping_timeout: WebSocket pings, which keep NATs and proxies open and detect a dead
            peer (its connection is then treated as lost and reconnected). They are not audio, so they do
            not reset Gladia's idle timer. None disables them.
        close_timeout: seconds to wait for the closing handshake.
        max_message_size: largest server message accepted, in bytes (the final transcript of a long
            session is several MB of JSON). None: no limit.
        proxy: passed to `websockets`: True uses the proxy environment variables, None connects directly.
        stall_timeout: seconds a connection may go without acknowledging audio (or `stop_recording`) it was
            sent, or without accepting a write (the peer stopped reading: a zero TCP window), before it is
            treated as dead: closed at once, without a closing handshake, and reconnected (the unacknowledged
            audio is resent). Pings answered by the peer do not count: a server that answers pings but no
            longer acknowledges audio is stalled. None: never.
        end_timeout: seconds the session waits for the end (`end_session`, or the server's close) once the
            server acknowledged `stop_recording` (post-processing runs meanwhile). Past it the connection is
            treated as stalled: cut and reconnected, and a server that refuses the URL then leads to the
            result over REST (or to `LiveHandshakeRejected`). So `close()` never waits for ever. None: no limit.
        max_unread_messages, max_unread_bytes: how many server messages, and how many bytes of their JSON,
            wait for the caller to read them. The session keeps reading the socket whatever the caller does
            (acknowledgements must flow); when the backlog is full, partial transcripts and acknowledgements
            are dropped first (counted in `LiveStats.messages_dropped`, one WARNING), and a message that must
            not be dropped (a final transcript, a post-processing result) fails the session with
            `LiveBacklogError`. Read messages while sending (another thread or task) to never meet either.
        result_timeout: seconds to wait for the job to be `done` when the final result is fetched over REST
            (the connection was lost after `stop_recording` and all audio were acknowledged, and the server
            refuses the URL; only for sessions opened through `GladiaLive.live()` / `attach_live()`).
        rng: random source for the backoff jitter (seed it to make tests reproducible).
    """

    buffer_limit: int = 8 * 1024 * 1024
    frame_duration: float = 0.1
    reconnect: ReconnectPolicy = field(default_factory=ReconnectPolicy)
    keepalive_interval: float | None = 10.0
    keepalive: KeepaliveMode = "empty_chunk"
    include_acks: bool = False
    open_timeout: float = 10.0
    ping_interval: float | None = 20.0
    ping_timeout: float | None = 20.0
    close_timeout: float = 10.0
    max_message_size: int | None = 64 * 1024 * 1024
    proxy: str | Literal[True] | None = True
    stall_timeout: float | None = 20.0
    end_timeout: float | None = 300.0
    max_unread_messages: int = 10_000
    max_unread_bytes: int = 16 * 1024 * 1024
    result_timeout: float = 60.0
    rng: random.Random | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        def positive(value: float) -> bool:
            return value > 0

        check_number(
            "LiveOptions", "buffer_limit", self.buffer_limit, "a positive number of bytes", positive, integer=True
        )
        check_number("LiveOptions", "frame_duration", self.frame_duration, "a positive number of seconds", positive)
        for name in ("keepalive_interval", "stall_timeout", "end_timeout"):
            check_number(
                "LiveOptions", name, getattr(self, name), "a positive number of seconds", positive, optional=True
            )
        for name in ("open_timeout", "close_timeout"):
            check_number("LiveOptions", name, getattr(self, name), "a positive number of seconds", positive)
        for name in ("ping_interval", "ping_timeout"):
            check_number(
                "LiveOptions", name, getattr(self, name), "a positive number of seconds", positive, optional=True
            )
        check_number(
            "LiveOptions",
            "max_message_size",
            self.max_message_size,
            "a positive number of bytes",
            positive,
            integer=True,
            optional=True,
        )
        check_number(
            "LiveOptions", "max_unread_messages", self.max_unread_messages, "a positive count", positive, integer=True
        )
        check_number(
            "LiveOptions",
            "max_unread_bytes",
            self.max_unread_bytes,
            "a positive number of bytes",
            positive,
            integer=True,
        )
        check_number("LiveOptions", "result_timeout", self.result_timeout, "a number of seconds >= 0", lambda v: v >= 0)
        if self.keepalive not in ("empty_chunk", "silence"):
            raise ConfigurationError(
                f"LiveOptions.keepalive must be 'empty_chunk' or 'silence', got {self.keepalive!r}"
            )
        if not isinstance(self.reconnect, ReconnectPolicy):
            raise ConfigurationError(f"LiveOptions.reconnect must be a ReconnectPolicy, got {self.reconnect!r}")
        if not (self.proxy is True or self.proxy is None or isinstance(self.proxy, str)):
            raise ConfigurationError(
                f"LiveOptions.proxy must be True (the environment's proxy), None (direct) or a proxy URL, got {self.proxy!r}"
            )
        if not (self.rng is None or isinstance(self.rng, random.Random)):
            raise ConfigurationError(f"LiveOptions.rng must be a random.Random or None, got {self.rng!r}")

    def __repr__(self) -> str:
        # A proxy URL may carry a user name and password: shown masked, like every URL with credentials.
        shown = []
        for item in fields(self):
            if item.repr:
                value = getattr(self, item.name)
                shown.append(f"{item.name}={mask_url(value) if isinstance(value, str) else value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"
