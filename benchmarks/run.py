"""`make bench`: run every benchmark and print the table of ratios."""

from __future__ import annotations

import platform
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import bench_parse, bench_startup
from benchmarks.harness import Result

SUITES = [bench_parse, bench_startup]


def table(results: list[Result]) -> str:
    lines = [
        "| # | what | ours | baseline | ratio | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.number} | {r.what} | {r.ours:.4g} {r.unit} | {r.baseline:.4g} {r.unit} | {r.ratio:.3g} | "
            f"{r.target_text} | {'yes' if r.met else 'NO'} |"
        )
    return "\n".join(lines)


def main() -> int:
    results: list[Result] = []
    for suite in SUITES:
        results.extend(suite.run())
    print(
        f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
    print(table(results))
    for r in results:
        if r.note:
            print(f"  #{r.number}: {r.note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
