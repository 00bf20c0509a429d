"""cProfile of #4's unpaced stream, every thread: `benchmarks/profile_unpaced.py [SECONDS] [SIDE ...]`.

Streams SECONDS of audio (default 600, #4's) through one session as fast as the server acknowledges it, the
caller reading in a thread, as `benchmarks.live_load unpaced` does, for each SIDE (default `ours-sync
raw-sync`; the async sides run on one thread, which `profile_live.py` covers). The warm-up session is not
profiled; the measured stream is, in the caller's thread and in every thread it starts (the session's, the
reader, `websockets`' receiving thread), and the profiles are merged. cProfile's clock here is the process's
CPU, shared by the threads, so read the call counts, not the times. Prints, per side, the calls by area and
the functions called most. Not part of `make bench` (BENCHMARKS.md keeps the summary).
"""

from __future__ import annotations

import cProfile
import gc
import io
import pstats
import sys
import threading
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.live_load import OursSync, RawSync, audio_chunks, delete_jobs
from benchmarks.profile_live import by_area
from benchmarks.server import ServerProcess

TOP = 40


def profile_stream(side_name: str, base_url: str, seconds: float) -> pstats.Stats:
    """Profile one unpaced stream of `seconds` of audio after an unprofiled warm-up."""
    side: Any = OursSync(base_url) if side_name == "ours-sync" else RawSync(base_url)
    chunks = audio_chunks(seconds)
    job_ids: list[str] = []
    profiles: list[cProfile.Profile] = []
    plain_run = threading.Thread.run

    def profiled_run(thread: threading.Thread) -> None:
        profile = cProfile.Profile()
        profiles.append(profile)
        profile.enable()
        try:
            plain_run(thread)
        finally:
            profile.disable()

    def stream(chunks: list[bytes]) -> None:
        session = side.open()
        reader = threading.Thread(target=side.read, args=(session,), daemon=True)
        reader.start()
        for chunk in chunks:
            side.send(session, chunk)
        job_ids.append(side.finish(session, reader))

    stream(chunks[:20])  # warm-up: imports, first allocations
    gc.collect()
    caller = cProfile.Profile()
    threading.Thread.run = profiled_run  # type: ignore[method-assign]
    try:
        caller.enable()
        stream(chunks)
        caller.disable()
    finally:
        threading.Thread.run = plain_run  # type: ignore[method-assign]
    time.sleep(0.5)  # the session's threads end after the stream; their profiles close with them
    side.close()
    delete_jobs(base_url, job_ids)
    stats = pstats.Stats(caller)
    for profile in profiles:
        stats.add(profile)
    return stats


def main(argv: list[str]) -> int:
    seconds = float(argv[0]) if argv else 600.0
    sides = argv[1:] or ["ours-sync", "raw-sync"]
    with ServerProcess() as server:
        for side_name in sides:
            stats = profile_stream(side_name, server.base_url, seconds)
            print(f"==== {side_name}: {seconds:g} s of audio unpaced; {stats.total_calls:,} calls")  # type: ignore[attr-defined]
            print(by_area(stats))
            out = io.StringIO()
            stats.stream = out  # type: ignore[attr-defined]
            stats.strip_dirs().sort_stats("ncalls").print_stats(TOP)
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
