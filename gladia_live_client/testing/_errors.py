"""The error of the local server and the chaos proxy themselves (not of the API they serve)."""

from __future__ import annotations

from .. import GladiaError

__all__ = ["LocalServerError"]


class LocalServerError(GladiaError, RuntimeError):
    """A `LocalGladiaServer` or `ChaosProxy` was used in a way it does not allow (its address read before
    ``start()``, started twice, a TCP fault asked of a server without ``network_faults=True``) or could not
    start (the cause is chained). Also a `RuntimeError`, as a misuse of an object's state is in Python."""
