"""cProfile of N concurrent real-time async sessions, ours and raw: `benchmarks/profile_live.py [N] [SECONDS]`.

Runs `benchmarks.live_load paced` with `--profile` for `ours-async` and `raw-async` against the local server
(its own process, not profiled) and prints, for each, the function calls of the measured window (every
session open, streaming in real time, the caller reading), the share of own time by area (the session,
websockets, asyncio, ...) and the entries with the most own time. cProfile times with the process's CPU clock
(time spent descheduled on a shared machine does not count) and slows the client down several times, the
same for both sides: read the calls and the shares, not the absolute times. Not part of `make bench`
(BENCHMARKS.md keeps the summaries).
"""

from __future__ import annotations

import io
import pstats
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.live_load import sample
from benchmarks.server import ServerProcess

TOP = 25


# Where own time goes, by the code it runs in (the first matching part of the file's path).
AREAS = [
    ("gladia_live_client/_live/", "the session (gladia_live_client._live)"),
    ("gladia_live_client/_generated/", "typed models (generated)"),
    ("gladia_live_client/", "the rest of gladia_live_client"),
    ("websockets/", "websockets"),
    ("asyncio/", "asyncio"),
    ("json/", "json"),
    ("benchmarks/", "the benchmark's caller and raw client"),
    ("~", "built-ins (socket send/recv, len, ...)"),
]


def by_area(stats: pstats.Stats) -> str:
    own: dict[str, float] = {}
    calls: dict[str, int] = {}
    for (filename, _line, _name), (_primitive, count, tottime, _cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        area = next((label for part, label in AREAS if part in filename), "other (stdlib, httpx, ...)")
        own[area] = own.get(area, 0.0) + tottime
        calls[area] = calls.get(area, 0) + count
    total = sum(own.values())
    lines = [f"  {share / total:6.1%} of own time, {calls[area]:>10,} calls: {area}" for area, share in own.items()]
    return "\n".join(sorted(lines, key=lambda line: -float(line.split("%")[0])))


def summary(path: str, top: int = TOP) -> str:
    stats = pstats.Stats(path)
    out = io.StringIO()
    out.write(by_area(stats) + "\n")
    stats.stream = out  # type: ignore[attr-defined]
    stats.strip_dirs().sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main(argv: list[str]) -> int:
    sessions = int(argv[0]) if argv else 200
    seconds = argv[1] if len(argv) > 1 else "20"
    with tempfile.TemporaryDirectory() as directory, ServerProcess() as server:
        for side in ("ours-async", "raw-async"):
            path = str(Path(directory) / f"{side}.prof")
            report = sample(
                "paced",
                side,
                "--base-url",
                server.base_url,
                "--server-pid",
                str(server.pid),
                "--sessions",
                str(sessions),
                "--seconds",
                seconds,
                "--profile",
                path,
            )
            print(f"==== {side}: {sessions} sessions x {seconds} s; CPU {report['cpu_s']:.2f} s (profiled)")
            print(summary(path))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
