"""What every benchmark shares: timing by medians of repetitions, and the result row the table prints."""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Result:
    """One row of the table: our figure, the baseline's, and whether their comparison meets the target."""

    number: str
    what: str
    ours: float
    baseline: float
    unit: str
    # "ratio <= 2.5" compares ours/baseline; "speedup >= 50" compares baseline/ours;
    # "throughput >= 0.9" compares ours/baseline for figures where bigger is better;
    # "added <= 25" compares ours - baseline (in `unit`); "limit <= 10" compares ours alone (the baseline
    # column is then the raw client's figure, for reference).
    target_kind: str
    target: float
    note: str = ""
    # The comparison of each repetition (ours and the baseline of the same round): when given, the row
    # compares their median and prints their range, instead of comparing the medians of each side.
    samples: tuple[float, ...] = ()

    @property
    def ratio(self) -> float:
        if self.samples:
            return statistics.median(self.samples)
        return self._compare(self.ours, self.baseline)

    def _compare(self, ours: float, baseline: float) -> float:
        if self.target_kind == "speedup":
            return baseline / ours
        if self.target_kind == "added":
            return ours - baseline
        if self.target_kind == "limit":
            return ours
        return ours / baseline

    @property
    def met(self) -> bool:
        if self.target_kind in ("ratio", "added", "limit"):
            return self.ratio <= self.target
        return self.ratio >= self.target

    @property
    def target_text(self) -> str:
        sign = ">=" if self.target_kind in ("speedup", "throughput") else "<="
        label = {
            "ratio": "ours/baseline",
            "speedup": "baseline/ours",
            "throughput": "ours/baseline",
            "added": "ours - baseline",
            "limit": "ours",
        }
        unit = f" {self.unit}" if self.target_kind in ("added", "limit") else ""
        return f"{label[self.target_kind]} {sign} {self.target:g}{unit}"


def spread(values: Sequence[float]) -> tuple[float, float, float]:
    """Median, smallest and largest of `values`."""
    return statistics.median(values), min(values), max(values)


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


def interleaved_samples(actions: Mapping[str, Callable[[], T]], repeat: int, seed: int = 0) -> dict[str, list[T]]:
    """Every sample of each action over `repeat` rounds, in the round order of `interleaved_medians`: each round
    runs each action once, in a new (seeded) random order. For actions that measure several things at once
    (a report), or when the comparison is made round by round (`Result.samples`)."""
    names = list(actions)
    order = random.Random(seed)
    samples: dict[str, list[T]] = {name: [] for name in names}
    for _ in range(repeat):
        order.shuffle(names)
        for name in names:
            gc.collect()
            samples[name].append(actions[name]())
    return samples
