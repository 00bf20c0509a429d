"""#5 import time in a fresh interpreter, and #6 `make generate`."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.harness import Result

ROOT = Path(__file__).resolve().parent.parent


def fresh_import_seconds(module: str, repeat: int = 15) -> float:
    """Median of (python -c 'import module') minus (python -c 'pass'), interpreter start-up subtracted."""

    def wall(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - start

    samples = []
    for _ in range(repeat):
        samples.append(wall(f"import {module}") - wall("pass"))
    return max(statistics.median(samples), 1e-6)


def run() -> list[Result]:
    ours = fresh_import_seconds("gladia_live_client")
    httpx_time = fresh_import_seconds("httpx")
    results = [
        Result(
            "5",
            "import gladia_live_client (fresh interpreter)",
            ours * 1e3,
            httpx_time * 1e3,
            "ms",
            "ratio",
            1.5,
            "baseline: import httpx; interpreter start-up subtracted from both",
        )
    ]
    samples = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "generate.py"), "--check"], check=True, capture_output=True
        )
        samples.append(time.perf_counter() - start)
    results.append(
        Result(
            "6",
            "make generate (generation + drift check)",
            statistics.median(samples),
            10.0,
            "s",
            "ratio",
            1.0,
            "baseline column is the 10 s limit",
        )
    )
    return results
