"""The two places where the REST twins differ beyond ``async``/``await``, each written once per twin.

`AsyncGladiaLive` calls the ``async_`` functions; ``scripts/unasync.py`` rewrites each call to the function of
the same name without the prefix for `GladiaLive`. Everything else the twins do is the same code.

* `async_offload` / `offload`: a blocking call (a file write of ``download_audio``). The async client runs it
  in a worker thread so a slow disk never blocks the event loop; the sync client runs it in the caller's
  thread.
* `async_read_chunk` / `read_chunk`: the next chunk of a download, within the call's deadline. The async
  client also holds the deadline with a cancel scope, so it applies inside the read whatever the transport
  (its network backend may not be wrapped by `._network`); the sync client relies on the network backend.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import TypeVar

import httpx

from . import _limits

__all__ = ["async_offload", "async_read_chunk", "offload", "read_chunk"]

T = TypeVar("T")


async def async_offload(function: Callable[..., T], /, *args: object) -> T:
    """``function(*args)`` in a worker thread."""
    from anyio import to_thread  # only async clients need it

    return await to_thread.run_sync(function, *args)


def offload(function: Callable[..., T], /, *args: object) -> T:
    """``function(*args)`` here."""
    return function(*args)


async def async_read_chunk(chunks: AsyncIterator[bytes], call: _limits.Call) -> bytes | None:
    """The next chunk, ``None`` at the end; `httpx.ReadTimeout` once ``call``'s deadline passed."""
    import anyio

    try:
        # The cancel scope never spans the caller's yield: it covers this one read.
        with _limits.active(call), anyio.fail_after(max(call.remaining(), 0.0)):
            chunk = await anext(chunks, None)
        call.check_deadline()
    except TimeoutError:
        call.deadline_hit = True
        raise httpx.ReadTimeout("the call's deadline passed") from None
    return chunk


def read_chunk(chunks: Iterator[bytes], call: _limits.Call) -> bytes | None:
    """The next chunk, ``None`` at the end; `httpx.ReadTimeout` once ``call``'s deadline passed."""
    with _limits.active(call):
        chunk = next(chunks, None)
        call.check_deadline()
    return chunk
