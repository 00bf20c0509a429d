"""#4: stream one hour of 16 kHz 16-bit mono audio (115.2 MB), unpaced, through a live session.

Every side streams the same 36,000 chunks of 100 ms (3,200 bytes, Gladia's recommended frame) to a fresh
session of the local server, which runs in its own process, with the same request (16 kHz 16-bit mono PCM,
the server's default messages plus acknowledgements, which the client and the SDK both switch on).

"Done" is the same for every side: the session was created (`POST /v2/live`), every chunk was sent, then
`stop_recording`, and the server ended the session (its close frame, after acknowledging every byte and
sending the final results). The clock runs from before the `POST` to that end. After each run (untimed) the
job must be `done` with exactly 115.2 MB of committed audio, or the benchmark fails; the job is then deleted so
the server's memory does not grow run after run.

- ours (sync): `GladiaLive.live(request)`, `send_audio(chunk)` per chunk, leave the `with` block (which stops
  the recording and returns once the server has ended the session).
- ours (async): the same with `AsyncGladiaLive`.
- raw: `websockets` (asyncio), a send task and a read loop that decodes every message with `json.loads`.
- SDK: `gladiaio_sdk` 2.2.1's `GladiaClient(api_url=...).live_v2().start_session(request)`, `wait_until_ready()`,
  `send_audio(chunk)` per chunk, `stop_recording()`, `join()` (its worker thread exits once the server closed
  the session).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from benchmarks.harness import Figure, Result, interleaved_medians
from benchmarks.payloads import chunked, speech_like_pcm
from benchmarks.server import (
    KEY,
    PCM_16K,
    ServerProcess,
    committed_bytes,
    create_session,
    delete_job,
    stream_raw,
)
from benchmarks.server_alone import websocket_figures

SECONDS = 3600
CHUNK = 3200  # 100 ms
REPEAT = 3
REQUEST: dict[str, Any] = dict(PCM_16K)


def _check(base_url: str, job_id: str | None, expected: int, who: str) -> None:
    if job_id is None:
        raise RuntimeError(f"{who}: no session id")
    committed = committed_bytes(base_url, job_id)
    if committed != expected:
        raise RuntimeError(f"{who}: the server committed {committed} bytes of {expected}")
    delete_job(base_url, job_id)


def ours_sync(base_url: str, chunks: list[bytes]) -> str | None:
    from gladia_live_client import GladiaLive

    with GladiaLive(api_key=KEY, base_url=base_url) as gladia, gladia.live(REQUEST) as session:
        for chunk in chunks:
            session.send_audio(chunk)
    return session.session_id


async def ours_async(base_url: str, chunks: list[bytes]) -> str | None:
    from gladia_live_client import AsyncGladiaLive

    async with AsyncGladiaLive(api_key=KEY, base_url=base_url) as gladia, await gladia.live(REQUEST) as session:
        for chunk in chunks:
            await session.send_audio(chunk)
    return session.session_id


def raw(base_url: str, chunks: list[bytes]) -> str:
    body = {**REQUEST, "messages_config": {"receive_acknowledgments": True}}
    job_id, url = create_session(base_url, body)
    asyncio.run(stream_raw(url, chunks))
    return job_id


def sdk(base_url: str, chunks: list[bytes]) -> str | None:
    from gladiaio_sdk import GladiaClient

    live = GladiaClient(api_key=KEY, api_url=base_url).live_v2()
    session = live.start_session(dict(REQUEST))
    errors: list[Exception] = []
    session.on("error", errors.append)
    if not session.wait_until_ready(60):
        raise RuntimeError(f"SDK: the session did not connect ({errors})")
    for chunk in chunks:
        session.send_audio(chunk)
    session.stop_recording()
    if not session.join(600):
        raise RuntimeError("SDK: the session did not end within 600 s")
    if errors:
        raise RuntimeError(f"SDK: {errors[0]!r}")
    return session.session_id


def run() -> list[Result | Figure]:
    audio = speech_like_pcm(SECONDS)
    chunks = chunked(audio, CHUNK)
    megabytes = len(audio) / 1e6
    try:
        import gladiaio_sdk  # noqa: F401
    except ImportError:
        has_sdk = False
    else:
        has_sdk = True

    with ServerProcess() as server:
        base_url = server.base_url

        def timed(name: str, stream: Any) -> Any:
            def action() -> float:
                start = time.perf_counter()
                job_id = stream(base_url, chunks)
                elapsed = time.perf_counter() - start
                _check(base_url, job_id, len(audio), name)
                return elapsed

            return action

        actions = {
            "ours_sync": timed("ours (sync)", ours_sync),
            "ours_async": timed("ours (async)", lambda url, c: asyncio.run(ours_async(url, c))),
            "raw": timed("raw websockets", raw),
        }
        if has_sdk:
            actions["sdk"] = timed("gladiaio-sdk", sdk)
        timed("warm-up", raw)()  # first session: imports, server warm-up
        seconds = interleaved_medians(actions, REPEAT)
        figures = websocket_figures(base_url, speech_like_pcm(600), CHUNK)

    rate = {name: megabytes / value for name, value in seconds.items()}
    what = f"stream 1 h of 16 kHz 16-bit mono ({megabytes:.1f} MB) unpaced, 100 ms chunks"
    results: list[Result | Figure] = [
        Result(
            "4",
            f"{what}: LiveSession (sync)",
            rate["ours_sync"],
            rate["raw"],
            "MB/s",
            "throughput",
            0.8,
            f"baseline: raw websockets (asyncio) send loop; ours {seconds['ours_sync']:.2f} s, raw "
            f"{seconds['raw']:.2f} s per hour of audio",
        ),
        Result(
            "4a",
            f"{what}: AsyncLiveSession",
            rate["ours_async"],
            rate["raw"],
            "MB/s",
            "throughput",
            0.8,
            f"baseline: the same raw loop; ours {seconds['ours_async']:.2f} s",
        ),
    ]
    if has_sdk:
        results.append(
            Result(
                "4b",
                "same, LiveSession (sync) vs the official gladiaio-sdk 2.2.1",
                rate["ours_sync"],
                rate["sdk"],
                "MB/s",
                "throughput",
                1.0,
                f"baseline: gladiaio-sdk LiveV2Session (sync), {seconds['sdk']:.1f} s per hour of audio",
            )
        )
    else:
        results.append(
            Result(
                "4b",
                "same vs the official gladiaio-sdk",
                rate["ours_sync"],
                float("nan"),
                "MB/s",
                "throughput",
                1.0,
                "gladiaio-sdk not installed (make bench installs it)",
            )
        )
    return results + figures
