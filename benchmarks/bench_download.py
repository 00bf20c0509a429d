"""#3: download a 256 MiB recording (`GET /v2/live/{id}/file`) to a file, against raw `httpx` streaming.

The job is made through the public protocol (untimed): a session of the local server (own process) receives
256 MiB of 16 kHz 16-bit mono silence over its WebSocket in 512 KiB frames, then `stop_recording`; its WAV is
256 MiB of audio plus a 44-byte header.

Throughput: each run writes a new file in a temporary directory (deleted at the end). Before each run,
untimed, `os.sync()` flushes the dirty pages earlier runs left, so no run pays for the write-back of another.
Sides, interleaved in a random order per round, median of `REPEAT` runs each:

- ours: `GladiaLive.download_audio(id, path)`: a temporary file beside the path, renamed into place.
- raw: `httpx.Client.stream("GET", ...)` and `iter_bytes()` written to `open(path, "wb")` (the baseline).
- ours with `fsync=True` and raw + `os.fsync()`: the same pair made durable (shows what durability costs on
  this disk; reported in the note under the table).
- ours and raw again into a directory on tmpfs (`/dev/shm`, where there is one): no disk I/O and a free
  `fsync`, so the ratio is the client's own cost.

Memory: each side runs once more in a fresh interpreter (`python -m benchmarks.bench_download --memory`).
After a first, unmeasured download on the same client (imports done, the connection open), the peak RSS is
reset (`/proc/self/clear_refs`), the download runs, and the growth is the peak RSS (`VmHWM`) minus the RSS
before. The page cache of the written file is not part of a process's RSS. A second fresh run reports the
`tracemalloc` peak (Python allocations only) for information.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from benchmarks.harness import Figure, Result, interleaved_medians
from benchmarks.server import HEADERS, KEY, PCM_16K, ROOT, ServerProcess, create_session, stream_raw
from benchmarks.server_alone import download_figure

SIZE = 256 * 1024 * 1024
WAV_SIZE = SIZE + 44
REPEAT = 9
MEMORY_LIMIT = 32 * 1024 * 1024


def make_job(base_url: str) -> str:
    job_id, url = create_session(base_url, {**PCM_16K, "messages_config": {"receive_acknowledgments": True}})
    frame = bytes(512 * 1024)
    acknowledged = asyncio.run(stream_raw(url, [frame] * (SIZE // len(frame))))
    if acknowledged != SIZE:
        raise RuntimeError(f"the server acknowledged {acknowledged} bytes of {SIZE}")
    return job_id


def downloaders(base_url: str, job_id: str) -> dict[str, Callable[[Path], int]]:
    """Each side: download the recording to `path`, return the bytes written. Clients are created once and
    kept (their connections stay alive between runs)."""
    from gladia_live_client import GladiaLive

    gladia = GladiaLive(api_key=KEY, base_url=base_url)
    http = httpx.Client(base_url=base_url, headers=HEADERS, timeout=60)
    url = f"/v2/live/{job_id}/file"

    def ours_path(path: Path) -> int:
        return gladia.download_audio(job_id, path)

    def ours_fsync(path: Path) -> int:
        return gladia.download_audio(job_id, path, fsync=True)

    def raw(path: Path, *, fsync: bool = False) -> int:
        written = 0
        with http.stream("GET", url) as response, open(path, "wb") as file:
            response.raise_for_status()
            for chunk in response.iter_bytes():
                file.write(chunk)
                written += len(chunk)
            if fsync:
                file.flush()
                os.fsync(file.fileno())
        return written

    return {"ours_path": ours_path, "ours_fsync": ours_fsync, "raw": raw, "raw_fsync": lambda p: raw(p, fsync=True)}


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def measure_memory(side: str, base_url: str, job_id: str, directory: str, mode: str) -> dict[str, int]:
    """In a fresh interpreter: the peak RSS growth ("rss") or tracemalloc peak ("tracemalloc") of one download."""
    download = downloaders(base_url, job_id)[side]
    path = Path(directory) / f"memory-{side}.wav"
    download(path)  # warm-up: the connection is open and every module of the path imported
    path.unlink()
    if mode == "tracemalloc":
        import tracemalloc

        tracemalloc.start()
        download(path)
        return {"tracemalloc_peak": tracemalloc.get_traced_memory()[1]}
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # reset VmHWM to the current RSS
    before = _status_kib("VmRSS")
    download(path)
    return {"rss_growth": (_status_kib("VmHWM") - before) * 1024}


def _memory_in_subprocess(side: str, base_url: str, job_id: str, directory: str, mode: str) -> dict[str, int]:
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_download", "--memory", side, mode, base_url, job_id, directory],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures: dict[str, int] = json.loads(output.strip().splitlines()[-1])
    return figures


def _memory_directory() -> str | None:
    """A directory on tmpfs (`/dev/shm`), where writing a file costs no disk I/O; None where there is none."""
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        return tempfile.mkdtemp(prefix="gladia-bench-", dir="/dev/shm")
    return None


def run() -> list[Result | Figure]:
    disk = tempfile.mkdtemp(prefix="gladia-bench-")
    shm = _memory_directory()
    try:
        with ServerProcess() as server:
            job_id = make_job(server.base_url)
            sides = downloaders(server.base_url, job_id)

            def timed(download: Callable[[Path], int], directory: str) -> Callable[[], float]:
                def action() -> float:
                    path = Path(directory) / "recording.wav"
                    path.unlink(missing_ok=True)
                    os.sync()  # write back the previous run's file now, not during this run
                    start = time.perf_counter()
                    written = download(path)
                    elapsed = time.perf_counter() - start
                    if written != WAV_SIZE or path.stat().st_size != WAV_SIZE:
                        raise RuntimeError(f"downloaded {written} bytes, expected {WAV_SIZE}")
                    path.unlink()
                    return elapsed

                return action

            actions = {name: timed(sides[name], disk) for name in ("ours_path", "raw", "ours_fsync", "raw_fsync")}
            if shm is not None:
                actions["ours_shm"] = timed(sides["ours_path"], shm)
                actions["raw_shm"] = timed(sides["raw"], shm)
            for action in actions.values():
                action()  # warm-up: connections, imports, the server's first response
            seconds = interleaved_medians(actions, REPEAT)
            memory = {
                side: {
                    **_memory_in_subprocess(side, server.base_url, job_id, disk, "rss"),
                    **_memory_in_subprocess(side, server.base_url, job_id, disk, "tracemalloc"),
                }
                for side in ("ours_path", "raw")
            }
            figure = download_figure(server.base_url, f"/v2/live/{job_id}/file")
    finally:
        shutil.rmtree(disk, ignore_errors=True)
        if shm is not None:
            shutil.rmtree(shm, ignore_errors=True)

    rate = {name: WAV_SIZE / 1e6 / value for name, value in seconds.items()}
    mib = 1024 * 1024
    return [
        Result(
            "3",
            "download a 256 MiB recording to a file on disk (download_audio to a path)",
            rate["ours_path"],
            rate["raw"],
            "MB/s",
            "throughput",
            0.9,
            f"baseline: raw httpx stream to open(path, 'wb'); ours writes a temporary file and renames it; "
            f"durable (fsync=True vs raw + os.fsync): {rate['ours_fsync']:.0f} vs {rate['raw_fsync']:.0f} MB/s "
            f"(ratio {rate['ours_fsync'] / rate['raw_fsync']:.2f})",
        ),
        Result(
            "3a",
            "same, to a file on tmpfs (/dev/shm: no disk I/O, fsync free)",
            rate.get("ours_shm", float("nan")),
            rate.get("raw_shm", float("nan")),
            "MB/s",
            "throughput",
            0.9,
            "baseline: the same raw httpx loop; the client's own cost, without the disk"
            if shm is not None
            else "no writable /dev/shm on this machine",
        ),
        Result(
            "3m",
            "peak RSS growth during the 256 MiB download (download_audio to a path)",
            memory["ours_path"]["rss_growth"] / mib,
            MEMORY_LIMIT / mib,
            "MiB",
            "ratio",
            1.0,
            f"baseline column is the 32 MiB limit; raw httpx: {memory['raw']['rss_growth'] / mib:.1f} MiB; "
            f"tracemalloc peak: ours {memory['ours_path']['tracemalloc_peak'] / mib:.2f} MiB, raw "
            f"{memory['raw']['tracemalloc_peak'] / mib:.2f} MiB",
        ),
        figure,
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description="one download's memory, in a fresh interpreter (used by #3)")
    parser.add_argument("--memory", required=True, choices=["ours_path", "raw", "raw_fsync"])
    parser.add_argument("mode", choices=["rss", "tracemalloc"])
    parser.add_argument("base_url")
    parser.add_argument("job_id")
    parser.add_argument("directory")
    args = parser.parse_args()
    print(json.dumps(measure_memory(args.memory, args.base_url, args.job_id, args.directory, args.mode)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
