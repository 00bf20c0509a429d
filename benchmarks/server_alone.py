"""The local server alone: how fast it answers a minimal client, measured on the server a benchmark uses.

Each network benchmark calls one of these on its own server process, so the figures under the table are the
ceiling of that very benchmark: when the baseline runs close to them, the server, not the client, is what
limits both sides. The load comes from `scripts/bench_server.py`: raw HTTP/1.1 over asyncio sockets (no client
library) and the `websockets` library for the WebSocket.
"""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

from benchmarks.harness import Figure
from scripts.bench_server import RawHttp, rest_rate, ws_rate

REST_SECONDS = 2.0


def _host_port(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    assert parts.hostname is not None
    assert parts.port is not None
    return parts.hostname, parts.port


def rest_figures(base_url: str, path: str) -> list[Figure]:
    """Requests per second of `GET path`, one connection (sequential) and eight (concurrent)."""
    host, port = _host_port(base_url)

    async def get(client: RawHttp) -> None:
        status, _ = await client.request("GET", path)
        assert status == 200, status

    async def measure(connections: int) -> float:
        return await rest_rate(host, port, "get", get, REST_SECONDS, connections, echo=False)

    one = asyncio.run(measure(1))
    eight = asyncio.run(measure(8))
    return [
        Figure("2", "GET /v2/live/{id}, the #2 job, 1 connection", 1e6 / one, "µs per request", f"{one:,.0f} req/s"),
        Figure("2", "GET /v2/live/{id}, the #2 job, 8 connections", eight, "req/s"),
    ]


def download_figure(base_url: str, path: str) -> Figure:
    """MB/s of one `GET path` (a recording) read by a raw socket client, in 1 MiB reads."""
    host, port = _host_port(base_url)

    async def measure() -> tuple[int, float]:
        client = await RawHttp.open(host, port)
        try:
            await client.drain(path)  # warm-up
            start = time.perf_counter()
            status, size = await client.drain(path)
            elapsed = time.perf_counter() - start
        finally:
            client.close()
        assert status == 200, status
        return size, elapsed

    size, elapsed = asyncio.run(measure())
    return Figure("3", "GET /v2/live/{id}/file, 256 MiB, 1 connection", size / 1e6 / elapsed, "MB/s")


def websocket_figures(base_url: str, audio: bytes, frame: int) -> list[Figure]:
    """MB/s of acknowledged audio streamed in `frame`-byte frames, one session and four concurrent ones."""
    host, port = _host_port(base_url)
    minutes = len(audio) / 32_000 / 60
    figures = []
    for sessions in (1, 4):
        rate = asyncio.run(ws_rate(host, port, audio, frame, sessions, echo=False))
        figures.append(
            Figure(
                "4",
                f"WebSocket audio, {frame}-byte frames, {sessions} session{'s' if sessions > 1 else ''}",
                rate,
                "MB/s",
                f"{minutes:.0f} min of audio per session, all acknowledged",
            )
        )
    return figures
