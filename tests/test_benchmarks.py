"""`make bench`'s live benchmarks run end to end at the smallest scale and print every row with its target.

No figure is asserted (speed is measured by `make bench`, never by the suite): only that each row of issue
16's table is printed, with a target and a verdict, and that the harness compares the way its rows say.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import Result  # noqa: E402
from benchmarks.scale import current  # noqa: E402


def test_live_benchmarks_print_every_row_with_its_target() -> None:
    environment = {**os.environ, "GLADIA_BENCH_SCALE": "smoke"}
    completed = subprocess.run(
        [sys.executable, "benchmarks/run.py", "live", "latency"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    rows = {
        match.group(1): match.group(0)
        for match in re.finditer(r"^\| (\w+(?:-\d+)?) \|.*\| (?:yes|NO) \|$", completed.stdout, re.MULTILINE)
    }
    expected = ["4", "4a", "4b", "7-3", "8-3", "8t", "10", "10a", "10b", "10c", "11", "11a"]
    expected += ["9", "9a", "9b", "9c", "9d", "9e"]
    assert sorted(rows) == sorted(expected), completed.stdout
    for number in expected:
        assert re.search(r"\| ours[ /-].*<= [\d.]+", rows[number]), rows[number]
    # The local server's own figures are printed under the table.
    assert "server CPU per session-minute" in completed.stdout


def test_results_compare_as_their_target_says() -> None:
    ratio = Result("x", "what", 1.3, 1.0, "ms", "ratio", 1.15, samples=(1.1, 1.12, 1.4))
    assert ratio.ratio == 1.12  # the median of the rounds' ratios, not ours/baseline
    assert ratio.met
    added = Result("x", "what", 80.0, 20.0, "µs", "added", 25)
    assert added.ratio == 60
    assert not added.met
    assert added.target_text == "ours - baseline <= 25 µs"
    limit = Result("x", "what", 9.0, 50.0, "ms", "limit", 10)
    assert limit.met
    assert limit.target_text == "ours <= 10 ms"


def test_scale_presets_and_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLADIA_BENCH_SCALE", "quick")
    monkeypatch.setenv("GLADIA_BENCH_SESSIONS", "5,7")
    monkeypatch.setenv("GLADIA_BENCH_SECONDS", "1.5")
    scale = current()
    assert (scale.sessions, scale.sync_sessions, scale.seconds, scale.repeat) == ((5, 7), (5, 7), 1.5, 2)
    monkeypatch.setenv("GLADIA_BENCH_SCALE", "huge")
    with pytest.raises(SystemExit, match="GLADIA_BENCH_SCALE"):
        current()
