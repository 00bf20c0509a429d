"""#2: the `get_job` round trip against the local server, over a kept-alive connection.

The job is a real finished session (untimed set-up): the demo recording (`demo/speech.wav`, 9.3 s of speech)
streamed through the public WebSocket protocol, so `GET /v2/live/{id}` answers a `done` job with its
utterances, words and recorded messages -- a few kB of JSON, the size of a short session.

One sample is `CALLS` sequential calls on one client (its connection kept alive); samples of the two sides
are interleaved, and each figure is the median sample divided by `CALLS`: the time of one round trip.

The note splits our extra time without the network's noise: the same body answered by `httpx.MockTransport`,
client CPU only, for raw, raw + `StreamingResponse.from_dict` (the typed model: generated code) and ours (the
model plus the hand-written layer, its transports and the generated request).

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

from benchmarks.harness import Figure, Result, async_paired_medians, interleaved_medians, paired_medians
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
    from gladia_live_client import AsyncGladiaLive, GladiaLive

    with ServerProcess() as server:
        base_url = server.base_url
        job_id = make_job(base_url)
        body_size = len(json.dumps(get_job(base_url, job_id)).encode())
        path = f"/v2/live/{job_id}"

        with (
            GladiaLive(api_key=KEY, base_url=base_url) as gladia,
            httpx.Client(base_url=base_url, headers=HEADERS) as http,
        ):

            def ours() -> None:
                for _ in range(CALLS):
                    gladia.get_job(job_id)

            def raw() -> None:
                for _ in range(CALLS):
                    json.loads(http.get(path).content)

            sync_ours, sync_raw = paired_medians(ours, raw, repeat=REPEAT)
            body = http.get(path).content

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
        split = client_cpu_split(body, job_id)
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
            f"baseline: httpx.Client.get + json.loads on the same server; client CPU alone (MockTransport, same "
            f"body): raw {split['raw']:.0f} µs, raw + StreamingResponse.from_dict {split['raw_model']:.0f} µs, ours "
            f"{split['ours']:.0f} µs per call",
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


def client_cpu_split(body: bytes, job_id: str, calls: int = 200) -> dict[str, float]:
    """Microseconds per `get_job` call with the network replaced by `httpx.MockTransport` answering `body`."""
    from gladia_live_client import GladiaLive
    from gladia_live_client.models import StreamingResponse

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    path = f"/v2/live/{job_id}"
    with (
        GladiaLive(api_key=KEY, base_url="http://bench.invalid", transport=httpx.MockTransport(answer)) as gladia,
        httpx.Client(base_url="http://bench.invalid", transport=httpx.MockTransport(answer)) as http,
    ):

        def timed(call: Callable[[], object]) -> Callable[[], float]:
            def action() -> float:
                start = time.perf_counter()
                for _ in range(calls):
                    call()
                return (time.perf_counter() - start) / calls * 1e6

            return action

        return interleaved_medians(
            {
                "raw": timed(lambda: json.loads(http.get(path).content)),
                "raw_model": timed(lambda: StreamingResponse.from_dict(json.loads(http.get(path).content))),
                "ours": timed(lambda: gladia.get_job(job_id)),
            },
            REPEAT,
        )
