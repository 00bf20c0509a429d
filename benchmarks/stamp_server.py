"""The latency benchmark's own server: `python -m benchmarks.stamp_server` prints its WebSocket URL.

Each connection receives `transcript` messages shaped like Gladia's (five words, final), one every 2 ms, each
stamped just before its send with the system-wide CLOCK_MONOTONIC in nanoseconds (in `data.id`, a string
the typed model keeps as it is), so the client's process can tell how long the message took to reach its
caller. After `count` messages (the `count` query parameter) it waits for `stop_recording`, acknowledges
it and closes the connection (1000). It does nothing else: its own speed does not enter the figures, and the
raw client measured against the same server in the same run is the baseline.

Like `benchmarks.server`, it stops when its standard input closes.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
from urllib.parse import parse_qs, urlsplit

INTERVAL = 0.002


def _template() -> tuple[str, str]:
    words = [
        {"word": word, "start": 0.3 * i, "end": 0.3 * i + 0.3, "confidence": 0.95}
        for i, word in enumerate(["Hello", "and", "welcome", "to", "Gladia."])
    ]
    message = {
        "session_id": "45463597-20b7-4af7-b3b3-f5fb778203ab",
        "created_at": "2026-11-30T08:00:00.000Z",
        "type": "transcript",
        "data": {
            "id": "STAMP",
            "is_final": True,
            "utterance": {
                "start": 0.0,
                "end": 1.5,
                "confidence": 0.95,
                "channel": 0,
                "words": words,
                "text": "Hello and welcome to Gladia.",
                "language": "en",
            },
        },
    }
    before, after = json.dumps(message, separators=(",", ":")).split("STAMP")
    return before, after


async def _serve() -> None:
    from websockets.asyncio.server import ServerConnection, serve

    before, after = _template()
    stop_ack = json.dumps(
        {
            "session_id": "45463597-20b7-4af7-b3b3-f5fb778203ab",
            "created_at": "2026-11-30T08:00:00.000Z",
            "type": "stop_recording",
            "acknowledged": True,
            "error": None,
            "data": {"recording_duration": 0.0, "recording_left_to_process": 0.0},
        }
    )

    async def handler(ws: ServerConnection) -> None:
        query = parse_qs(urlsplit(ws.request.path if ws.request else "").query)
        count = int(query.get("count", ["1000"])[0])
        loop = asyncio.get_running_loop()
        due = loop.time()
        for _ in range(count):
            due += INTERVAL
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            await ws.send(f"{before}{time.monotonic_ns()}{after}")
        async for message in ws:
            if isinstance(message, str) and json.loads(message).get("type") == "stop_recording":
                await ws.send(stop_ack)
                await ws.close(1000)

    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    threading.Thread(target=lambda: (sys.stdin.read(), loop.call_soon_threadsafe(stopped.set)), daemon=True).start()
    async with serve(handler, "127.0.0.1", 0, compression=None, max_size=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(f"ws://127.0.0.1:{port}/v2/live?token=stamp", flush=True)
        await stopped.wait()


if __name__ == "__main__":
    asyncio.run(_serve())
