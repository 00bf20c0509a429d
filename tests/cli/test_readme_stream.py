"""The README's lines on decoding, subtitles and standard input, executed as written against a local server."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import srt

from gladia_live_client import testing
from tests._media import write_media
from tests.cli.conftest import ROOT, SPEECH, clean_env, wav_audio

README = ROOT / "README.md"


def _command(fragment: str) -> str:
    """The README's shell line containing `fragment`, without its comment."""
    lines = [line for line in README.read_text(encoding="utf-8").splitlines() if fragment in line]
    assert len(lines) == 1, f"expected one README line containing {fragment!r}, found {lines}"
    return lines[0].split("  #", 1)[0].strip()


def _python_snippet(marker: str) -> str:
    blocks = [b for b in re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S) if marker in b]
    assert len(blocks) == 1, f"expected one README snippet containing {marker!r}, found {len(blocks)}"
    return blocks[0]


def _run(command: str, server: Any, cwd: Path) -> subprocess.CompletedProcess[str]:
    # `gladia-live` is the console script of the environment running the tests
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = clean_env(GLADIA_API_URL=server.base_url, GLADIA_API_KEY=server.api_key, PATH=path)
    return subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _job_id(stdout: str) -> str:
    match = re.search(r"^Session\s+([0-9a-f-]{36})$", stdout, re.MULTILINE)
    assert match is not None, stdout
    return match.group(1)


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("tail") is None, reason="runs shell lines")
def test_the_readme_stream_lines_run(server: Any, tmp_path: Path) -> None:
    write_media(tmp_path / "talk.mp4", "mp4", "aac", 44100, video=True, seconds=1.0)
    (tmp_path / "demo").mkdir()
    shutil.copy(SPEECH, tmp_path / "demo" / "speech.wav")

    subtitles = _run(_command("gladia-live stream talk.mp4"), server, tmp_path)
    piped = _run(_command("| gladia-live stream -"), server, tmp_path)

    assert subtitles.returncode == 0, subtitles.stderr
    cues = list(srt.parse((tmp_path / "talk.srt").read_text(encoding="utf-8")))
    assert len(cues) == int(re.search(r"^Utterances\s+(\d+)$", subtitles.stdout, re.MULTILINE).group(1))  # type: ignore[union-attr]
    assert piped.returncode == 0, piped.stderr
    assert server.committed_audio(_job_id(piped.stdout)) == wav_audio(SPEECH)


def test_the_readme_decoding_snippet_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_media(tmp_path / "interview.mp3", "mp3", "libmp3lame", 44100, seconds=2.0)
    monkeypatch.chdir(tmp_path)
    with testing.LocalGladiaServer() as server:
        monkeypatch.setenv("GLADIA_API_KEY", server.api_key)
        monkeypatch.setenv("GLADIA_API_URL", server.base_url)
        namespace: dict[str, object] = {"__name__": "readme_snippet"}
        exec(compile(_python_snippet("decode_audio("), "README.md", "exec"), namespace)
        session = namespace["session"]
        from gladia_live_client import decode_audio

        decoded = b"".join(decode_audio(path))
        assert server.committed_audio(str(session.session_id)) == decoded * 2  # type: ignore[attr-defined]
    assert capsys.readouterr().out.strip()  # the transcript of a 2 s tone, sent twice


def test_the_readme_mic_lines_run(server: Any, tmp_path: Path) -> None:
    listed = _run(_command("gladia-live mic --list-devices"), server, tmp_path)
    recorded = _run(_command("gladia-live mic --backend null --seconds 3"), server, tmp_path)

    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.strip()  # whatever devices this machine has (ALSA's null one at least, on Linux)
    assert recorded.returncode == 0, recorded.stderr
    assert server.committed_audio(_job_id(recorded.stdout)) == bytes(3 * 32000)
    assert (tmp_path / "mic.vtt").read_text(encoding="utf-8").startswith("WEBVTT")


def test_the_readme_microphone_snippet_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    snippet = _python_snippet("list_microphones()")
    # The default device of a machine without a sound card cannot be opened: the silent real-time one stands in.
    runnable = snippet.replace("seconds=10)", 'seconds=1, backend="null")')
    assert runnable != snippet
    with testing.LocalGladiaServer() as server:
        monkeypatch.setenv("GLADIA_API_KEY", server.api_key)
        monkeypatch.setenv("GLADIA_API_URL", server.base_url)
        namespace: dict[str, object] = {"__name__": "readme_snippet"}
        exec(compile(runnable, "README.md", "exec"), namespace)
        session = namespace["session"]
        assert server.committed_audio(str(session.session_id)) == bytes(32000)  # type: ignore[attr-defined]
    assert capsys.readouterr().out.startswith("[Microphone(index=0")
