"""#4, #7, #8, #10, #11: the client's own cost per live session, next to a minimal raw client in the same run.

What a service running hundreds of sessions in one process pays is CPU, threads, memory and timeliness per
session, not throughput through the local server (which would bound it). So every figure here is the
client process's own (`time.process_time()`, its RSS, its threads), with the server in another process, and
every figure is compared with the raw client of `benchmarks.raw_live` (httpx `POST`, `websockets`,
`json.loads` on every frame, a buffer of unacknowledged audio trimmed on acknowledgements) measured in the
same run, in interleaved rounds, each sample in a fresh interpreter (`benchmarks.live_load`). Like is
compared with like: the async session with the asyncio raw client, the sync session with the threaded one.

- #4 / #4a: the CPU to stream `unpaced_seconds` of audio (10 minutes in the full scale) through one session as
  fast as the server acknowledges it, the caller reading the messages meanwhile; #4b: the sync session against
  the official `gladiaio-sdk` (its documented loop; it decodes every message into its own models).
- #7 (async) / #8 (sync): CPU per session-minute with N concurrent sessions streaming in real time (100 ms
  frames), the caller reading every session's messages meanwhile; #8t: threads per sync session.
- #10: at the largest N, how late the paced frames' sends return after their due time (p99), and the longest
  garbage-collector pause, in the same samples as #7 / #8.
- #11: RSS per open session at the largest N, in the same samples.

The local server's own figures (CPU per session-minute, share of a core, how fast it acknowledges a frame)
come from the raw client's samples, the minimal load the server can be given.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable
from typing import Any

from benchmarks.harness import Figure, Result, interleaved_samples, spread
from benchmarks.live_load import sample
from benchmarks.scale import Scale, current
from benchmarks.server import ServerProcess

Report = dict[str, Any]


def progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _has_sdk() -> bool:
    try:
        import gladiaio_sdk  # noqa: F401
    except ImportError:
        return False
    return True


def _ratios(ours: list[float], baseline: list[float]) -> tuple[float, ...]:
    return tuple(o / b for o, b in zip(ours, baseline, strict=True))


def _range(values: list[float], digits: int = 3) -> str:
    middle, low, high = spread(values)
    return f"{middle:.{digits}g} ({low:.{digits}g} to {high:.{digits}g})"


def unpaced_rows(scale: Scale, common: list[str], echo: Callable[[str], None]) -> list[Result]:
    sides = ["ours-sync", "ours-async", "raw-sync", "raw-async"] + (["sdk-sync"] if _has_sdk() else [])
    seconds = ["--seconds", str(scale.unpaced_seconds)]

    def action(side: str) -> Callable[[], float]:
        return lambda: float(sample("unpaced", side, *common, *seconds)["cpu_s"])

    echo(f"  unpaced: {scale.unpaced_seconds} s of audio, {scale.repeat} rounds")
    cpu = interleaved_samples({side: action(side) for side in sides}, scale.repeat)
    seconds_text = (
        f"{scale.unpaced_seconds // 60} min" if scale.unpaced_seconds % 60 == 0 else f"{scale.unpaced_seconds} s"
    )
    what = f"CPU to stream {seconds_text} of audio unpaced through one session, the caller reading"
    median = {side: statistics.median(values) for side, values in cpu.items()}
    rows = [
        Result(
            "4",
            f"{what}: LiveSession (sync)",
            median["ours-sync"],
            median["raw-sync"],
            "s",
            "ratio",
            1.1,
            f"baseline: raw websockets.sync + reader thread; ratio per round; raw asyncio {median['raw-async']:.3f} s",
            _ratios(cpu["ours-sync"], cpu["raw-sync"]),
        ),
        Result(
            "4a",
            f"{what}: AsyncLiveSession",
            median["ours-async"],
            median["raw-async"],
            "s",
            "ratio",
            1.1,
            "baseline: raw websockets (asyncio) + reader task; ratio per round",
            _ratios(cpu["ours-async"], cpu["raw-async"]),
        ),
    ]
    if "sdk-sync" in cpu:
        rows.append(
            Result(
                "4b",
                "same, LiveSession (sync) vs the official gladiaio-sdk 2.2.1",
                median["ours-sync"],
                median["sdk-sync"],
                "s",
                "ratio",
                1.0,
                "baseline: gladiaio-sdk LiveV2Session (sync), no listener",
                _ratios(cpu["ours-sync"], cpu["sdk-sync"]),
            )
        )
    else:
        rows.append(
            Result(
                "4b",
                "same vs the official gladiaio-sdk",
                median["ours-sync"],
                float("nan"),
                "s",
                "ratio",
                1.0,
                "gladiaio-sdk not installed (make bench installs it)",
            )
        )
    return rows


def paced_samples(
    scale: Scale, common: list[str], shell: str, counts: tuple[int, ...], echo: Callable[[str], None]
) -> dict[int, dict[str, list[Report]]]:
    """For each N: every round's report of `ours-<shell>` and `raw-<shell>`."""
    results = {}
    for n in counts:
        echo(f"  paced {shell}: {n} sessions x {scale.seconds:g} s, {scale.repeat} rounds")
        options = [*common, "--sessions", str(n), "--seconds", str(scale.seconds)]
        sides = [f"ours-{shell}", f"raw-{shell}"]
        actions = {side: (lambda side=side, options=options: sample("paced", side, *options)) for side in sides}
        results[n] = interleaved_samples(actions, scale.repeat, seed=n)
    return results


def _values(reports: list[Report], *path: str) -> list[float]:
    values = []
    for report in reports:
        value: Any = report
        for key in path:
            value = value[key]
        values.append(float(value))
    return values


def _gc_max(report: Report) -> float:
    return max(float(generation["max_ms"]) for generation in report["gc"].values())


def paced_rows(shell: str, samples: dict[int, dict[str, list[Report]]]) -> list[Result]:
    ours_side, raw_side = f"ours-{shell}", f"raw-{shell}"
    number, target, label = ("7", 1.15, "AsyncLiveSession") if shell == "async" else ("8", 1.2, "LiveSession (sync)")
    rows = []
    for n, reports in samples.items():
        ours = _values(reports[ours_side], "cpu_per_session_minute_ms")
        raw = _values(reports[raw_side], "cpu_per_session_minute_ms")
        busy = _values(reports[raw_side], "server_busy")
        rows.append(
            Result(
                f"{number}-{n}",
                f"client CPU per session-minute, {n} concurrent real-time {shell} sessions (100 ms frames): {label}",
                statistics.median(ours),
                statistics.median(raw),
                "ms",
                "ratio",
                target,
                f"baseline: raw {'asyncio' if shell == 'async' else 'websockets.sync'} client; ratio per round; "
                f"the server used {statistics.median(busy):.0%} of a core",
                _ratios(ours, raw),
            )
        )
    largest = max(samples)
    reports = samples[largest]
    if shell == "sync":
        # Beyond the caller's own sending thread: the reader thread and what the session (or websockets) adds.
        ours = [value - 1 for value in _values(reports[ours_side], "threads_per_session")]
        raw = [value - 1 for value in _values(reports[raw_side], "threads_per_session")]
        rows.append(
            Result(
                "8t",
                f"threads per sync session besides the caller's sending thread ({largest} sessions)",
                statistics.median(ours),
                statistics.median(raw),
                "threads",
                "limit",
                3,
                "the caller's reading thread included; raw: reader + websockets.sync's receiving and keepalive threads",
            )
        )
    ours_late = _values(reports[ours_side], "lateness_us", "p99")
    raw_late = _values(reports[raw_side], "lateness_us", "p99")
    rows.append(
        Result(
            f"10{'' if shell == 'async' else 'b'}",
            f"send lateness p99 at {largest} real-time sessions (frame's send returned after its due time): {label}",
            statistics.median(ours_late) / 1e3,
            statistics.median(raw_late) / 1e3,
            "ms",
            "limit",
            10,
            f"baseline column: the raw client's p99; ours per round {_range([v / 1e3 for v in ours_late])} ms; "
            f"max {max(_values(reports[ours_side], 'lateness_us', 'max')) / 1e3:.1f} ms "
            f"(raw {max(_values(reports[raw_side], 'lateness_us', 'max')) / 1e3:.1f} ms)",
            tuple(v / 1e3 for v in ours_late),
        )
    )
    ours_gc = [_gc_max(report) for report in reports[ours_side]]
    raw_gc = [_gc_max(report) for report in reports[raw_side]]
    gen2 = [report["gc"]["gen2"] for report in reports[ours_side]]
    raw_gen2 = [report["gc"]["gen2"] for report in reports[raw_side]]
    rows.append(
        Result(
            f"10{'a' if shell == 'async' else 'c'}",
            f"longest GC pause at {largest} real-time sessions, any generation, worst round: {label}",
            max(ours_gc),
            max(raw_gc),
            "ms",
            "limit",
            50,
            f"baseline column: the raw client's; gen-2 collections per round: ours "
            f"{', '.join(str(g['count']) for g in gen2)} (longest {max(g['max_ms'] for g in gen2):.1f} ms), raw "
            f"{', '.join(str(g['count']) for g in raw_gen2)} (longest {max(g['max_ms'] for g in raw_gen2):.1f} ms)",
        )
    )
    ours_rss = _values(reports[ours_side], "rss_per_session_kib")
    raw_rss = _values(reports[raw_side], "rss_per_session_kib")
    rows.append(
        Result(
            f"11{'' if shell == 'async' else 'a'}",
            f"RSS per open session, {largest} real-time sessions, the caller reading: {label}",
            statistics.median(ours_rss),
            statistics.median(raw_rss),
            "KiB",
            "ratio",
            1.1 if shell == "async" else 1.2,
            "RSS with every session open and streaming minus RSS before the first, per session; ratio per round",
            _ratios(ours_rss, raw_rss),
        )
    )
    return rows


def server_figures(samples: dict[int, dict[str, list[Report]]], shell: str) -> list[Figure]:
    figures = []
    for n, reports in samples.items():
        raw = reports[f"raw-{shell}"]
        cpu = _values(raw, "server_cpu_per_session_minute_ms")
        busy = _values(raw, "server_busy")
        p50 = _values(raw, "ack_delay_us", "p50")
        p99 = _values(raw, "ack_delay_us", "p99")
        worst = max(_values(raw, "ack_delay_us", "max"))
        figures.append(
            Figure(
                "7" if shell == "async" else "8",
                f"{n} real-time sessions ({shell} raw client): server CPU per session-minute",
                statistics.median(cpu),
                "ms",
                f"{statistics.median(busy):.0%} of one core; frame sent to acknowledged: p50 "
                f"{statistics.median(p50) / 1e3:.2f} ms, p99 {statistics.median(p99) / 1e3:.2f} ms, "
                f"max {worst / 1e3:.1f} ms",
            )
        )
    return figures


def run(echo: Callable[[str], None] = progress) -> list[Result | Figure]:
    scale = current()
    with ServerProcess() as server:
        common = ["--base-url", server.base_url, "--server-pid", str(server.pid)]
        results: list[Result | Figure] = list(unpaced_rows(scale, common, echo))
        async_samples = paced_samples(scale, common, "async", scale.sessions, echo)
        sync_samples = paced_samples(scale, common, "sync", scale.sync_sessions, echo)
    results += paced_rows("async", async_samples)
    results += paced_rows("sync", sync_samples)
    results += server_figures(async_samples, "async")
    results += server_figures(sync_samples, "sync")
    return results
