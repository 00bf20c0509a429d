"""What every benchmark shares: timing by medians of repetitions, and the result row the table prints."""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections.abc import Awaitable, Callable, Mapping
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


@dataclass(frozen=True)
class Figure:
    """A measurement of the local server alone (no baseline, no target), printed under the table so a reader
    can tell when the server, not the client, bounds a benchmark (`for_number` names it)."""

    for_number: str
    what: str
    value: float
    unit: str
    note: str = ""


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


async def async_paired_medians(
    ours: Callable[[], Awaitable[object]],
    baseline: Callable[[], Awaitable[object]],
    repeat: int = 15,
    warmup: int = 2,
) -> tuple[float, float]:
    """`paired_medians` for coroutine functions, awaited on the running event loop."""
    for _ in range(warmup):
        await ours()
        await baseline()
    ours_samples: list[float] = []
    baseline_samples: list[float] = []
    for _ in range(repeat):
        for action, samples in ((ours, ours_samples), (baseline, baseline_samples)):
            gc.collect()
            start = time.perf_counter()
            await action()
            samples.append(time.perf_counter() - start)
    return statistics.median(ours_samples), statistics.median(baseline_samples)


def interleaved_medians(actions: Mapping[str, Callable[[], float]], repeat: int, seed: int = 0) -> dict[str, float]:
    """Median of each action's own measurement over `repeat` rounds; every round runs each action once.

    Each action times itself and returns seconds, so its untimed preparation and checks stay out of the figure.
    Each round runs the actions in a new (seeded) random order, so no action always runs first, or always right
    after the same other one (whose after-effects, such as disk write-back, would otherwise land on it).
    """
    names = list(actions)
    order = random.Random(seed)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(repeat):
        order.shuffle(names)
        for name in names:
            gc.collect()
            samples[name].append(actions[name]())
    return {name: statistics.median(values) for name, values in samples.items()}
