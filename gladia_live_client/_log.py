"""The package's loggers: every hand-written module gets its logger here, which installs a `NullHandler` on
the `gladia_live_client` logger first, so an application that configured no logging sees nothing on stderr
(Python's last-resort handler only prints records no handler took). Configured logging is unaffected: records
still propagate to the root logger's handlers.
"""

from __future__ import annotations

import logging

__all__ = ["PACKAGE_LOGGER", "package_logger"]

PACKAGE_LOGGER = "gladia_live_client"


def package_logger(name: str) -> logging.Logger:
    """The logger `name` (under `gladia_live_client`), after making sure the package logger has a NullHandler."""
    root = logging.getLogger(PACKAGE_LOGGER)
    if not any(isinstance(handler, logging.NullHandler) for handler in root.handlers):
        root.addHandler(logging.NullHandler())
    return logging.getLogger(name)
