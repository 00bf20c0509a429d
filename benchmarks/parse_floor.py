"""How close #1 (parse a one-hour job) is to the least any eager typed parse can cost.

`python -m benchmarks.parse_floor [rounds]` prints, for the payload of #1, each side's ratio to `json.loads` of
the same bytes (median and range over `rounds` runs of `paired_medians`, as #1 measures itself):

- ours: `StreamingResponse.from_dict(json.loads(payload))`, the row of #1;
- floor: `json.loads` then the same number of attrs slotted objects as ours builds for the words and
  utterances (12,000 + 644, with the same fields and an `additional_properties` dict each), filled by one inline
  loop: no function call per object, no check, no enum, no unknown-key test. No generated parser can do less
  and still build these objects;
- floor without `additional_properties`: the same, without the dict per object;
- tuples: `json.loads` then a tuple of the four fields per word, in a comprehension (no class at all).

Then the garbage collector's share: how many collections of each generation one parse triggers, and their time.
Every object the parse keeps is tracked by the collector (slotted instances are), so it runs about three times
as many young collections as for `json.loads` alone, whose word objects hold only strings and floats and are
not tracked.
"""

from __future__ import annotations

import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from attrs import define, field

from benchmarks.harness import paired_medians
from benchmarks.payloads import one_hour_job
from gladia_live_client.models import StreamingResponse


@define
class Word:
    word: Any
    start: Any
    end: Any
    confidence: Any
    additional_properties: dict[str, Any] = field(init=False, factory=dict)


@define
class Utterance:
    start: Any
    end: Any
    confidence: Any
    channel: Any
    words: Any
    text: Any
    language: Any
    speaker: Any
    additional_properties: dict[str, Any] = field(init=False, factory=dict)


def inline_objects(payload: bytes, *, with_dict: bool) -> Callable[[], object]:
    def parse() -> object:
        job = json.loads(payload)
        new = object.__new__
        utterances = []
        for u in job["result"]["transcription"]["utterances"]:
            words = []
            for w in u["words"]:
                word = new(Word)
                word.word, word.start, word.end, word.confidence = w["word"], w["start"], w["end"], w["confidence"]
                if with_dict:
                    word.additional_properties = {}
                words.append(word)
            utterance = new(Utterance)
            utterance.start, utterance.end, utterance.confidence = u["start"], u["end"], u["confidence"]
            utterance.channel, utterance.words, utterance.text = u["channel"], words, u["text"]
            utterance.language, utterance.speaker = u["language"], u.get("speaker")
            if with_dict:
                utterance.additional_properties = {}
            utterances.append(utterance)
        return job, utterances

    return parse


def tuples(payload: bytes) -> object:
    job = json.loads(payload)
    return job, [
        [(w["word"], w["start"], w["end"], w["confidence"]) for w in u["words"]]
        for u in job["result"]["transcription"]["utterances"]
    ]


def gc_share(action: Callable[[], object], repeat: int = 15) -> tuple[list[int], float, float]:
    """Collections per generation in one run, and the medians of the collector's time and of the run's time."""
    started: list[float] = []
    pauses: list[tuple[int, float]] = []

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(time.perf_counter())
        else:
            pauses.append((info["generation"], time.perf_counter() - started.pop()))

    gc.callbacks.append(callback)
    try:
        counts: list[int] = []
        collector, total = [], []
        for _ in range(repeat):
            gc.collect()
            pauses.clear()
            start = time.perf_counter()
            action()
            total.append(time.perf_counter() - start)
            counts = [sum(1 for generation, _ in pauses if generation == g) for g in range(3)]
            collector.append(sum(pause for _, pause in pauses))
    finally:
        gc.callbacks.remove(callback)
    return counts, statistics.median(collector), statistics.median(total)


def main(rounds: int) -> None:
    payload = one_hour_job()

    def baseline() -> object:
        return json.loads(payload)

    def ours() -> object:
        return StreamingResponse.from_dict(json.loads(payload))

    sides: dict[str, Callable[[], object]] = {
        "ours: StreamingResponse.from_dict(json.loads(payload))": ours,
        "floor: the same attrs objects filled inline": inline_objects(payload, with_dict=True),
        "floor without additional_properties dicts": inline_objects(payload, with_dict=False),
        "tuples of the four word fields": lambda: tuples(payload),
    }
    print(f"#1 payload: {len(payload) / 1e6:.2f} MB; ratio to json.loads of the same bytes over {rounds} rounds")
    for name, action in sides.items():
        ratios, times = [], []
        for _ in range(rounds):
            side, base = paired_medians(action, baseline)
            ratios.append(side / base)
            times.append((side, base))
        side, base = times[len(times) // 2]
        print(
            f"  {name:56s} {statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f}); "
            f"e.g. {side * 1e3:.2f} ms against {base * 1e3:.2f} ms"
        )
    print("garbage collector during one run (collections of generations 0, 1, 2; collector time / run time):")
    for name, action in (("json.loads", baseline), ("ours", ours)):
        counts, collector, total = gc_share(action)
        print(f"  {name:10s} {counts}: {collector * 1e3:.2f} ms of {total * 1e3:.2f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
