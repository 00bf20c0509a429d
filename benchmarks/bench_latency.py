"""#9: the latency the client adds between the socket and the caller holding the message.

`benchmarks.stamp_server` (its own process) sends `transcript` messages 2 ms apart, each stamped with
CLOCK_MONOTONIC (system-wide on Linux) just before its send; the client under test, in a fresh interpreter
(`benchmarks.live_load latency`), takes the clock again when its caller holds the message: typed
(`TranscriptMessage`) from iterating `AsyncLiveSession` / `LiveSession` for ours, a `json.loads` dict for the
raw `websockets` client (asyncio, or `websockets.sync` for the sync twin). What the raw client measures is
the server's send, the loopback and the event loop (or thread hand-off); ours minus raw, round by round, is
what the client adds. The first tenth of each sample (warm-up) is left out; the local Gladia server is not
involved, so its speed does not enter.
"""

from __future__ import annotations

import statistics
import sys

from benchmarks.harness import Result, interleaved_samples
from benchmarks.live_load import sample
from benchmarks.scale import current
from benchmarks.server import ServerProcess

# Issue 16's targets: (p50, p99, max) microseconds added, per shell.
TARGETS = {"async": (25.0, 60.0, 500.0), "sync": (40.0, 100.0, 500.0)}


def run() -> list[Result]:
    scale = current()
    sides = ["ours-async", "raw-async", "ours-sync", "raw-sync"]
    print(f"  latency: {scale.messages} stamped messages, {scale.repeat} rounds", file=sys.stderr, flush=True)
    with ServerProcess("benchmarks.stamp_server") as server:
        url = f"{server.base_url}&count={scale.messages}"

        def action(side: str) -> dict[str, float]:
            report = sample("latency", side, "--url", url, "--messages", str(scale.messages))
            latency: dict[str, float] = report["latency_us"]
            return latency

        samples = interleaved_samples({side: (lambda side=side: action(side)) for side in sides}, scale.repeat)
    results = []
    letters = iter("abcdef")
    for shell, label in (("async", "AsyncLiveSession"), ("sync", "LiveSession (sync)")):
        ours, raw = samples[f"ours-{shell}"], samples[f"raw-{shell}"]
        for key, target in zip(("p50", "p99", "max"), TARGETS[shell], strict=True):
            added = tuple(o[key] - r[key] for o, r in zip(ours, raw, strict=True))
            number = "9" if shell == "async" and key == "p50" else f"9{next(letters)}"
            results.append(
                Result(
                    number,
                    f"latency added between the socket and the caller holding the typed message, {key}: {label}",
                    statistics.median(o[key] for o in ours),
                    statistics.median(r[key] for r in raw),
                    "µs",
                    "added",
                    target,
                    f"baseline: raw {'websockets (asyncio)' if shell == 'async' else 'websockets.sync'} + "
                    f"json.loads; added per round; {scale.messages} messages 2 ms apart per sample",
                    added,
                )
            )
    return results
