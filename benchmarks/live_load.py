"""One sample of a live benchmark, in a fresh interpreter: `python -m benchmarks.live_load MODE SIDE [options]`.

Every sample runs in its own process, so that no sample inherits another's heap, threads or garbage, and
`time.process_time()` is the CPU of this one client alone (the server is another process). It prints one
line of JSON with what it measured; `bench_live` and `bench_latency` run it, side after side, in interleaved
rounds.

Sides: `ours-async` (`AsyncGladiaLive.live()`), `ours-sync` (`GladiaLive.live()`), `raw-async` and `raw-sync`
(`benchmarks.raw_live`), and `sdk-sync` (the official `gladiaio-sdk`, unpaced only). In every mode the
caller reads the messages while it streams (a task, or a thread for the sync sides), as a service does.

Modes:
- `paced`: `--sessions N` concurrent sessions, each sending `--seconds` of audio in real time (one 100 ms frame
  every 100 ms, the sessions' schedules spread evenly over the 100 ms). Once every session is open (so
  connecting is not measured), the window runs from the first frame's due time to the last frame sent by the
  last session: the process's CPU and the server's (`--server-pid`, from /proc), the threads and RSS the open
  sessions hold, how late each frame's send returned after its due time, and every garbage-collector pause
  (`gc.callbacks`). `--profile PATH` writes a cProfile of the window (async sides: everything runs on the
  event loop's thread).
- `unpaced`: one session sending `--seconds` of audio as fast as the server acknowledges it; the CPU from
  before the session is created to the end of the session.
- `latency`: read `--messages` stamped messages from `benchmarks.stamp_server` (`--url`): for each, the time
  from the server's stamp (taken just before its send) to the moment the caller holds the message (parsed
  and typed for ours, `json.loads` for raw), on the system-wide CLOCK_MONOTONIC.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime
import gc
import json
import os
import statistics
import sys
import threading
import time
import uuid
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from benchmarks.payloads import chunked, speech_like_pcm
from benchmarks.raw_live import STOP_RECORDING, RawAsyncSession, RawSyncSession
from benchmarks.server import HEADERS, KEY, PCM_16K

FRAME_SECONDS = 0.1
CHUNK = 3200  # 100 ms of 16 kHz 16-bit mono
REQUEST: dict[str, Any] = dict(PCM_16K)
OPENING = 32  # sessions being created and connected at once (a burst of 500 handshakes is not the point)
TIMEOUT = 900.0  # no sample may hang the benchmark


# -- probes ------------------------------------------------------------------------------------------------


_STARTED = time.monotonic()


def log(text: str) -> None:
    """Progress on stderr (shown when a sample fails)."""
    print(f"[{time.monotonic() - _STARTED:7.2f} s] {text}", file=sys.stderr, flush=True)


def rss_bytes() -> int:
    with open("/proc/self/status") as status:
        kib = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return kib * 1024


def process_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) another process used so far; 0 without a pid."""
    if not pid:
        return 0.0
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class GcPauses:
    """Every garbage-collector pause while armed, by generation, in nanoseconds (`gc.callbacks`)."""

    def __init__(self) -> None:
        self.armed = False
        self._started = 0
        self.pauses: dict[int, array[int]] = {0: array("q"), 1: array("q"), 2: array("q")}
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter_ns()
        elif self.armed:
            self.pauses[info["generation"]].append(time.perf_counter_ns() - self._started)

    def summary(self) -> dict[str, Any]:
        return {
            f"gen{generation}": {"count": len(values), "max_ms": max(values, default=0) / 1e6}
            for generation, values in self.pauses.items()
        }


def percentiles(values: Sequence[int]) -> dict[str, float]:
    """p50, p99 and max of nanosecond values, in microseconds."""
    if not values:
        return {"p50": 0.0, "p99": 0.0, "max": 0.0, "count": 0}
    ordered = sorted(values)
    return {
        "p50": statistics.median(ordered) / 1e3,
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] / 1e3,
        "max": ordered[-1] / 1e3,
        "count": len(ordered),
    }


def delete_jobs(base_url: str, job_ids: list[str]) -> None:
    """Free the jobs' audio in the server (untimed), so that sample after sample does not fill its memory."""
    with httpx.Client(timeout=60) as http:
        for job_id in job_ids:
            http.delete(f"{base_url}/v2/live/{job_id}", headers=HEADERS).raise_for_status()


def audio_chunks(seconds: float) -> list[bytes]:
    frames = round(seconds / FRAME_SECONDS)
    periods = -(-frames // 20)  # whole 2-second periods of the speech-like signal
    return chunked(speech_like_pcm(2 * periods), CHUNK)[:frames]


# -- the sides, async ----------------------------------------------------------------------------------------


class OursAsync:
    def __init__(self, base_url: str) -> None:
        from gladia_live_client import AsyncGladiaLive

        self.client = AsyncGladiaLive(api_key=KEY, base_url=base_url)

    async def open(self) -> Any:
        from gladia_live_client import LiveState

        session = (await self.client.live(REQUEST)).start()  # what `async with` does first
        while session.state is LiveState.CONNECTING:
            await asyncio.sleep(0.01)
        return session

    async def send(self, session: Any, chunk: bytes) -> None:
        await session.send_audio(chunk)

    async def read(self, session: Any) -> None:
        async for _message in session:
            pass

    async def finish(self, session: Any, reader: asyncio.Task[None]) -> str:
        await session.close()
        await reader
        if session.bytes_acknowledged != session.bytes_sent:
            raise RuntimeError(f"ours: {session.bytes_acknowledged} of {session.bytes_sent} bytes acknowledged")
        return str(session.session_id)

    async def aclose(self) -> None:
        await self.client.close()


class RawAsync:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.AsyncClient(timeout=60)
        self.ack_delays = array("q")  # of every finished session

    async def open(self) -> RawAsyncSession:
        return await RawAsyncSession.open(self.http, self.base_url, REQUEST)

    async def send(self, session: RawAsyncSession, chunk: bytes) -> None:
        await session.send(chunk)

    async def read(self, session: RawAsyncSession) -> None:
        await session.read()

    async def finish(self, session: RawAsyncSession, reader: asyncio.Task[None]) -> str:
        await session.finish()
        await reader
        if session.acknowledged != session.pending.end:
            raise RuntimeError(f"raw: {session.acknowledged} of {session.pending.end} bytes acknowledged")
        self.ack_delays.extend(session.ack_delays)
        return session.job_id

    async def aclose(self) -> None:
        await self.http.aclose()


async def _until(event: asyncio.Event, tasks: list[asyncio.Task[Any]]) -> None:
    """Wait for `event`, but raise at once if a session failed (instead of waiting for ever)."""
    waiter = asyncio.ensure_future(event.wait())
    pending: set[asyncio.Future[Any]] = {waiter, *tasks}
    while not waiter.done():
        done, pending = await asyncio.wait(pending, timeout=TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
        if not done:
            raise TimeoutError(f"no progress within {TIMEOUT} s")
        for finished in done:
            if finished is not waiter and finished.exception() is not None:
                waiter.cancel()
                raise finished.exception()  # type: ignore[misc]


async def paced_async(side_name: str, args: argparse.Namespace) -> dict[str, Any]:
    side: Any = OursAsync(args.base_url) if side_name == "ours-async" else RawAsync(args.base_url)
    n, chunks = args.sessions, audio_chunks(args.seconds)
    loop = asyncio.get_running_loop()
    lateness = array("q")
    opening = asyncio.Semaphore(OPENING)
    all_open, go, all_streamed = asyncio.Event(), asyncio.Event(), asyncio.Event()
    counts = {"open": 0, "streamed": 0}
    start = 0.0
    job_ids: list[str] = []

    async def one(index: int, record: bool) -> None:
        async with opening:
            session = await side.open()
        reader = asyncio.create_task(side.read(session))
        counts["open"] += 1
        if counts["open"] == n:
            all_open.set()
        await go.wait()
        due = start + index * FRAME_SECONDS / n
        for chunk in chunks:
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            await side.send(session, chunk)
            if record:
                lateness.append(int((loop.time() - due) * 1e9))
            due += FRAME_SECONDS
        counts["streamed"] += 1
        if counts["streamed"] == n:
            all_streamed.set()
        await all_streamed.wait()
        job_ids.append(await side.finish(session, reader))

    # Warm-up, unmeasured: one short session (imports, first allocations, the server's first session).
    n_measured, n = n, 1
    start = loop.time()
    go.set()
    await one(0, record=False)
    delete_jobs(args.base_url, job_ids)
    job_ids.clear()
    side.ack_delays = array("q")
    n = n_measured
    all_open.clear(), go.clear(), all_streamed.clear()
    counts.update(open=0, streamed=0)

    gc.collect()
    threads_before, rss_before = threading.active_count(), rss_bytes()
    tasks = [asyncio.create_task(one(index, record=True)) for index in range(n)]
    await _until(all_open, tasks)
    log(f"{n} sessions open")
    gc.collect()
    threads_open = threading.active_count()
    pauses = GcPauses()
    # CPU time, not wall time: on a shared machine, time spent descheduled would land on whatever ran.
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    start = loop.time() + 0.05
    server_cpu, cpu = process_cpu(args.server_pid), time.process_time()
    pauses.armed = True
    if profiler:
        profiler.enable()
    go.set()
    await _until(all_streamed, tasks)
    log("every session streamed")
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    pauses.armed = False
    cpu, server_cpu = time.process_time() - cpu, process_cpu(args.server_pid) - server_cpu
    wall = loop.time() - start
    rss_open = rss_bytes()
    await asyncio.wait_for(asyncio.gather(*tasks), TIMEOUT)
    log("every session ended")
    await side.aclose()
    delete_jobs(args.base_url, job_ids)
    return _paced_report(
        args,
        cpu,
        server_cpu,
        wall,
        threads_before,
        threads_open,
        rss_before,
        rss_open,
        lateness,
        pauses,
        getattr(side, "ack_delays", ()),
    )


def _paced_report(
    args: argparse.Namespace,
    cpu: float,
    server_cpu: float,
    wall: float,
    threads_before: int,
    threads_open: int,
    rss_before: int,
    rss_open: int,
    lateness: array[int],
    pauses: GcPauses,
    ack_delays: Sequence[int] = (),
) -> dict[str, Any]:
    minutes = args.sessions * args.seconds / 60
    return {
        "cpu_s": cpu,
        "cpu_per_session_minute_ms": cpu / minutes * 1e3,
        "server_cpu_per_session_minute_ms": server_cpu / minutes * 1e3,
        "server_busy": server_cpu / wall,
        "wall_s": wall,
        "threads_per_session": (threads_open - threads_before) / args.sessions,
        "rss_per_session_kib": (rss_open - rss_before) / args.sessions / 1024,
        "lateness_us": percentiles(lateness),
        "gc": pauses.summary(),
        "ack_delay_us": percentiles(ack_delays),
    }


# -- the sides, sync -----------------------------------------------------------------------------------------


class OursSync:
    def __init__(self, base_url: str) -> None:
        from gladia_live_client import GladiaLive

        self.client = GladiaLive(api_key=KEY, base_url=base_url)

    def open(self) -> Any:
        from gladia_live_client import LiveState

        session = self.client.live(REQUEST).start()  # what `with` does first
        while session.state is LiveState.CONNECTING:
            time.sleep(0.01)
        return session

    def send(self, session: Any, chunk: bytes) -> None:
        session.send_audio(chunk)

    def read(self, session: Any) -> None:
        for _message in session:
            pass

    def finish(self, session: Any, reader: threading.Thread) -> str:
        session.close()
        reader.join(TIMEOUT)
        if session.bytes_acknowledged != session.bytes_sent:
            raise RuntimeError(f"ours: {session.bytes_acknowledged} of {session.bytes_sent} bytes acknowledged")
        return str(session.session_id)

    def close(self) -> None:
        self.client.close()


class RawSync:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(timeout=60)
        self.ack_delays = array("q")  # of every finished session

    def open(self) -> RawSyncSession:
        return RawSyncSession.open(self.http, self.base_url, REQUEST)

    def send(self, session: RawSyncSession, chunk: bytes) -> None:
        session.send(chunk)

    def read(self, session: RawSyncSession) -> None:
        session.read()

    def finish(self, session: RawSyncSession, reader: threading.Thread) -> str:
        session.finish()
        reader.join(TIMEOUT)
        session.ws.close()
        if session.acknowledged != session.pending.end:
            raise RuntimeError(f"raw: {session.acknowledged} of {session.pending.end} bytes acknowledged")
        self.ack_delays.extend(session.ack_delays)
        return session.job_id

    def close(self) -> None:
        self.http.close()


def paced_sync(side_name: str, args: argparse.Namespace) -> dict[str, Any]:
    side: Any = OursSync(args.base_url) if side_name == "ours-sync" else RawSync(args.base_url)
    chunks = audio_chunks(args.seconds)
    lateness = array("q")
    opening = threading.Semaphore(OPENING)
    lock = threading.Lock()
    errors: list[BaseException] = []
    job_ids: list[str] = []

    def run(n: int, record: bool, profile: str | None = None) -> dict[str, Any]:
        all_open, go, all_streamed, failed = (threading.Event() for _ in range(4))
        counts = {"open": 0, "streamed": 0}
        schedule = {"start": 0.0}

        def one(index: int) -> None:
            try:
                with opening:
                    session = side.open()
                reader = threading.Thread(target=side.read, args=(session,), daemon=True)
                reader.start()
                with lock:
                    counts["open"] += 1
                    if counts["open"] == n:
                        all_open.set()
                go.wait()
                due = schedule["start"] + index * FRAME_SECONDS / n
                for chunk in chunks:
                    delay = due - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    side.send(session, chunk)
                    if record:
                        lateness.append(int((time.monotonic() - due) * 1e9))
                    due += FRAME_SECONDS
                with lock:
                    counts["streamed"] += 1
                    if counts["streamed"] == n:
                        all_streamed.set()
                all_streamed.wait()
                job_id = side.finish(session, reader)
                with lock:
                    job_ids.append(job_id)
            except BaseException as error:  # reported by the main thread, which would otherwise wait for ever
                errors.append(error)
                failed.set()

        def until(event: threading.Event) -> None:
            deadline = time.monotonic() + TIMEOUT
            while not event.wait(0.05):
                if failed.is_set():
                    raise errors[0]
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no progress within {TIMEOUT} s")

        gc.collect()
        threads_before, rss_before = threading.active_count(), rss_bytes()
        workers = [threading.Thread(target=one, args=(index,), daemon=True) for index in range(n)]
        for worker in workers:
            worker.start()
        until(all_open)
        log(f"{n} sessions open")
        gc.collect()
        # Each session's thread (`one`, the caller's sending thread) and its reader thread count: a service
        # streaming N sync sessions at once runs them.
        threads_open = threading.active_count()
        pauses = GcPauses()
        schedule["start"] = time.monotonic() + 0.05
        server_cpu, cpu = process_cpu(args.server_pid), time.process_time()
        pauses.armed = True
        go.set()
        until(all_streamed)
        log("every session streamed")
        pauses.armed = False
        cpu, server_cpu = time.process_time() - cpu, process_cpu(args.server_pid) - server_cpu
        wall = time.monotonic() - schedule["start"]
        rss_open = rss_bytes()
        for worker in workers:
            worker.join(TIMEOUT)
        if errors:
            raise errors[0]
        return _paced_report(
            args,
            cpu,
            server_cpu,
            wall,
            threads_before,
            threads_open,
            rss_before,
            rss_open,
            lateness,
            pauses,
            getattr(side, "ack_delays", ()),
        )

    run(1, record=False)  # warm-up, unmeasured
    delete_jobs(args.base_url, job_ids)
    job_ids.clear()
    side.ack_delays = array("q")
    report = run(args.sessions, record=True)
    side.close()
    delete_jobs(args.base_url, job_ids)
    return report


# -- unpaced -------------------------------------------------------------------------------------------------


async def unpaced_async(side_name: str, args: argparse.Namespace) -> dict[str, Any]:
    side: Any = OursAsync(args.base_url) if side_name == "ours-async" else RawAsync(args.base_url)
    chunks = audio_chunks(args.seconds)
    job_ids: list[str] = []

    async def stream(chunks: list[bytes]) -> None:
        session = await side.open()
        reader = asyncio.create_task(side.read(session))
        for chunk in chunks:
            await side.send(session, chunk)
        job_ids.append(await side.finish(session, reader))

    await stream(chunks[:20])  # warm-up
    gc.collect()
    cpu = time.process_time()
    await stream(chunks)
    cpu = time.process_time() - cpu
    await side.aclose()
    delete_jobs(args.base_url, job_ids)
    return {"cpu_s": cpu}


def unpaced_sync(side_name: str, args: argparse.Namespace) -> dict[str, Any]:
    chunks = audio_chunks(args.seconds)
    if side_name == "sdk-sync":
        stream_sdk(args.base_url, chunks[:20])  # warm-up
        gc.collect()
        cpu = time.process_time()
        stream_sdk(args.base_url, chunks)
        return {"cpu_s": time.process_time() - cpu}
    side: Any = OursSync(args.base_url) if side_name == "ours-sync" else RawSync(args.base_url)
    job_ids: list[str] = []

    def stream(chunks: list[bytes]) -> None:
        session = side.open()
        reader = threading.Thread(target=side.read, args=(session,), daemon=True)
        reader.start()
        for chunk in chunks:
            side.send(session, chunk)
        job_ids.append(side.finish(session, reader))

    stream(chunks[:20])  # warm-up
    gc.collect()
    cpu = time.process_time()
    stream(chunks)
    cpu = time.process_time() - cpu
    side.close()
    delete_jobs(args.base_url, job_ids)
    return {"cpu_s": cpu}


def stream_sdk(base_url: str, chunks: list[bytes]) -> None:
    """The official SDK's documented loop (it emits messages to listeners; none is registered)."""
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
    if not session.join(TIMEOUT):
        raise RuntimeError(f"SDK: the session did not end within {TIMEOUT} s")
    if errors:
        raise RuntimeError(f"SDK: {errors[0]!r}")
    delete_jobs(base_url, [str(session.session_id)])


# -- latency -------------------------------------------------------------------------------------------------


def _init_response(url: str) -> Any:
    from gladia_live_client.models import InitStreamingResponse

    return InitStreamingResponse(id=uuid.uuid4(), created_at=datetime.datetime.now(datetime.UTC), url=url)


def _stamp(message_id: str) -> int:
    return time.monotonic_ns() - int(message_id)


async def latency_async(side_name: str, args: argparse.Namespace) -> array[int]:
    delays = array("q")
    if side_name == "raw-async":
        import websockets

        async with websockets.connect(args.url, max_size=None, compression=None) as ws:
            async for text in ws:
                message = json.loads(text)
                if message["type"] == "transcript":
                    delays.append(_stamp(message["data"]["id"]))
                    if len(delays) == args.messages:
                        await ws.send(STOP_RECORDING)
        return delays
    from gladia_live_client import AsyncLiveSession
    from gladia_live_client.models import TranscriptMessage

    async with AsyncLiveSession.from_init_response(_init_response(args.url)) as session:
        async for item in session:
            if isinstance(item, TranscriptMessage):
                delays.append(_stamp(item.data.id))
                if len(delays) == args.messages:
                    break
    return delays


def latency_sync(side_name: str, args: argparse.Namespace) -> array[int]:
    delays = array("q")
    if side_name == "raw-sync":
        from websockets.exceptions import ConnectionClosedOK
        from websockets.sync.client import connect

        with connect(args.url, max_size=None, compression=None) as ws:
            try:
                for text in ws:
                    message = json.loads(text)
                    if message["type"] == "transcript":
                        delays.append(_stamp(message["data"]["id"]))
                        if len(delays) == args.messages:
                            ws.send(STOP_RECORDING)
            except ConnectionClosedOK:
                pass
        return delays
    from gladia_live_client import LiveSession
    from gladia_live_client.models import TranscriptMessage

    with LiveSession.from_init_response(_init_response(args.url)) as session:
        for item in session:
            if isinstance(item, TranscriptMessage):
                delays.append(_stamp(item.data.id))
                if len(delays) == args.messages:
                    break
    return delays


def latency(side_name: str, args: argparse.Namespace) -> dict[str, Any]:
    run: Callable[[], array[int]]
    if side_name.endswith("async"):
        run = lambda: asyncio.run(latency_async(side_name, args))  # noqa: E731
    else:
        run = lambda: latency_sync(side_name, args)  # noqa: E731
    delays = run()
    if len(delays) != args.messages:
        raise RuntimeError(f"{side_name}: {len(delays)} of {args.messages} messages")
    # The first tenth warms up (imports, first allocations) and is left out.
    return {"latency_us": percentiles(delays[len(delays) // 10 :])}


# -- entry point ---------------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("mode", choices=["paced", "unpaced", "latency"])
    parser.add_argument("side", choices=["ours-async", "ours-sync", "raw-async", "raw-sync", "sdk-sync"])
    parser.add_argument("--base-url", default="")
    parser.add_argument("--url", default="", help="latency: the stamp server's WebSocket URL")
    parser.add_argument("--server-pid", type=int, default=0)
    parser.add_argument("--sessions", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--profile", default="", help="paced, async: write a cProfile of the window here")
    args = parser.parse_args(argv)
    is_async = args.side.endswith("async")
    report: dict[str, Any]
    if args.mode == "paced":
        report = asyncio.run(paced_async(args.side, args)) if is_async else paced_sync(args.side, args)
    elif args.mode == "unpaced":
        report = asyncio.run(unpaced_async(args.side, args)) if is_async else unpaced_sync(args.side, args)
    else:
        report = latency(args.side, args)
    print(json.dumps(report), flush=True)
    return 0


def sample(mode: str, side: str, *options: str, timeout: float = TIMEOUT, attempts: int = 2) -> dict[str, Any]:
    """Run one sample in a fresh interpreter and return its report (for the benchmark modules).

    A sample that fails is run once more (said on stderr): on a starved machine the local server's keepalive
    pings can go unanswered for 20 s at 500 sessions, and one such close should not void a long run.
    """
    import subprocess

    for attempt in range(1, attempts + 1):
        completed = subprocess.run(
            [sys.executable, "-m", "benchmarks.live_load", mode, side, *options],
            cwd=Path(__file__).resolve().parent.parent,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if completed.returncode == 0:
            report: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
            return report
        failure = f"{mode} {side} failed ({completed.returncode}):\n{completed.stderr[-4000:]}"
        if attempt < attempts:
            last_line = completed.stderr.strip().splitlines()[-1:] or [""]
            print(f"  {mode} {side}: failed ({last_line[0][:200]}); once more", file=sys.stderr, flush=True)
    raise RuntimeError(failure)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
