"""The Python snippets of `gladia_live_client/testing/README.md` marked as executed run, and pass."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "gladia_live_client" / "testing" / "README.md"
MARK = "<!-- executed by tests/server/test_readme.py -->"
SNIPPETS = re.findall(re.escape(MARK) + r"\n```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_the_readme_marks_its_executed_snippets() -> None:
    assert len(SNIPPETS) == README.read_text(encoding="utf-8").count(MARK) == 2


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[f"snippet-{index}" for index in range(len(SNIPPETS))])
def test_readme_snippet_runs(snippet: str) -> None:
    exec(compile(snippet, str(README), "exec"), {"__name__": "readme_snippet"})
