"""Run as a script by test_e2e_backlog: one live session (sync or async) on a server that floods it with
messages while nothing reads them; prints the process's memory as JSON. A subprocess, so the figures are
this session's alone."""

from __future__ import annotations

import asyncio
import json
import sys
import time

from gladia_live_client import AsyncLiveSession, LiveOptions, LiveSession


def status(field: str) -> int:
    """A `/proc/self/status` figure in KiB (VmRSS: now, VmHWM: the peak so far)."""
    with open("/proc/self/status") as lines:
        for line in lines:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(field)


def main() -> None:
    url, shell, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
    import websockets.asyncio.client  # noqa: F401, PLC0415 -- loaded before the baseline
    import websockets.sync.client  # noqa: F401, PLC0415

    options = LiveOptions(stall_timeout=None, keepalive_interval=None, ping_interval=None)
    baseline = status("VmRSS")
    deadline = time.monotonic() + 120

    def seen(session: LiveSession | AsyncLiveSession) -> int:
        stats = session.stats
        return stats.messages_dropped + stats.messages_unread

    if shell == "sync":
        session = LiveSession(url, options=options).start()
        while seen(session) < expected and time.monotonic() < deadline:
            time.sleep(0.05)
        stats = session.stats
        first = next(iter(session))
        session.abort()
    else:

        async def run() -> tuple[object, object]:
            session = AsyncLiveSession(url, options=options).start()
            while seen(session) < expected and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            stats = session.stats
            first = await anext(aiter(session))
            await session.abort()
            return stats, first

        stats, first = asyncio.run(run())
    print(
        json.dumps(
            {
                "baseline_kib": baseline,
                "peak_kib": status("VmHWM"),
                "dropped": stats.messages_dropped,  # type: ignore[attr-defined]
                "unread": stats.messages_unread,  # type: ignore[attr-defined]
                "first": type(first).__name__,
            }
        )
    )


if __name__ == "__main__":
    main()
