"""Measure the local server's throughput: REST requests per second and WebSocket audio MB/s.

    .venv/bin/python scripts/bench_server.py [--seconds 5] [--connections 8]
    .venv-bench/bin/python scripts/bench_server.py --realtime 50,200,500 [--client raw-async] [--repeat 2]

`--realtime N,...` measures real-time sessions instead: N sessions of the minimal raw client of the live
benchmarks (`benchmarks/live_load.py`, one 3,200-byte frame every 100 ms each, acknowledgements on), and prints
the server's CPU per session-minute (from `/proc/<pid>/stat`, over the streaming window) and each frame's time
from send to acknowledgement as that client sees it (its own reading delay included).

The server runs in its own process (`python -m gladia_live_client.testing`), as it would for a benchmark of a
client, so the figures are the server's and not shared with the measuring code's interpreter. The REST load
comes from a minimal HTTP/1.1 client over raw keep-alive sockets (a full client library would saturate its
own core first); the WebSocket load from the `websockets` library, sending as fast as the server takes.

Figures measure the machine as much as the server: compare them run to run on the same machine, and read them
as "the server is the bottleneck above this rate".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import struct
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
KEY = "bench-key"


class RawHttp:
    """One keep-alive HTTP/1.1 connection: write a request, read the response by its Content-Length."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str) -> None:
        self.reader, self.writer, self.host = reader, writer, host

    @classmethod
    async def open(cls, host: str, port: int) -> RawHttp:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer, f"{host}:{port}")

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        head = f"{method} {path} HTTP/1.1\r\nhost: {self.host}\r\nx-gladia-key: {KEY}\r\n"
        if body:
            head += f"content-type: application/json\r\ncontent-length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        status_line = await self.reader.readuntil(b"\r\n")
        length = 0
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return int(status_line.split()[1]), await self.reader.readexactly(length)

    async def drain(self, path: str, block: int = 1024 * 1024) -> tuple[int, int]:
        """GET `path` and read its body in `block`-sized reads without keeping it: (status, body bytes)."""
        self.writer.write(f"GET {path} HTTP/1.1\r\nhost: {self.host}\r\nx-gladia-key: {KEY}\r\n\r\n".encode())
        status_line = await self.reader.readuntil(b"\r\n")
        length = 0
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        left = length
        while left:
            data = await self.reader.read(min(block, left))
            if not data:
                raise ConnectionError(f"connection closed with {left} bytes of the body unread")
            left -= len(data)
        return int(status_line.split()[1]), length

    def close(self) -> None:
        self.writer.close()


async def rest_rate(
    host: str,
    port: int,
    name: str,
    call: Callable[[RawHttp], Awaitable[None]],
    seconds: float,
    connections: int,
    *,
    echo: bool = True,
) -> float:
    clients = [await RawHttp.open(host, port) for _ in range(connections)]
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker(client: RawHttp) -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await call(client)
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(client) for client in clients))
    rate = done / (time.perf_counter() - started)
    for client in clients:
        client.close()
    if echo:
        print(f"REST {name:<40} {rate:8.0f} requests/s  ({connections} connections)")
    return rate


def pcm(seconds: float, rate: int = 16000) -> bytes:
    """Speech-like 16-bit PCM: 1.5 s of tone then 0.5 s of silence, repeated."""
    samples = []
    for i in range(round(seconds * rate)):
        voiced = (i / rate) % 2.0 < 1.5
        samples.append(round(0.3 * 32767 * math.sin(2 * math.pi * 440 * i / rate)) if voiced else 0)
    return struct.pack(f"<{len(samples)}h", *samples)


async def ws_rate(
    host: str, port: int, audio: bytes, frame: int, sessions: int, *, deflate: bool = False, echo: bool = True
) -> float:
    """Stream `audio` in `frame`-byte frames over `sessions` concurrent sessions; MB/s of acknowledged audio."""
    created = []
    client = await RawHttp.open(host, port)
    for _ in range(sessions):
        status, body = await client.request("POST", "/v2/live", b"{}")
        assert status == 201, body
        created.append(json.loads(body))
    client.close()

    async def stream(url: str) -> None:
        compression = "deflate" if deflate else None
        async with websockets.connect(url, max_size=None, compression=compression) as ws:

            async def send() -> None:
                for offset in range(0, len(audio), frame):
                    await ws.send(audio[offset : offset + frame])
                await ws.send(json.dumps({"type": "stop_recording"}))

            sender = asyncio.create_task(send())
            acked = 0
            async for text in ws:
                message = json.loads(text)
                if message["type"] == "audio_chunk":
                    acked = message["data"]["byte_range"][1]
            await sender
            assert acked == len(audio), (acked, len(audio))

    started = time.perf_counter()
    await asyncio.gather(*(stream(session["url"]) for session in created))
    elapsed = time.perf_counter() - started
    megabytes = sessions * len(audio) / 1e6
    rate = megabytes / elapsed
    frames_per_second = sessions * math.ceil(len(audio) / frame) / elapsed
    realtime = rate * 1e6 / 32000
    label = f"{sessions} session(s), {frame:>5}-byte frames{', deflate' if deflate else ''}"
    if echo:
        print(
            f"WS   {label:<40} {rate:8.1f} MB/s  "
            f"({frames_per_second:,.0f} frames/s, {realtime:,.0f}x real time of 16 kHz 16-bit mono)"
        )
    return rate


async def run(host: str, port: int, seconds: float, connections: int) -> None:
    client = await RawHttp.open(host, port)
    _, body = await client.request("POST", "/v2/live", b"{}")
    job_id = json.loads(body)["id"]
    for _ in range(50):
        await client.request("POST", "/v2/live", b"{}")
    client.close()

    async def get_job(c: RawHttp) -> None:
        status, _ = await c.request("GET", f"/v2/live/{job_id}")
        assert status == 200, status

    async def post_session(c: RawHttp) -> None:
        body = b'{"sample_rate": 16000, "messages_config": {"receive_partial_transcripts": true}}'
        status, _ = await c.request("POST", "/v2/live", body)
        assert status == 201, status

    async def list_page(c: RawHttp) -> None:
        status, _ = await c.request("GET", "/v2/live?limit=20&status=queued")
        assert status == 200, status

    await rest_rate(host, port, "GET /v2/live/{id}", get_job, seconds, connections)
    await rest_rate(host, port, "POST /v2/live (validated body)", post_session, seconds, connections)
    await rest_rate(host, port, "GET /v2/live?limit=20 (filtered list)", list_page, seconds, connections)

    audio = pcm(60.0)  # 1.92 MB
    await ws_rate(host, port, audio, 3200, 1)
    await ws_rate(host, port, audio, 32000, 1)
    await ws_rate(host, port, audio, 3200, 4)
    await ws_rate(host, port, audio, 3200, 1, deflate=True)


def realtime(base_url: str, server_pid: int, sessions: list[int], client: str, seconds: float, repeat: int) -> None:
    """Real-time sessions of the raw client, one sample per count and repetition (each in a fresh interpreter)."""
    for _ in range(repeat):
        for count in sessions:
            options = ["--base-url", base_url, "--server-pid", str(server_pid)]
            options += ["--sessions", str(count), "--seconds", str(seconds)]
            completed = subprocess.run(
                [sys.executable, "-m", "benchmarks.live_load", "paced", client, *options],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=600,
            )
            if completed.returncode != 0:
                print(f"RT   {count:>4} sessions ({client}): failed\n{completed.stderr[-2000:]}", flush=True)
                continue
            report = json.loads(completed.stdout.strip().splitlines()[-1])
            delay = report["ack_delay_us"]
            print(
                f"RT   {count:>4} sessions ({client}): server {report['server_cpu_per_session_minute_ms']:6.1f} ms CPU "
                f"per session-minute, {report['server_busy']:4.0%} of one core; frame sent to acknowledged "
                f"p50 {delay['p50'] / 1e3:.2f} ms, p99 {delay['p99'] / 1e3:.2f} ms, max {delay['max'] / 1e3:.1f} ms",
                flush=True,
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each measurement")
    parser.add_argument("--connections", type=int, default=8, help="concurrent REST connections")
    parser.add_argument("--realtime", default="", help="real-time sessions instead: comma-separated counts")
    parser.add_argument("--client", default="raw-async", choices=["raw-async", "raw-sync"], help="with --realtime")
    parser.add_argument("--repeat", type=int, default=1, help="with --realtime: samples per count")
    args = parser.parse_args()
    server = subprocess.Popen(
        [sys.executable, "-m", "gladia_live_client.testing", "--port", "0", "--api-key", KEY, "--idle-timeout", "600"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().split(" listening on ")[1].split()[0]
        host, port = base_url.removeprefix("http://").rsplit(":", 1)
        print(f"server: {base_url} (own process), python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
        if args.realtime:
            counts = [int(count) for count in args.realtime.split(",")]
            realtime(base_url, server.pid, counts, args.client, args.seconds, args.repeat)
        else:
            asyncio.run(run(host, int(port), args.seconds, args.connections))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
