"""The README snippets on proxies and download destinations, executed as written."""

from __future__ import annotations

import os
import re
import sys
import threading
from pathlib import Path

import httpx
import pytest

from gladia_live_client import InvalidRequestError

from ._mock import JOB_ID, Script

README = Path(__file__).resolve().parents[2] / "README.md"


def snippet(marker: str) -> str:
    """The README's python block that contains ``marker``."""
    blocks = [b for b in re.findall(r"```python\n(.*?)```", README.read_text(), re.S) if marker in b]
    assert len(blocks) == 1, f"expected one README snippet containing {marker!r}, found {len(blocks)}"
    return blocks[0]


def test_the_proxy_snippet_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name.lower(), raising=False)
        monkeypatch.setenv(name, "")  # restored after the test, whatever the snippet sets
    namespace: dict[str, object] = {}
    exec(compile(snippet("trust_env=False"), "README.md", "exec"), namespace)
    assert os.environ["HTTPS_PROXY"] == "http://user:secret@proxy.internal:3128"
    gladia = namespace["gladia"]
    assert gladia._config.trust_env is False  # type: ignore[attr-defined]


@pytest.mark.skipif(sys.platform == "win32", reason="named pipes and /dev/null")
def test_the_download_destination_snippet_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo_path = tmp_path / "pipe"
    os.mkfifo(fifo_path)
    received = bytearray()

    def read_the_pipe() -> None:
        with open(fifo_path, "rb") as pipe:
            while chunk := pipe.read(65536):
                received.extend(chunk)

    reader = threading.Thread(target=read_the_pipe, daemon=True)
    reader.start()
    script = Script(httpx.Response(200, content=b"RIFF" + bytes(5000)))
    with script.sync_client() as gladia:
        namespace = {
            "gladia": gladia,
            "job_id": JOB_ID,
            "fifo_path": fifo_path,
            "InvalidRequestError": InvalidRequestError,
        }
        exec(compile(snippet('"/dev/null"'), "README.md", "exec"), namespace)
    reader.join(5)
    assert not reader.is_alive()
    assert bytes(received) == b"RIFF" + bytes(5000)
    assert "destination '/dev/null' is a character device; give the path of a regular file" in capsys.readouterr().out
    assert len(script.requests) == 1, "the refused destination sent nothing"
