"""Expected failures, told in one line: what went wrong and, when it helps, what to do about it.

Everything the user can cause or fix (a bad key, a missing file, an unsupported WAV, an unknown job, an
unreachable server) ends as one line on stderr and a non-zero exit status; a traceback means a bug.
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    ConfigurationError,
    DeadlineExceededError,
    GladiaError,
)
from .._live import AudioFormatError, LiveError
from .._redaction import redact

__all__ = ["EXIT_ERROR", "EXIT_INTERRUPTED", "CLIError", "describe", "one_line"]

EXIT_ERROR = 1
EXIT_INTERRUPTED = 130  # what shells report for a process ended by Ctrl-C (128 + SIGINT)


class CLIError(GladiaError):
    """An expected failure of a command; its message is shown as it is, after ``error:``."""


def one_line(text: str) -> str:
    """`text` with its line breaks folded into spaces: an error is always a single line."""
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def describe(exc: BaseException, *, base_url: str | None = None, secrets: Iterable[str] = ()) -> str:
    """The one-line message for an expected failure (without the ``error:`` prefix)."""
    if isinstance(exc, AuthenticationError):
        text = f"{exc} (check --api-key or GLADIA_API_KEY)"
    elif isinstance(exc, APIStatusError | DeadlineExceededError):  # the server answered, too slowly
        text = str(exc)
    elif isinstance(exc, APIConnectionError):
        where = f" at {base_url}" if base_url else ""
        text = f"cannot reach the Gladia API{where}: {exc} (check --base-url or GLADIA_API_URL, and the network)"
    elif isinstance(exc, AudioFormatError):
        text = str(exc)
    elif isinstance(exc, LiveError):
        text = f"live session failed: {exc}"
    elif isinstance(exc, ConfigurationError | GladiaError | CLIError):
        text = str(exc)
    elif isinstance(exc, OSError):
        reason = exc.strerror or str(exc)
        text = f"{exc.filename}: {reason}" if exc.filename else reason
    else:
        text = f"{type(exc).__name__}: {exc}"
    # The library keeps secrets out of its messages already; this is a second line of defence, for the key
    # the command was given (whatever its length) and text that is not the library's (an OSError).
    return redact(one_line(text), secrets)
