"""#2: the `get_job` round trip against the local server, over a kept-alive connection.

The job is a real finished session (untimed set-up): the demo recording (`demo/speech.wav`, 9.3 s of speech)
streamed through the public WebSocket protocol, so `GET /v2/live/{id}` answers a `done` job with its
utterances, words and recorded messages -- a few kB of JSON, the size of a short session.

One sample is `CALLS` sequential calls on one client (its connection kept alive); samples of the sides are
interleaved, and each figure is the median sample divided by `CALLS`: the time of one round trip. A third
sync side, raw + `StreamingResponse.from_dict`, splits our extra time between building the typed model (the
generated code) and the rest of the client (the hand-written layer, transports, generated request).

- ours: `GladiaLive.get_job(id)` (argument check, the generated request, retry and logging transports, typed
  errors, parsing into `StreamingResponse`); async: `AsyncGladiaLive.get_job(id)`.
- raw: `httpx.Client.get(url)` then `json.loads(response.content)`; async: `httpx.AsyncClient`.
"""

from __future__ import annotations

import asyncio
import json
import time
import wave
from collections.abc import Callable

import httpx

from benchmarks.harness import Figure, Result, async_paired_medians, interleaved_medians
from benchmarks.payloads import chunked
from benchmarks.server import HEADERS, KEY, PCM_16K, ROOT, ServerProcess, create_session, get_job, stream_raw
from benchmarks.server_alone import rest_figures

CALLS = 100
REPEAT = 15


def make_job(base_url: str) -> str:
    with wave.open(str(ROOT / "demo" / "speech.wav"), "rb") as recording:
        audio = recording.readframes(recording.getnframes())
    job_id, url = create_session(base_url, {**PCM_16K, "messages_config": {"receive_acknowledgments": True}})
    asyncio.run(stream_raw(url, chunked(audio, 3200)))
    return job_id


def run() -> list[Result | Figure]:
    from gladia_live_client.lib import AsyncGladiaLive, GladiaLive
    from gladia_live_client.models import StreamingResponse

    with ServerProcess() as server:
        base_url = server.base_url
        job_id = make_job(base_url)
        body_size = len(json.dumps(get_job(base_url, job_id)).encode())
        path = f"/v2/live/{job_id}"

        with (
            GladiaLive(api_key=KEY, base_url=base_url) as gladia,
            httpx.Client(base_url=base_url, headers=HEADERS) as http,
        ):

            def timed(call: Callable[[], object]) -> Callable[[], float]:
                def action() -> float:
                    start = time.perf_counter()
                    for _ in range(CALLS):
                        call()
                    return time.perf_counter() - start

                return action

            for _ in range(2):  # warm-up: imports, connections
                gladia.get_job(job_id)
                http.get(path)
            sync = interleaved_medians(
                {
                    "ours": timed(lambda: gladia.get_job(job_id)),
                    "raw": timed(lambda: json.loads(http.get(path).content)),
                    # Where our extra time goes: the same raw request, plus building the typed model.
                    "raw_model": timed(lambda: StreamingResponse.from_dict(json.loads(http.get(path).content))),
                },
                REPEAT,
            )
            sync_ours, sync_raw = sync["ours"], sync["raw"]

        async def async_pair() -> tuple[float, float]:
            async with (
                AsyncGladiaLive(api_key=KEY, base_url=base_url) as agladia,
                httpx.AsyncClient(base_url=base_url, headers=HEADERS) as ahttp,
            ):

                async def ours() -> None:
                    for _ in range(CALLS):
                        await agladia.get_job(job_id)

                async def raw() -> None:
                    for _ in range(CALLS):
                        json.loads((await ahttp.get(path)).content)

                return await async_paired_medians(ours, raw, repeat=REPEAT)

        async_ours, async_raw = asyncio.run(async_pair())
        figures = rest_figures(base_url, path)

    per_call = 1e6 / CALLS
    what = f"get_job round trip, kept-alive connection ({body_size / 1e3:.1f} kB job)"
    return [
        Result(
            "2",
            f"{what}: GladiaLive",
            sync_ours * per_call,
            sync_raw * per_call,
            "µs",
            "ratio",
            1.2,
            f"baseline: httpx.Client.get + json.loads on the same server; the same + StreamingResponse.from_dict: "
            f"{sync['raw_model'] * per_call:.0f} µs, so building the typed model costs "
            f"{(sync['raw_model'] - sync_raw) * per_call:.0f} µs and the rest of the client "
            f"{(sync_ours - sync['raw_model']) * per_call:.0f} µs per call",
        ),
        Result(
            "2a",
            f"{what}: AsyncGladiaLive",
            async_ours * per_call,
            async_raw * per_call,
            "µs",
            "ratio",
            1.2,
            "baseline: httpx.AsyncClient.get + json.loads on the same server",
        ),
        *figures,
    ]
