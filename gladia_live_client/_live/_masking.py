"""The live layer's names for the package's one redaction (`.._redaction`).

The token in `wss://.../v2/live?token=...` is the session's only credential. Every URL shown goes through
`mask_url`; every text that may quote the URL or a close reason goes through `redact` with `url_secrets(url)`.
The records `websockets` writes (its DEBUG request line holds the token) are masked by the logging filter
`.._redaction` installs on ``websockets.client``.
"""

from __future__ import annotations

from .._redaction import MASK, mask_url, redact
from .._redaction import url_credentials as url_secrets

__all__ = ["MASK", "mask_text", "mask_url", "redact", "url_secrets"]


def mask_text(text: str, url: str) -> str:
    """`text` with the credentials of the session URL `url` (its token), and every other secret, masked."""
    return redact(text, url_secrets(url))
