"""`make demo`: the whole thing from the command line, step by step.

Starts the local Gladia-compatible server (`gladia-live serve`, fed the words of demo/speech.txt), streams
demo/speech.wav to a live session with `gladia-live stream`, then lists, shows, patches, downloads and
deletes the job with `gladia-live jobs ...`, printing each command before running it. The server is stopped
at the end, whatever happens (and stops by itself if this script dies: it watches its standard input).

With GLADIA_API_KEY set, the same steps run against the real service (GLADIA_API_URL, else
https://api.gladia.io) and no local server is started; --local forces the local server anyway.

    python scripts/demo.py [--fast] [--local]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import re
import shlex
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEECH = Path("demo/speech.wav")
SCRIPT = Path("demo/speech.txt")
CLI = [sys.executable, "-m", "gladia_live_client.cli"]
SERVER_START_TIMEOUT = 60.0
SERVER_STOP_TIMEOUT = 20.0
JOB_DONE_TIMEOUT = 120.0


class DemoError(Exception):
    """A step failed; the message says which and why."""


class Demo:
    def __init__(self, env: dict[str, str], *, fast: bool, local: bool) -> None:
        self.env = env
        self.fast = fast
        self.local = local
        self.steps = 0

    def _run(self, arguments: list[str], *, capture: bool) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*CLI, *arguments], cwd=ROOT, env=self.env, text=True, capture_output=capture, check=False, timeout=600
        )

    def step(self, title: str, arguments: list[str], *, expect_failure: bool = False) -> None:
        """Show a command, run it with the terminal as its output, and check its exit status."""
        self.steps += 1
        print(f"\n=== {self.steps}. {title}", flush=True)
        print(f"$ {shlex.join(['gladia-live', *arguments])}", flush=True)
        status = self._run(arguments, capture=False).returncode
        if (status != 0) != expect_failure:
            expected = "a failure" if expect_failure else "success"
            raise DemoError(f"step {self.steps} ({title}) exited with status {status}, expected {expected}")

    def quiet(self, arguments: list[str]) -> str:
        """Run a command whose output the demo reads (not shown); its stdout."""
        result = self._run(arguments, capture=True)
        if result.returncode != 0:
            raise DemoError(f"`gladia-live {shlex.join(arguments)}` failed: {result.stderr.strip()}")
        return result.stdout

    def find_job(self, metadata: str) -> str:
        """The id of the one job carrying `metadata` (a real service may take a moment to list a new job)."""
        deadline = time.monotonic() + JOB_DONE_TIMEOUT
        while True:
            lines = self.quiet(["jobs", "list", "--metadata", metadata, "--json"]).splitlines()
            if len(lines) == 1:
                return str(json.loads(lines[0])["id"])
            if len(lines) > 1 or time.monotonic() > deadline:
                raise DemoError(f"expected exactly one job with custom metadata {metadata}, found {len(lines)}")
            time.sleep(1.0)

    def wait_until_processed(self, job_id: str) -> None:
        """A job can be deleted once processed: the local server is done at once, the real one soon after."""
        deadline = time.monotonic() + JOB_DONE_TIMEOUT
        while True:
            status = json.loads(self.quiet(["jobs", "get", job_id, "--json"]))["status"]
            if status in ("done", "error"):
                return
            if time.monotonic() > deadline:
                raise DemoError(f"job {job_id} is still {status} after {JOB_DONE_TIMEOUT:.0f} s")
            time.sleep(1.0)

    def run(self, workdir: Path) -> None:
        tag = uuid.uuid4().hex[:8]
        metadata = json.dumps({"demo": tag}, separators=(",", ":"))
        stream = ["stream", str(SPEECH), "--metadata", metadata]
        self.step(
            "Stream demo/speech.wav to a live session" + (" (--fast)" if self.fast else " at real-time pace"),
            [*stream, "--fast"] if self.fast else stream,
        )
        job_id = self.find_job(metadata)
        self.wait_until_processed(job_id)
        self.step(
            "List the jobs of this demo run (filtered on their custom metadata)",
            ["jobs", "list", "--metadata", metadata],
        )
        self.step("Show the job: its status, format and transcript", ["jobs", "get", job_id])
        patch = workdir / "meta.json"
        patch.write_text(json.dumps({"demo": tag, "note": "patched by make demo"}, indent=2) + "\n", encoding="utf-8")
        print(f"\n(meta.json: {patch.read_text(encoding='utf-8').strip()})", flush=True)
        self.step("Attach debugging metadata to the job", ["jobs", "patch", job_id, "--file", str(patch)])
        self.step("Show the job again: the metadata is there", ["jobs", "get", job_id])
        recording = workdir / "recording.wav"
        self.step("Download the recording", ["jobs", "download", job_id, "-o", str(recording)])
        same = _wav_audio(recording) == _wav_audio(ROOT / SPEECH)
        print(f"The recording holds exactly the audio of {SPEECH}: {'yes' if same else 'no'}", flush=True)
        if self.local and not same:
            raise DemoError("the local server's recording differs from the audio streamed")
        self.step("Delete the job", ["jobs", "delete", job_id])
        self.step("The job is gone (this error is expected)", ["jobs", "get", job_id], expect_failure=True)


def _wav_audio(path: Path) -> bytes:
    from gladia_live_client import read_wav_header

    with path.open("rb") as file:
        info = read_wav_header(file)
        return file.read() if info.data_size is None else file.read(info.data_size)


def _first_line(stream: object, timeout: float) -> str:
    """The first line a child writes (or "" at EOF), waiting at most `timeout` seconds."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()  # type: ignore[attr-defined]
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        raise DemoError(f"the local server printed nothing within {timeout:.0f} s") from None


@contextlib.contextmanager
def local_server() -> Iterator[str]:
    """`gladia-live serve` on a free port, stopped on exit; yields its base URL."""
    command = ["serve", "--port", "0", "--script", str(SCRIPT), "--stop-on-eof"]
    print(f"$ {shlex.join(['gladia-live', *command])} &", flush=True)
    # stdin is a pipe only this process holds: the server stops when it closes, even if this script is killed.
    process = subprocess.Popen([*CLI, *command], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = _first_line(process.stdout, SERVER_START_TIMEOUT)
        match = re.search(r"listening on (http://\S+)", line)
        if match is None:
            raise DemoError(f"the local server did not start (exit status {process.poll()}): {line.strip()!r}")
        print(line.strip(), flush=True)
        yield match.group(1)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[str]) -> None:
    with contextlib.suppress(OSError):
        assert process.stdin is not None
        process.stdin.close()  # --stop-on-eof: the server shuts down cleanly
    try:
        process.wait(SERVER_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            process.wait(SERVER_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--fast", action="store_true", help="stream as fast as acknowledged, not in real time")
    parser.add_argument("--local", action="store_true", help="use the local server even when GLADIA_API_KEY is set")
    args = parser.parse_args(argv)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    real = bool(env.get("GLADIA_API_KEY", "").strip()) and not args.local
    try:
        with tempfile.TemporaryDirectory(prefix="gladia-demo-") as workdir, contextlib.ExitStack() as stack:
            if real:
                url = env.get("GLADIA_API_URL", "").strip() or "https://api.gladia.io"
                print(f"GLADIA_API_KEY is set: the demo runs against {url} (no local server).", flush=True)
            else:
                print("Starting the local Gladia server (set GLADIA_API_KEY to use the real service).", flush=True)
                env["GLADIA_API_URL"] = stack.enter_context(local_server())
                env["GLADIA_API_KEY"] = "demo-key"  # the local server accepts any non-empty key
            Demo(env, fast=args.fast, local=not real).run(Path(workdir))
    except DemoError as exc:
        print(f"\ndemo failed: {exc}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print("\ndemo interrupted", file=sys.stderr, flush=True)
        return 130
    print(
        "\nDemo complete: one live session streamed and transcribed, its job listed, shown, patched, downloaded and deleted."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
