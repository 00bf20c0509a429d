"""What every benchmark shares: timing by medians of repetitions, and the result row the table prints."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    """One row of the table: our figure, the baseline's, and whether the ratio meets the target."""

    number: str
    what: str
    ours: float
    baseline: float
    unit: str
    # "ratio <= 2.5" compares ours/baseline; "speedup >= 50" compares baseline/ours;
    # "throughput >= 0.9" compares ours/baseline for figures where bigger is better.
    target_kind: str
    target: float
    note: str = ""

    @property
    def ratio(self) -> float:
        if self.target_kind == "speedup":
            return self.baseline / self.ours
        return self.ours / self.baseline

    @property
    def met(self) -> bool:
        if self.target_kind == "ratio":
            return self.ratio <= self.target
        return self.ratio >= self.target

    @property
    def target_text(self) -> str:
        sign = "<=" if self.target_kind == "ratio" else ">="
        label = {"ratio": "ours/baseline", "speedup": "baseline/ours", "throughput": "ours/baseline"}
        return f"{label[self.target_kind]} {sign} {self.target:g}"


def median_seconds(action: Callable[[], object], repeat: int = 15, warmup: int = 2) -> float:
    """Median wall time of `action` over `repeat` runs, after `warmup` runs (GC left on, as users run)."""
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def paired_medians(
    ours: Callable[[], object], baseline: Callable[[], object], repeat: int = 15, warmup: int = 2
) -> tuple[float, float]:
    """Medians of `ours` and `baseline`, interleaved so that machine noise hits both alike."""
    for _ in range(warmup):
        ours()
        baseline()
    ours_samples, baseline_samples = [], []
    for _ in range(repeat):
        for action, samples in ((ours, ours_samples), (baseline, baseline_samples)):
            gc.collect()
            start = time.perf_counter()
            action()
            samples.append(time.perf_counter() - start)
    return statistics.median(ours_samples), statistics.median(baseline_samples)
