"""Keep the WebSocket URL's token out of logs, reprs and errors.

The token in `wss://.../v2/live?token=...` is the session's only credential. Everything we print goes through
`mask_url`; the `websockets` library logs the request line (with the token) at DEBUG, so its logger is
wrapped in `MaskingLoggerAdapter`.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

__all__ = ["MaskingLoggerAdapter", "mask_url", "redact", "url_secrets"]

MASK = "***"


def url_secrets(url: str) -> list[str]:
    """The query-string values of `url` (the token and anything like it), longest first."""
    values = {value for _, value in parse_qsl(urlsplit(url).query, keep_blank_values=False) if value}
    return sorted(values, key=len, reverse=True)


def mask_url(url: str) -> str:
    """`url` with every query-string value replaced by `***` (and any userinfo dropped)."""
    parts = urlsplit(url)
    query = "&".join(f"{key}={MASK}" for key, _ in parse_qsl(parts.query, keep_blank_values=True))
    netloc = parts.hostname or ""
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def redact(text: str, secrets: list[str]) -> str:
    """`text` with each of `secrets` replaced by `***`."""
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


class MaskingLoggerAdapter(logging.LoggerAdapter[logging.Logger]):
    """A logger that replaces given secrets in the message and its arguments before logging.

    Handed to `websockets.connect(logger=...)`: it keeps the wrapped logger's name, so logging configuration
    aimed at `websockets.client` still applies.
    """

    def __init__(self, logger: logging.Logger, secrets: list[str]) -> None:
        super().__init__(logger, {})
        self._secrets = [secret for secret in secrets if secret]

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, MutableMapping[str, Any]]:
        return msg, kwargs

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if not self.isEnabledFor(level):
            return
        text = str(msg)
        if args:
            try:
                text = text % args
            except (TypeError, ValueError):
                text = " ".join([text, *map(str, args)])
        self.logger.log(level, "%s", redact(text, self._secrets), **kwargs)
