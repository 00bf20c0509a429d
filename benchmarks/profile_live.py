"""cProfile of N concurrent real-time async sessions, ours and raw: `benchmarks/profile_live.py [N] [SECONDS]`.

Runs `benchmarks.live_load paced` with `--profile` for `ours-async` and `raw-async` against the local server
(its own process, not profiled) and prints, for each, the function calls of the measured window (every
session open, streaming in real time, the caller reading) and the entries with the most own time. cProfile
slows the client down by about half, the same for both sides; read the calls and the shares, not the
absolute times. Not part of `make bench` (BENCHMARKS.md keeps the summaries).
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


def summary(path: str, top: int = TOP) -> str:
    stats = pstats.Stats(path)
    out = io.StringIO()
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
