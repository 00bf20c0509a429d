"""PYPI.md, the description PyPI shows: its snippets run as written, and it needs no checkout to make sense."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from gladia_live_client.testing import LocalGladiaServer
from gladia_live_client.testing._recognizer import DEFAULT_SCRIPT
from tests.conftest import ROOT

DESCRIPTION = (ROOT / "PYPI.md").read_text(encoding="utf-8")
SNIPPETS = re.findall(r"```python\n(.*?)```", DESCRIPTION, re.S)


def test_it_has_the_two_snippets_run_below() -> None:
    assert len(SNIPPETS) == 2


def test_the_quick_start_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(ROOT / "demo" / "speech.wav", tmp_path / "speech.wav")
    monkeypatch.chdir(tmp_path)
    with LocalGladiaServer() as server:
        monkeypatch.setenv("GLADIA_API_KEY", server.api_key)
        monkeypatch.setenv("GLADIA_API_URL", server.base_url)
        namespace: dict[str, object] = {"__name__": "pypi_snippet"}
        exec(compile(SNIPPETS[0], "PYPI.md", "exec"), namespace)
    # The final transcripts were printed, in whole sentences of the local server's script (never past its end).
    lines = capsys.readouterr().out.splitlines()
    assert lines == list(DEFAULT_SCRIPT[: len(lines)])
    assert len(lines) >= 2
    assert getattr(namespace["job"], "status", None) is not None


def test_the_testing_snippet_defines_a_passing_test() -> None:
    namespace: dict[str, object] = {"__name__": "pypi_snippet"}
    exec(compile(SNIPPETS[1], "PYPI.md", "exec"), namespace)
    test = namespace["test_my_service_survives_a_rate_limit"]
    assert callable(test)
    test()


def test_every_link_is_absolute_and_no_make_target_is_named() -> None:
    links = re.findall(r"\]\(([^)\s]+)\)", DESCRIPTION)
    assert links
    assert [link for link in links if not link.startswith("https://")] == []
    assert not re.search(r"\bmake\b", DESCRIPTION)


def test_pyproject_points_pypi_at_it() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["readme"] == "PYPI.md"
    assert "Typing :: Typed" in project["classifiers"]
    assert project["license-files"] == ["LICENSE"]
