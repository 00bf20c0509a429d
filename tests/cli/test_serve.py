"""`gladia-live serve`: the local server from the command line."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.cli.conftest import CLI, ROOT, SPEECH, assert_one_line_error, clean_env, run_cli

LISTENING = re.compile(r"^Local Gladia server listening on (http://127\.0\.0\.1:\d+) ")


@contextmanager
def serving(*args: str | Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`gladia-live serve --port 0 --stop-on-eof ARGS` and its base URL; killed if a test leaves it running."""
    process = subprocess.Popen(
        [*CLI, "serve", "--port", "0", "--stop-on-eof", *map(str, args)],
        cwd=ROOT,
        env=clean_env(PYTHONUNBUFFERED="1"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = LISTENING.match(line)
        assert match is not None, (line, process.stderr.read() if process.poll() is not None else "")
        yield process, match.group(1)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        for pipe in (process.stdin, process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()


def test_serve_runs_the_local_server_with_a_script_until_stdin_closes(tmp_path: Path) -> None:
    script = tmp_path / "words.txt"
    script.write_text("\nalpha beta gamma\n\n", encoding="utf-8")
    with serving("--script", script, "--api-key", "serve-key-1234") as (process, base_url):
        refused = httpx.post(f"{base_url}/v2/live", json={}, headers={"x-gladia-key": "other"}, timeout=30)
        assert refused.status_code == 401

        streamed = run_cli(
            "stream", SPEECH, "--fast", "--json", GLADIA_API_URL=base_url, GLADIA_API_KEY="serve-key-1234"
        )
        assert streamed.returncode == 0, streamed.stderr
        words = [
            word["word"]
            for line in streamed.stdout.splitlines()
            if '"is_final": true' in line
            for word in json.loads(line)["data"]["utterance"]["words"]
        ]
        assert words[:4] == ["alpha", "beta", "gamma", "alpha"]  # the script's words, in order

        assert process.stdin is not None
        process.stdin.close()
        assert process.wait(timeout=30) == 0


def test_serve_stops_cleanly_on_sigterm() -> None:
    with serving() as (process, base_url):
        assert httpx.get(f"{base_url}/v2/live", headers={"x-gladia-key": "any"}, timeout=30).status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0


def test_serve_errors_are_one_line(tmp_path: Path) -> None:
    blank = tmp_path / "blank.txt"
    blank.write_text("\n  \n", encoding="utf-8")
    assert_one_line_error(run_cli("serve", "--port", "0", "--script", blank), "blank.txt", "no words")
    assert_one_line_error(run_cli("serve", "--port", "0", "--script", tmp_path / "absent.txt"), "No such file")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert_one_line_error(run_cli("serve", "--port", str(port)), f"cannot listen on 127.0.0.1:{port}")
