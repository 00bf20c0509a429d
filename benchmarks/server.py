"""The local server in its own process, and the raw-protocol helpers the network benchmarks share.

The server runs in a child process so that it never competes with the measured client for the GIL: on a
2-core machine, the client gets one core and the server the other. The child is `python -m
benchmarks.server`, a `LocalGladiaServer` that stops when its standard input closes, so it cannot outlive
the benchmark even if the benchmark is killed.

The helpers below speak the public protocol with `httpx` and `websockets` only (never the client under
test), to create jobs and to serve as the baselines.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
KEY = "bench-key"
HEADERS = {"x-gladia-key": KEY}
# 16 kHz, 16-bit, mono PCM: 32,000 bytes per second; one hour is 115.2 MB.
PCM_16K = {"encoding": "wav/pcm", "bit_depth": 16, "sample_rate": 16000, "channels": 1}
BYTES_PER_SECOND = 32_000


class ServerProcess:
    """`with ServerProcess() as server:` -- the local server in a child process, at `server.base_url`.

    `module` names another server that follows the same convention (prints its URL, stops on EOF), such as
    `benchmarks.stamp_server`."""

    def __init__(self, module: str = "benchmarks.server") -> None:
        self._module = module
        self._process: subprocess.Popen[str] | None = None
        self.base_url = ""

    def __enter__(self) -> ServerProcess:
        self._process = subprocess.Popen(
            [sys.executable, "-m", self._module],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()
        if not line.startswith(("http://", "ws://")):
            self.__exit__(None, None, None)
            raise RuntimeError(f"the benchmark server did not start: {line!r}")
        self.base_url = line
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._process is None:
            return
        assert self._process.stdin is not None
        self._process.stdin.close()  # the child stops on EOF
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid


def create_session(base_url: str, body: dict[str, Any]) -> tuple[str, str]:
    """`POST /v2/live`: the job id and the WebSocket URL."""
    response = httpx.post(f"{base_url}/v2/live", headers=HEADERS, json=body, timeout=30)
    response.raise_for_status()
    created = response.json()
    return created["id"], created["url"]


def get_job(base_url: str, job_id: str) -> dict[str, Any]:
    response = httpx.get(f"{base_url}/v2/live/{job_id}", headers=HEADERS, timeout=30)
    response.raise_for_status()
    job: dict[str, Any] = response.json()
    return job


def delete_job(base_url: str, job_id: str) -> None:
    """Free the job's audio in the server (so repeated hour-long sessions do not pile up there)."""
    httpx.delete(f"{base_url}/v2/live/{job_id}", headers=HEADERS, timeout=30).raise_for_status()


def committed_bytes(base_url: str, job_id: str) -> int:
    """Audio bytes the server committed for a finished job (from its `audio_duration`)."""
    job = get_job(base_url, job_id)
    assert job["status"] == "done", job["status"]
    return round(job["file"]["audio_duration"] * BYTES_PER_SECOND)


async def stream_raw(url: str, chunks: list[bytes]) -> int:
    """The raw `websockets` (asyncio) loop: send every chunk, then `stop_recording`, and read until the server
    closes the session; returns the acknowledged offset. Acknowledgements are read as they come, so the
    server is never blocked by an unread socket."""
    import websockets

    async with websockets.connect(url, max_size=None, compression=None) as ws:

        async def send() -> None:
            for chunk in chunks:
                await ws.send(chunk)
            await ws.send('{"type":"stop_recording"}')

        sender = asyncio.create_task(send())
        acknowledged = 0
        async for text in ws:
            message = json.loads(text)
            if message["type"] == "audio_chunk" and message.get("acknowledged"):
                acknowledged = message["data"]["byte_range"][1]
        await sender
    return acknowledged


def _serve() -> int:
    """The child: serve until standard input closes (the parent exited or closed it)."""
    from gladia_live_client.testing import LocalGladiaServer

    # Long idle timeout: a benchmark may pause between the creation of a session and its first audio.
    with LocalGladiaServer(api_key=KEY, idle_timeout=600) as server:
        print(server.base_url, flush=True)
        sys.stdin.read()
    return 0


if __name__ == "__main__":
    raise SystemExit(_serve())
