"""Every Python snippet of the documentation runs as written, against a local server (see `_snippets`).

Each snippet gets a fresh `LocalGladiaServer` (reached through ``GLADIA_API_KEY`` / ``GLADIA_API_URL``, as
`GladiaLive()` reads them) and a fresh working directory holding ``speech.wav`` (demo/speech.wav).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gladia_live_client.testing import LocalGladiaServer
from tests.conftest import ROOT

from ._snippets import DOCS, Snippet, private_imports, snippets

ALL = snippets()
RUN = [s for s in ALL if s.kind == "run"]
PYTEST = [s for s in ALL if s.kind == "pytest"]
SKIPPED = [s for s in ALL if s.kind == "skip"]
SCRIPT = (ROOT / "demo" / "speech.txt").read_text(encoding="utf-8").split()


def test_the_pages_have_snippets_and_the_marks_are_counted() -> None:
    assert len(RUN) >= 15
    assert len(PYTEST) == 1
    # Only snippets that cannot run here are skipped, each with its reason; adding one must change this line.
    assert [(s.id, s.reason) for s in SKIPPED] == []


@pytest.mark.parametrize("snippet", ALL, ids=lambda s: s.id)
def test_it_imports_only_public_modules(snippet: Snippet) -> None:
    assert private_imports(snippet.code) == []


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(ROOT / "demo" / "speech.wav", tmp_path / "speech.wav")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def logging_restored() -> Iterator[None]:
    """Undo what a snippet does to logging (a handler on the root logger, the package's level)."""
    root, package = logging.getLogger(), logging.getLogger("gladia_live_client")
    handlers, level, package_level = root.handlers[:], root.level, package.level
    try:
        yield
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
        package.setLevel(package_level)


@pytest.mark.usefixtures("logging_restored")
@pytest.mark.parametrize("snippet", RUN, ids=lambda s: s.id)
def test_it_runs(snippet: Snippet, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = compile("\n" * (snippet.line - 1) + snippet.code, str(snippet.page), "exec")
    with LocalGladiaServer(transcript_script=SCRIPT) as server:
        monkeypatch.setenv("GLADIA_API_KEY", server.api_key)
        monkeypatch.setenv("GLADIA_API_URL", server.base_url)
        exec(code, {"__name__": "docs_snippet"})


def test_the_pytest_snippets_pass(workdir: Path) -> None:
    for number, snippet in enumerate(PYTEST):
        (workdir / f"test_snippet_{number}.py").write_text(snippet.code, encoding="utf-8")
    # Only this package's plugin, loaded by its entry point's name: the suite's other plugins (hypothesis,
    # schemathesis) cost seconds to import and have nothing to do with the snippets.
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "gladia_live_client"]
    done = subprocess.run(
        [*command, "--rootdir", str(workdir), str(workdir)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=workdir,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{_tests_in(PYTEST)} passed" in done.stdout


def _tests_in(group: list[Snippet]) -> int:
    return sum(s.code.count("\ndef test_") + s.code.startswith("def test_") for s in group)


def test_docs_folder_is_where_mkdocs_reads() -> None:
    assert (ROOT / "mkdocs.yml").read_text(encoding="utf-8").count("docs_dir: docs") == 1
    assert DOCS.is_dir()
