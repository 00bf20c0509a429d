"""What both shells need from `websockets`, without I/O: connect arguments and reading its exceptions.

`websockets` is imported lazily (inside functions) so importing `gladia_live_client` does not import it.
"""

from __future__ import annotations

from typing import Any

from ._masking import redact, url_secrets
from ._options import LiveOptions

__all__ = ["classify_connect_error", "connect_kwargs", "mask_text"]


def mask_text(text: str, url: str) -> str:
    """`text` with the credentials of the session URL `url` (its token), and every other secret, masked."""
    return redact(text, url_secrets(url))


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
