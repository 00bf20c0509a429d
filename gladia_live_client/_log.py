"""The package's loggers: every hand-written module gets its logger here, which installs a `NullHandler` on
the `gladia_live_client` logger first, so an application that configured no logging sees nothing on stderr
(Python's last-resort handler only prints records no handler took). Configured logging is unaffected: records
still propagate to the root logger's handlers.

``GLADIA_LOG=debug`` or ``GLADIA_LOG=info`` in the environment (read once, when the first logger is made) adds a
stderr handler at that level to the package logger, as ``OPENAI_LOG`` does for openai-python: a way to see what
the client does without touching the application's logging. Records are masked by the emitting loggers'
redaction filter (see `._redaction`) before any handler sees them.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings

__all__ = ["LOG_ENV", "PACKAGE_LOGGER", "package_logger"]

PACKAGE_LOGGER = "gladia_live_client"
LOG_ENV = "GLADIA_LOG"
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _EnvironmentHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The stderr handler that ``GLADIA_LOG`` asks for (a class of its own so it is added once)."""


def package_logger(name: str) -> logging.Logger:
    """The logger `name` (under `gladia_live_client`), after making sure the package logger is set up."""
    root = logging.getLogger(PACKAGE_LOGGER)
    if not any(isinstance(handler, logging.NullHandler) for handler in root.handlers):
        root.addHandler(logging.NullHandler())
        _apply_environment(root)
    return logging.getLogger(name)


def _apply_environment(root: logging.Logger) -> None:
    value = os.environ.get(LOG_ENV, "").strip()
    if not value:
        return
    level = _LEVELS.get(value.lower())
    if level is None:
        warnings.warn(
            f"{LOG_ENV}={value!r} is not a log level this package knows; use {' or '.join(_LEVELS)}",
            stacklevel=3,
        )
        return
    if not any(isinstance(handler, _EnvironmentHandler) for handler in root.handlers):
        handler = _EnvironmentHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(_FORMAT))
        root.addHandler(handler)
    root.setLevel(level)
