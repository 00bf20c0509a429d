"""Chaos: seeded sessions through a `ChaosProxy` in front of the local server, each with 3 abrupt cuts.

Each run streams ~20 s of random 16 kHz 16-bit mono audio (every position unique) unpaced, half through
`LiveSession` (sync), half through `AsyncLiveSession`. The proxy cuts each of the session's first three
WebSocket connections at a random byte count, in both directions at once: what was in flight is lost either
way, server acknowledgements of audio it already committed included. Afterwards the committed recording is
downloaded (`GET /v2/live/{id}/file` through the client) and aligned against the source:

- bytes lost: source positions absent from the recording (must be 0);
- bytes duplicated: recording bytes repeating a source position already present (at most one sample, 2 bytes,
  per reconnection), equal to the session's own `stats.bytes_duplicated` where the stats have it;
- no error: when a cut right after `stop_recording` loses the last acknowledgements and the server, having
  everything, ends the session and refuses the reconnection, the session fetches the result over REST once
  the recording's length proves it complete, and ends normally.

Sessions start with the client's `init_session` then `attach_live` (rather than `live()`, which does both):
the proxy's planner needs each session's token before its first WebSocket connection, to give every session
its own scripted cuts however the concurrent sessions interleave.

`make test` runs `GLADIA_CHAOS_RUNS` (default 100) sessions, `GLADIA_CHAOS_CONCURRENCY` (8) at once; `make chaos`
runs 2,000 and prints the totals.
"""

from __future__ import annotations

import asyncio
import os
import queue
import random
import re
import struct
import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest

from gladia_live_client import AsyncGladiaLive, GladiaLive, LiveError
from gladia_live_client.models import InitStreamingResponse
from gladia_live_client.testing import ChaosPlan, ConnectionInfo, LocalGladiaServer

from .conftest import fast_options, session_request

RUNS = int(os.environ.get("GLADIA_CHAOS_RUNS", "100"))
CONCURRENCY = int(os.environ.get("GLADIA_CHAOS_CONCURRENCY", "8"))
SECONDS = 20
SAMPLE = 2  # bytes of one 16-bit mono sample frame
AUDIO_BYTES = SECONDS * 16000 * SAMPLE
CUTS = 3
# Every wait has a deadline: the whole run gets 60 s plus 2 s per session (100 runs: 260 s at most).
DEADLINE = 60.0 + 2.0 * RUNS
_TOKEN = re.compile(rb"[?&]token=([0-9A-Za-z-]+)")


def cut_plans(seed: int) -> list[ChaosPlan]:
    """The session's cuts: each of its first three WebSocket connections dies at a random byte count.

    Mostly while audio goes up (client to server), sometimes on the way down (acknowledgements lost after
    the server committed the audio they acknowledge). Kept below a third of the audio each, so all three fire.
    """
    rng = random.Random(f"cuts-{seed}")
    plans = []
    for _ in range(CUTS):
        if rng.random() < 0.7:
            plans.append(ChaosPlan.cut(rng.randrange(1, AUDIO_BYTES // 3), direction="up"))
        else:
            plans.append(ChaosPlan.cut(rng.randrange(1, 20_000), direction="down"))
    return plans


class Planner:
    """Gives each session's WebSocket connections its own scripted cuts, whatever runs concurrently."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scripts: dict[bytes, list[ChaosPlan]] = {}
        self.connections: dict[bytes, list[int]] = {}

    def expect(self, init: InitStreamingResponse, plans: list[ChaosPlan]) -> bytes:
        match = _TOKEN.search(init.url.encode())
        assert match is not None
        token = match.group(1)
        with self._lock:
            self._scripts[token] = list(plans)
            self.connections[token] = []
        return token

    def __call__(self, info: ConnectionInfo) -> ChaosPlan | None:
        match = _TOKEN.search(info.head.split(b"\r\n", 1)[0])
        if match is None:
            return None  # REST: untouched
        with self._lock:
            script = self._scripts.get(match.group(1))
            if script is None:
                return None
            self.connections[match.group(1)].append(info.index)
            return script.pop(0) if script else None


@dataclass
class Outcome:
    seed: int
    shell: str
    cuts: int = 0
    reconnections: int = 0
    lost: int = 0
    duplicated: int = 0
    foreign: int = 0
    stats_duplicated: int | None = None
    error: str | None = None
    # The server had ended the session (the job is done) when the client, having lost the acknowledgements
    # of its last audio or of its stop, tried to reconnect and was refused: the session fetches the result
    # over REST once the recording's length proves it complete (`fetched`). A LiveError raised there
    # (`ended_by_server`, its type) fails the run: the recording is complete, so the session must not fail.
    fetched: bool = False
    ended_by_server: str | None = None
    seconds: float = 0.0
    token: bytes = b""


def _common_prefix(a: bytes, a0: int, b: bytes, b0: int) -> int:
    """Length of the longest common prefix of a[a0:] and b[b0:] (compared in shrinking blocks)."""
    n = min(len(a) - a0, len(b) - b0)
    length = 0
    step = 1 << 16
    while step:
        while length + step <= n and a[a0 + length : a0 + length + step] == b[b0 + length : b0 + length + step]:
            length += step
        step >>= 1
    return length


def _on_grid(start: int, length: int, size: int) -> int:
    """A run's length ended on a sample boundary: audio is inserted in whole samples, so a run that seems to go
    on into an inserted sample (its first byte equal to the next source byte by chance) stops before it."""
    end = start + length
    if start % SAMPLE or end == size:
        return length
    return length - end % SAMPLE


def _short_insertion(source: bytes, recording: bytes, r: int, expected: int) -> int:
    """How many bytes (1 to 8) at recording[r] stand before a resumption of the source at `expected` (or
    before the end of the recording, once the source is complete), or 0."""
    if expected == len(source):
        return len(recording) - r if len(recording) - r <= 8 else 0
    resumed = source[expected : expected + 16]
    for inserted in range(1, 9):
        if recording[r + inserted : r + inserted + len(resumed)] == resumed:
            return inserted
    return 0


def align(source: bytes, recording: bytes) -> tuple[int, int, int]:
    """(lost, duplicated, foreign) bytes of `recording` against `source` (random: every position unique).

    The recording is cut into maximal runs each copied from one source position. Lost: source bytes no run
    covers. Duplicated: bytes of runs covering a source position another run already covered. Foreign:
    recording bytes found nowhere in the source.

    A few bytes inserted before the expected position (a reconnection's one-sample probe repeats audio the
    server already had) are too short to locate by search: when the recording resumes at the expected position
    right after them, they count as a copy of the latest earlier occurrence in the source (duplicated), or as
    foreign when they occur nowhere before.
    """
    runs: list[tuple[int, int]] = []
    foreign = 0
    r = 0
    expected = 0
    while r < len(recording):
        start = expected if expected < len(source) and source[expected] == recording[r] else -1
        length = _on_grid(start, _common_prefix(recording, r, source, start), len(source)) if start >= 0 else 0
        if length < 8 and expected > 0:
            inserted = _short_insertion(source, recording, r, expected)
            if inserted:
                # One probe sample per reconnection whose probe reached the server: each a copy of a sample.
                for at in range(r, r + inserted, SAMPLE):
                    sample = recording[at : min(at + SAMPLE, r + inserted)]
                    copied_from = source.rfind(sample, 0, expected)
                    if copied_from >= 0:
                        runs.append((copied_from, copied_from + len(sample)))
                    else:
                        foreign += len(sample)
                r += inserted
                continue
        if length < 8 and len(recording) - r >= 8:
            found = source.find(recording[r : r + 16] if len(recording) - r >= 16 else recording[r:])
            if found >= 0:
                start, length = found, _on_grid(found, _common_prefix(recording, r, source, found), len(source))
        if length == 0:
            foreign += 1
            r += 1
            continue
        runs.append((start, start + length))
        r += length
        expected = start + length
    covered = bytearray(len(source))
    duplicated = 0
    for start, end in runs:
        duplicated += covered[start:end].count(1)
        covered[start:end] = b"\x01" * (end - start)
    return covered.count(0), duplicated, foreign


def wav_data(wav: bytes) -> bytes:
    offset = 12
    while offset + 8 <= len(wav):
        name, size = wav[offset : offset + 4], struct.unpack("<I", wav[offset + 4 : offset + 8])[0]
        if name == b"data":
            return wav[offset + 8 : offset + 8 + size]
        offset += 8 + size + (size & 1)
    raise AssertionError("no data chunk in the recording")


def _sync_run(server: LocalGladiaServer, planner: Planner, seed: int, audio: bytes, outcome: Outcome) -> bytes:
    with GladiaLive(api_key=server.api_key, base_url=server.base_url, timeout=30) as client:
        init = client.init_session(session_request())
        outcome.token = planner.expect(init, cut_plans(seed))
        session = None
        try:
            session = client.attach_live(init, session_request(), options=fast_options(seed))
            with session:
                session.send_audio(audio)
                session.stop_recording()
                for _ in session:
                    pass
        except LiveError as exc:
            if not _done(client.get_job(str(init.id))):
                raise
            outcome.ended_by_server = type(exc).__name__
        finally:
            _record_stats(outcome, session)
        return b"".join(client.iter_audio(str(init.id)))


async def _async_run(server: LocalGladiaServer, planner: Planner, seed: int, audio: bytes, outcome: Outcome) -> bytes:
    async with AsyncGladiaLive(api_key=server.api_key, base_url=server.base_url, timeout=30) as client:
        init = await client.init_session(session_request())
        outcome.token = planner.expect(init, cut_plans(seed))
        session = None
        try:
            session = await client.attach_live(init, session_request(), options=fast_options(seed))
            async with session:
                await session.send_audio(audio)
                await session.stop_recording()
                async for _ in session:
                    pass
        except LiveError as exc:
            if not _done(await client.get_job(str(init.id))):
                raise
            outcome.ended_by_server = type(exc).__name__
        finally:
            _record_stats(outcome, session)
        return b"".join([chunk async for chunk in client.iter_audio(str(init.id))])


def _done(job: Any) -> bool:
    return getattr(job.status, "value", job.status) == "done"


def _record_stats(outcome: Outcome, session: Any) -> None:
    if session is None:
        return
    stats = session.stats
    outcome.reconnections = stats.reconnections
    outcome.stats_duplicated = getattr(stats, "bytes_duplicated", None)
    outcome.fetched = stats.result_fetched


def run_one(server: LocalGladiaServer, planner: Planner, seed: int) -> Outcome:
    shell = "sync" if seed % 2 == 0 else "async"
    outcome = Outcome(seed, shell)
    audio = random.Random(seed).randbytes(AUDIO_BYTES)
    started = time.monotonic()
    try:
        if shell == "sync":
            wav = _sync_run(server, planner, seed, audio, outcome)
        else:
            wav = asyncio.run(_async_run(server, planner, seed, audio, outcome))
        outcome.lost, outcome.duplicated, outcome.foreign = align(audio, wav_data(wav))
    except Exception as exc:  # reported with the totals: one failing session must not hide the others
        outcome.error = f"{type(exc).__name__}: {exc}"
    outcome.seconds = time.monotonic() - started
    return outcome


def run_all(server: LocalGladiaServer, planner: Planner) -> list[Outcome]:
    """Every seed, CONCURRENCY sessions at a time, on daemon threads (a hung session cannot hang pytest)."""
    seeds: queue.SimpleQueue[int] = queue.SimpleQueue()
    for seed in range(RUNS):
        seeds.put(seed)
    results: queue.SimpleQueue[Outcome] = queue.SimpleQueue()

    def work() -> None:
        while True:
            try:
                seed = seeds.get_nowait()
            except queue.Empty:
                return
            results.put(run_one(server, planner, seed))

    for index in range(CONCURRENCY):
        threading.Thread(target=work, name=f"chaos-{index}", daemon=True).start()
    deadline = time.monotonic() + DEADLINE
    outcomes = []
    for _ in range(RUNS):
        try:
            outcomes.append(results.get(timeout=max(0.0, deadline - time.monotonic())))
        except queue.Empty:
            pytest.fail(f"only {len(outcomes)} of {RUNS} chaos sessions ended within {DEADLINE:.0f} s")
    return sorted(outcomes, key=lambda outcome: outcome.seed)


def test_chaos_cuts_lose_nothing_and_duplicate_at_most_a_sample_per_reconnection() -> None:
    planner = Planner()
    with LocalGladiaServer(network_faults=True) as server:
        assert server.proxy is not None
        server.proxy.set_planner(planner)
        started = time.monotonic()
        outcomes = run_all(server, planner)
        elapsed = time.monotonic() - started
        records = {record.index: record for record in server.proxy.records()}
    for outcome in outcomes:
        outcome.cuts = sum(records[index].outcome == "cut" for index in planner.connections.get(outcome.token, []))

    failed = [
        o for o in outcomes if o.error or o.ended_by_server or o.lost or o.foreign or o.duplicated > 2 * o.reconnections
    ]
    disagree = [o for o in outcomes if o.stats_duplicated is not None and o.stats_duplicated != o.duplicated]
    print(
        f"\nchaos: {len(outcomes)} runs ({sum(o.shell == 'sync' for o in outcomes)} sync, "
        f"{sum(o.shell == 'async' for o in outcomes)} async) in {elapsed:.1f} s, concurrency {CONCURRENCY}; "
        f"cuts {sum(o.cuts for o in outcomes)}, reconnections {sum(o.reconnections for o in outcomes)}, "
        f"bytes lost {sum(o.lost for o in outcomes)} (runs {sum(bool(o.lost) for o in outcomes)}, "
        f"max {max(o.lost for o in outcomes)}), bytes duplicated {sum(o.duplicated for o in outcomes)} "
        f"(runs {sum(bool(o.duplicated) for o in outcomes)}, max {max(o.duplicated for o in outcomes)}), "
        f"foreign {sum(o.foreign for o in outcomes)}, errors {sum(bool(o.error) for o in outcomes)}, "
        f"ended by the server before the client saw it: {sum(o.fetched for o in outcomes)} (result fetched "
        f"over REST) + {sum(bool(o.ended_by_server) for o in outcomes)} (failed), "
        f"slowest session {max(o.seconds for o in outcomes):.1f} s"
    )
    for outcome in (failed + disagree)[:10]:
        print(f"  {outcome}")
    assert sum(o.cuts for o in outcomes) >= RUNS * 2, "the proxy did not cut as planned"
    assert failed == [], f"{len(failed)} of {RUNS} runs lost, corrupted or over-duplicated audio, or failed"
    assert disagree == [], f"{len(disagree)} runs whose stats.bytes_duplicated disagrees with the recording"


def test_align_counts_lost_and_duplicated_bytes() -> None:
    source = random.Random(1).randbytes(1000)
    assert align(source, source) == (0, 0, 0)
    assert align(source, source[:300] + source[400:]) == (100, 0, 0)
    assert align(source, source[:300] + source[298:]) == (0, 2, 0)
    assert align(source, source[:300] + source[120:122] + source[300:]) == (0, 2, 0)  # a probe's sample
    assert align(source, source + source[998:]) == (0, 2, 0)  # a probe's sample after all the audio
    assert align(source, source[:300] + source[120:122] * 2 + source[300:]) == (0, 4, 0)  # two probes' samples
    chance = bytearray(source)
    chance[100] = chance[300]  # the repeated sample's first byte is the next source byte, by chance
    assert align(bytes(chance), chance[:300] + chance[100:102] + chance[300:]) == (0, 2, 0)
    assert align(source, source[:300] + bytes(range(248, 256)) + source[300:]) == (0, 0, 8)  # nowhere before
    # A probe's sample whose first byte happens to be the next one in the source (the run swallows it).
    longer = random.Random(2).randbytes(20_000)
    probe = next(offset for offset in range(0, 10_000, 2) if longer[offset] == longer[10_000])
    sample = longer[probe : probe + 2]
    assert align(longer, longer[:10_000] + sample + longer[10_000:]) == (0, 2, 0)
    assert align(longer, longer[:10_000] + sample * 2 + longer[10_000:]) == (0, 4, 0)
    assert align(source, source[:500] + b"\x00" * 3 + source[500:])[0] == 0


@pytest.mark.parametrize("seed", [0, 1])
def test_cut_plans_are_replayable(seed: int) -> None:
    assert cut_plans(seed) == cut_plans(seed)
    assert len(cut_plans(seed)) == CUTS
