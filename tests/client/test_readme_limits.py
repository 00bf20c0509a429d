"""The README's "Limits" snippet runs as written against the local server (a job with a short recording)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from gladia_live_client import GladiaLive
from tests.conftest import ROOT

from ._live import record_sync


def limits_snippet() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("**Limits.**") :]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match is not None
    return match.group(1)


def test_the_limits_snippet_runs(server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with GladiaLive(api_key=server.api_key, base_url=server.base_url) as gladia:
        session = gladia.init_session({"encoding": "wav/pcm", "sample_rate": 16000})
    record_sync(session.url, bytes(32_000))
    monkeypatch.setenv("GLADIA_API_KEY", server.api_key)
    monkeypatch.setenv("GLADIA_API_URL", server.base_url)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"job_id": session.id}
    exec(compile(limits_snippet(), "README.md", "exec"), namespace)
    assert namespace["job"].id == session.id
    assert (tmp_path / "long-session.wav").stat().st_size > 32_000  # the recording and its WAV header
