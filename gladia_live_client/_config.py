"""Resolve and check the client's settings: arguments first, then environment variables, then defaults."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, fields

import httpx

from ._exceptions import ConfigurationError, GladiaError
from ._limits import DEFAULT_DEADLINE, DEFAULT_MAX_RESPONSE_BYTES
from ._redaction import mask_url

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "ClientConfig",
    "check_deadline",
    "check_max_retries",
    "check_timeout",
    "resolve_config",
]

API_KEY_ENV = "GLADIA_API_KEY"
BASE_URL_ENV = "GLADIA_API_URL"
DEFAULT_BASE_URL = "https://api.gladia.io"
DEFAULT_MAX_RETRIES = 2
# Finite by default so a silent server never blocks a caller forever; connecting should be quick.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


@dataclass(frozen=True)
class ClientConfig:
    """The settings one client was built with. The API key is left out of ``repr``, and the password in the
    base URL (``https://user:password@host``) is masked there."""

    base_url: str = field(repr=False)
    api_key: str = field(repr=False)
    timeout: httpx.Timeout
    max_retries: int
    deadline: float = DEFAULT_DEADLINE
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    # Network choices that are not checked values: see the client's docstring.
    allow_cleartext_websocket: bool = False
    trust_env: bool = True

    def __repr__(self) -> str:
        shown = (f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr)
        return f"ClientConfig(base_url={mask_url(self.base_url)!r}, {', '.join(shown)})"


def resolve_config(
    *,
    api_key: str | None,
    base_url: str | None,
    timeout: float | httpx.Timeout,
    max_retries: int,
    deadline: float = DEFAULT_DEADLINE,
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    allow_cleartext_websocket: bool = False,
    trust_env: bool = True,
) -> ClientConfig:
    """Check the arguments, fill the blanks from ``GLADIA_API_KEY`` / ``GLADIA_API_URL``, raise `ConfigurationError`."""
    return ClientConfig(
        base_url=_base_url(base_url),
        api_key=_api_key(api_key),
        timeout=check_timeout(timeout, ConfigurationError),
        max_retries=check_max_retries(max_retries, ConfigurationError),
        deadline=check_deadline(deadline, ConfigurationError),
        max_response_bytes=_max_response_bytes(max_response_bytes),
        allow_cleartext_websocket=_flag("allow_cleartext_websocket", allow_cleartext_websocket),
        trust_env=_flag("trust_env", trust_env),
    )


def _api_key(value: str | None) -> str:
    if value is None:
        value = os.environ.get(API_KEY_ENV)
        if value is None or not value.strip():
            raise ConfigurationError(
                f"No Gladia API key: pass api_key=... or set the {API_KEY_ENV} environment variable."
            )
    if not isinstance(value, str):
        raise ConfigurationError(f"api_key must be a string, not {type(value).__name__}.")
    # Keys read from files often end with a newline, which httpx would reject as a header value.
    key = value.strip()
    if not key:
        raise ConfigurationError("api_key is empty.")
    if any(ord(char) < 0x21 or ord(char) > 0x7E for char in key):
        raise ConfigurationError("api_key contains characters that cannot be sent in an HTTP header.")
    return key


def _base_url(value: str | None) -> str:
    if value is None:
        value = os.environ.get(BASE_URL_ENV, "").strip() or DEFAULT_BASE_URL
    if not isinstance(value, str):
        raise ConfigurationError(f"base_url must be a string, not {type(value).__name__}.")
    try:
        url = httpx.URL(value.strip())
    except httpx.InvalidURL as exc:
        raise ConfigurationError(f"base_url {value!r} is not a valid URL: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(f"base_url must be an http:// or https:// URL with a host, got {value!r}.")
    if url.query or url.fragment:
        raise ConfigurationError(f"base_url must not have a query or fragment, got {value!r}.")
    return str(url).rstrip("/")


def check_timeout(value: object, error: type[GladiaError]) -> httpx.Timeout:
    """A timeout: an `httpx.Timeout`, or finite seconds above 0 for every network operation."""
    if isinstance(value, httpx.Timeout):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise error(f"timeout must be a number of seconds or an httpx.Timeout, not {value!r}.")
    if not math.isfinite(value) or value <= 0:
        raise error(f"timeout must be a finite number of seconds above 0, got {value!r}.")
    return httpx.Timeout(float(value))


def check_deadline(value: object, error: type[GladiaError]) -> float:
    """A deadline in seconds: finite and above 0 (every call ends)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise error(f"deadline must be a finite number of seconds above 0, got {value!r}.")
    return float(value)


def _max_response_bytes(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"max_response_bytes must be an integer >= 1 (bytes), got {value!r}.")
    return value


def check_max_retries(value: object, error: type[GladiaError]) -> int:
    """A number of retries after the first attempt: an integer >= 0."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise error(f"max_retries must be an integer >= 0 (0 disables retries), got {value!r}.")
    return value


def _flag(name: str, value: bool) -> bool:
    if not isinstance(value, bool):
        raise ConfigurationError(f"{name} must be True or False, not {value!r}.")
    return value
