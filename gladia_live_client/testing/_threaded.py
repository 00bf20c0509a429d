"""What every service of this package that runs on a thread of its own shares: `with` and `async with`."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Self

__all__ = ["ThreadedService"]


class ThreadedService:
    """A service with blocking `start()` and `stop()`, used as a context manager from sync or async code.

    `async with` runs `start()` and `stop()` in a worker thread, so an event loop is never blocked while the
    service's own thread starts or joins.
    """

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        await asyncio.to_thread(self.start)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await asyncio.to_thread(self.stop)
