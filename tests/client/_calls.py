"""Each operation of the client, called the same way in sync and async mode, for tests over real sockets."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable
from typing import Any

from gladia_live_client import AsyncGladiaLive, GladiaLive

from ._hostile import API_KEY, JOB_ID

MODES = ("sync", "async")
SESSION_REQUEST = {"encoding": "wav/pcm", "sample_rate": 16000}

_SYNC: dict[str, Callable[[GladiaLive], Any]] = {
    "init_session": lambda gladia: gladia.init_session(SESSION_REQUEST),
    "list_jobs": lambda gladia: gladia.list_jobs(),
    "iter_jobs": lambda gladia: list(gladia.iter_jobs()),
    "get_job": lambda gladia: gladia.get_job(JOB_ID),
    "delete_job": lambda gladia: gladia.delete_job(JOB_ID),
    "patch_job": lambda gladia: gladia.patch_job(JOB_ID, {"debug": True}),
    "download_audio": lambda gladia: gladia.download_audio(JOB_ID, io.BytesIO()),
    "iter_audio": lambda gladia: b"".join(gladia.iter_audio(JOB_ID)),
}


async def _async_call(gladia: AsyncGladiaLive, operation: str) -> Any:
    if operation == "init_session":
        return await gladia.init_session(SESSION_REQUEST)
    if operation == "list_jobs":
        return await gladia.list_jobs()
    if operation == "iter_jobs":
        return [job async for job in gladia.iter_jobs()]
    if operation == "get_job":
        return await gladia.get_job(JOB_ID)
    if operation == "delete_job":
        return await gladia.delete_job(JOB_ID)
    if operation == "patch_job":
        return await gladia.patch_job(JOB_ID, {"debug": True})
    if operation == "iter_audio":
        return b"".join([chunk async for chunk in gladia.iter_audio(JOB_ID)])
    return await gladia.download_audio(JOB_ID, io.BytesIO())


def call(mode: str, base_url: str, operation: str, **options: Any) -> tuple[Any, float]:
    """Run ``operation`` once; returns (its result or the exception it raised, seconds taken)."""
    options.setdefault("api_key", API_KEY)
    started = time.monotonic()
    outcome: Any
    if mode == "sync":
        with GladiaLive(base_url=base_url, **options) as gladia:
            try:
                outcome = _SYNC[operation](gladia)
            except Exception as exc:
                outcome = exc
    else:

        async def main() -> Any:
            async with AsyncGladiaLive(base_url=base_url, **options) as gladia:
                try:
                    return await _async_call(gladia, operation)
                except Exception as exc:
                    return exc

        outcome = asyncio.run(main())
    return outcome, time.monotonic() - started
