"""`make bench`: run every benchmark and print the table of ratios, then the local server's own figures.

`benchmarks/run.py [WORD ...]` runs only the suites whose module name contains one of the words (e.g. `live`).
Progress goes to stderr, the report to stdout.
"""

from __future__ import annotations

import itertools
import os
import platform
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import bench_download, bench_latency, bench_live, bench_parse, bench_rest, bench_startup
from benchmarks.harness import Figure, Result
from benchmarks.scale import current

SUITES = [bench_parse, bench_rest, bench_download, bench_live, bench_latency, bench_startup]


def _number(value: float) -> str:
    # Three decimals near the targets, so that a miss never prints as the target itself (1.2011 as "1.2").
    return f"{value:.3f}" if abs(value) < 10 else f"{value:,.0f}"


def compared(r: Result) -> str:
    """The row's comparison (ratio, difference or figure), with its range over the repetitions when known."""
    sign = "+" if r.target_kind == "added" and r.ratio >= 0 else ""
    text = f"{sign}{_number(r.ratio)}"
    if len(r.samples) > 1:
        text += f" ({_number(min(r.samples))} to {_number(max(r.samples))})"
    return text


def _order(result: Result) -> int:
    digits = "".join(itertools.takewhile(str.isdigit, result.number))
    return int(digits) if digits else 0


def table(results: list[Result]) -> str:
    lines = [
        "| # | what | ours | baseline | compared (range) | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.number} | {r.what} | {r.ours:.4g} {r.unit} | {r.baseline:.4g} {r.unit} | {compared(r)} | "
            f"{r.target_text} | {'yes' if r.met else 'NO'} |"
        )
    return "\n".join(lines)


def server_table(figures: list[Figure]) -> str:
    lines = ["| for # | local server alone (own process, minimal client) | figure | |", "|---|---|---|---|"]
    for f in figures:
        lines.append(f"| {f.for_number} | {f.what} | {f.value:,.4g} {f.unit} | {f.note} |")
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
        with open("/proc/meminfo") as info:
            kib = next(int(line.split()[1]) for line in info if line.startswith("MemTotal:"))
        memory = f", {kib / 1024**2:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    return (
        f"machine: {cpu}, {os.cpu_count()} CPUs{memory}; {platform.system()} {platform.release()}; "
        f"{platform.python_implementation()} {platform.python_version()}"
    )


def main(argv: list[str]) -> int:
    suites = [s for s in SUITES if not argv or any(word in s.__name__ for word in argv)]
    results: list[Result] = []
    figures: list[Figure] = []
    started = time.perf_counter()
    for suite in suites:
        print(f"running {suite.__name__} ...", file=sys.stderr, flush=True)
        for item in suite.run():
            (figures if isinstance(item, Figure) else results).append(item)  # type: ignore[arg-type]
    results.sort(key=_order)  # by number: suites may return rows of several numbers (#4, #7, #8, ...)
    print(machine())
    print(f"scale: {current()}")
    print(table(results))
    for r in results:
        if r.note:
            print(f"  #{r.number}: {r.note}")
    if figures:
        print()
        print(server_table(figures))
    print(
        f"\n{len(results)} benchmarks, {sum(not r.met for r in results)} target(s) missed, "
        f"{time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
