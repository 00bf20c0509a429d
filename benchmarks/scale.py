"""How big the live benchmarks are: `GLADIA_BENCH_SCALE` picks a preset, single variables override it.

- `full` (default, what `make bench` runs): 50, 200 and 500 concurrent sessions of 20 s of real-time audio,
  10 minutes of unpaced audio, 3,000 stamped messages, 3 interleaved rounds;
- `quick`: 10 and 50 sessions of 3 s, 1 minute unpaced, 500 messages, 2 rounds (about 2 minutes: proves the
  harness works, says little about the targets);
- `smoke`: the least that exercises every code path (the test suite's smoke test runs it in seconds).

Overrides: `GLADIA_BENCH_SESSIONS` (comma-separated counts of concurrent async sessions),
`GLADIA_BENCH_SYNC_SESSIONS` (the same for sync sessions; default: the async counts), `GLADIA_BENCH_SECONDS`
(seconds of real-time audio per session), `GLADIA_BENCH_UNPACED_SECONDS`, `GLADIA_BENCH_MESSAGES`,
`GLADIA_BENCH_REPEAT`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Scale:
    name: str
    sessions: tuple[int, ...]  # concurrent async sessions, one measurement each
    sync_sessions: tuple[int, ...]
    seconds: float  # real-time audio per session in the paced measurements (the measured window)
    unpaced_seconds: int  # audio streamed unpaced through one session (even: whole 2-second periods)
    messages: int  # stamped messages per latency sample
    repeat: int  # interleaved rounds


PRESETS = {
    "full": Scale("full", (50, 200, 500), (50, 200, 500), 20.0, 600, 3000, 3),
    "quick": Scale("quick", (10, 50), (10, 50), 3.0, 60, 500, 2),
    "smoke": Scale("smoke", (3,), (3,), 0.5, 4, 60, 1),
}


def _counts(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def current() -> Scale:
    """The preset named by `GLADIA_BENCH_SCALE`, with the single-variable overrides applied."""
    name = os.environ.get("GLADIA_BENCH_SCALE", "full")
    if name not in PRESETS:
        raise SystemExit(f"GLADIA_BENCH_SCALE={name!r}: expected one of {', '.join(PRESETS)}")
    scale = PRESETS[name]
    env = os.environ
    if "GLADIA_BENCH_SESSIONS" in env:
        sessions = _counts(env["GLADIA_BENCH_SESSIONS"])
        scale = replace(scale, sessions=sessions, sync_sessions=sessions)
    if "GLADIA_BENCH_SYNC_SESSIONS" in env:
        scale = replace(scale, sync_sessions=_counts(env["GLADIA_BENCH_SYNC_SESSIONS"]))
    if "GLADIA_BENCH_SECONDS" in env:
        scale = replace(scale, seconds=float(env["GLADIA_BENCH_SECONDS"]))
    if "GLADIA_BENCH_UNPACED_SECONDS" in env:
        scale = replace(scale, unpaced_seconds=int(env["GLADIA_BENCH_UNPACED_SECONDS"]))
    if "GLADIA_BENCH_MESSAGES" in env:
        scale = replace(scale, messages=int(env["GLADIA_BENCH_MESSAGES"]))
    if "GLADIA_BENCH_REPEAT" in env:
        scale = replace(scale, repeat=int(env["GLADIA_BENCH_REPEAT"]))
    return scale
