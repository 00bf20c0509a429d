"""The live layer's adapter to `websockets`: connect arguments, its logger, reading its exceptions, and cutting
a connection (`sever`, `sever_async`: the one call here that acts on a socket).

`websockets` is imported lazily (inside functions) so importing `gladia_live_client` does not import it.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import socket
import sys
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any

from ._masking import mask_text
from ._options import LiveOptions

if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection as AsyncConnection
    from websockets.sync.client import ClientConnection as SyncConnection

__all__ = [
    "WebsocketsLogger",
    "classify_connect_error",
    "connect_kwargs",
    "is_connection_closed",
    "sever",
    "sever_async",
]


class WebsocketsLogger(logging.LoggerAdapter[logging.Logger]):
    """The logger handed to `websockets`: keeps a network drop quiet. (The token in its DEBUG request line is
    masked by the redaction filter on ``websockets.client``, which sees this adapter's records too.)

    `websockets.sync` reads in a thread of its own. When a write fails on a connection the network cut (reset,
    broken pipe), the writing thread closes the socket and feeds the end of the stream to the protocol; the
    reading thread, which had already read bytes from the socket, then feeds them after that end and gets
    `EOFError("stream ended")` (or, handing over a frame, "stream of frames ended"). websockets logs that at
    ERROR as "unexpected internal error" with its traceback, which Python prints on stderr when the
    application configured no logging. The connection is lost either way and the session reconnects, so a
    record logged while an `EOFError` or `OSError` is being handled goes out at DEBUG. Any other exception keeps
    its level.
    """

    def __init__(self, logger: logging.Logger) -> None:
        super().__init__(logger, {})

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, MutableMapping[str, Any]]:
        return msg, kwargs  # websockets passes no `extra`; keep its records as it makes them

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if level >= logging.ERROR and kwargs.get("exc_info") and isinstance(sys.exc_info()[1], EOFError | OSError):
            level = logging.DEBUG
        super().log(level, msg, *args, **kwargs)


def sever(ws: SyncConnection) -> None:
    """Cut a `websockets.sync` connection now, without a closing handshake: a write blocked on a peer that
    stopped reading (zero window) fails at once, and so does the reading thread (then the connection closes)."""
    with contextlib.suppress(OSError):  # already closed
        ws.socket.shutdown(socket.SHUT_RDWR)


def sever_async(ws: AsyncConnection) -> None:
    """Cut a `websockets.asyncio` connection now, without a closing handshake (buffered writes are dropped)."""
    ws.transport.abort()


def connect_kwargs(options: LiveOptions, url: str) -> dict[str, Any]:
    """Keyword arguments for `websockets.{sync,asyncio}.client.connect`, the same for both shells."""
    return {
        "open_timeout": options.open_timeout,
        "ping_interval": options.ping_interval,
        "ping_timeout": options.ping_timeout,
        "close_timeout": options.close_timeout,
        "max_size": options.max_message_size,
        # Audio does not compress; per-message deflate would only cost CPU on both sides.
        "compression": None,
        # websockets logs the request line, token included, at DEBUG: the session registered the token, and
        # the redaction filter on "websockets.client" masks it there.
        "proxy": options.proxy,
        "logger": WebsocketsLogger(logging.getLogger("websockets.client")),
    }


def classify_connect_error(exc: BaseException, url: str) -> tuple[int | None, str, bool]:
    """Read a failed connection attempt: (HTTP status if the handshake was refused, masked detail, retryable).

    Not retryable: a malformed URL. Everything else (refused, reset, timeout, DNS, bad handshake, 5xx) is
    a transient failure for the reconnect policy to judge, and a refusing status is judged by its value.
    """
    from websockets.exceptions import InvalidStatus, InvalidURI  # noqa: PLC0415 -- keep websockets lazy

    if isinstance(exc, InvalidStatus):
        status = exc.response.status_code
        return status, f"handshake refused with HTTP {status}", True
    if isinstance(exc, InvalidURI):
        return None, "invalid WebSocket URL", False
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return None, mask_text(detail, url), True


def is_connection_closed(exc: BaseException) -> bool:
    """Whether `exc` is `websockets` reporting a closed connection (the supervisor reads the close itself)."""
    from websockets.exceptions import ConnectionClosed  # noqa: PLC0415 -- keep websockets lazy

    return isinstance(exc, ConnectionClosed)


# Room kept free under the transport's high-water mark for the frames' headers (at most 14 bytes each).
_HEADER_SLACK = 1024


def write_limit(ws: AsyncConnection) -> int:
    """How many bytes the transport of `ws` may hold before `ws.send` waits for it to drain (its high-water
    mark, less room for frame headers)."""
    return max(0, ws.transport.get_write_buffer_limits()[1] - _HEADER_SLACK)


def write_room(ws: AsyncConnection, limit: int) -> int:
    """How many bytes of frames `ws.send` writes now without waiting (`limit`: `write_limit(ws)`): room under
    the transport's high-water mark while the connection is open; 0 otherwise (`send` on a closing connection
    waits for the close)."""
    if ws.protocol.state is not _open_state():
        return 0
    return limit - ws.transport.get_write_buffer_size()


@functools.cache
def _open_state() -> Any:
    from websockets.protocol import State  # noqa: PLC0415 -- keep websockets lazy

    return State.OPEN
