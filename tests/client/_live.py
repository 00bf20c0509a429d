"""Record audio into a live session of the local server over its public WebSocket protocol.

The client's `live()` session is another task; these tests only need jobs that hold audio, so they speak
the protocol directly with `websockets`: binary frames of raw audio, then ``stop_recording``, then read
until the server closes the session (code 1000).
"""

from __future__ import annotations

import asyncio
import json

import websockets

# Well under the server's 1 MiB frame limit.
FRAME_BYTES = 512 * 1024


async def record(url: str, audio: bytes, *, timeout: float = 120.0) -> int:
    """Stream ``audio`` to the session at ``url`` and wait until the server ends it; returns the close code."""
    async with asyncio.timeout(timeout):
        async with websockets.connect(url, max_size=None, compression=None) as ws:
            view = memoryview(audio)
            for offset in range(0, len(view), FRAME_BYTES):
                await ws.send(view[offset : offset + FRAME_BYTES].tobytes())
            await ws.send(json.dumps({"type": "stop_recording"}))
            async for _ in ws:  # drain transcripts and lifecycle messages until the server closes
                pass
            assert ws.close_code is not None
            return ws.close_code


def record_sync(url: str, audio: bytes) -> int:
    return asyncio.run(record(url, audio))
