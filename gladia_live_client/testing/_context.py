"""What the HTTP and WebSocket handlers of one server share."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from ._faults import Faults
from ._store import Store

__all__ = ["MAX_RECEIVED_FRAME_BYTES", "ServerContext"]

# The largest WebSocket frame the server accepts: larger ones are refused with close code 1009, as Gladia does.
# The client keeps its own, smaller cap on what it sends (`_live._audio.MAX_SENT_FRAME_BYTES`) on purpose: the
# test double states the service's limit independently, so a client that outgrew it would be caught.
MAX_RECEIVED_FRAME_BYTES = 1024 * 1024


@dataclass
class ServerContext:
    store: Store
    faults: Faults
    api_key: str | None  # None: any non-empty key is accepted
    idle_timeout: float
    max_duration: float
    processing_delay: float
    # `http://host:port` of the server's own public address (or the `public_url` it was given): the base of
    # every URL it hands out. Never taken from a request's Host header, which any client can forge.
    public_url: str = "http://127.0.0.1"
    # uvicorn's Server, to find the transport of a connection to reset (set once the server runs).
    http_server: Any = None
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    # Set when the server begins to stop, so injected waits end early instead of holding the shutdown.
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    async def pause(self, seconds: float) -> None:
        """Sleep `seconds`, or less if the server is stopping."""
        if seconds <= 0 or self.stopping.is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), seconds)

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run a background task the server cancels when it stops."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task
