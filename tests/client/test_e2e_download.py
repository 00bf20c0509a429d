"""End to end over loopback: a recording of more than 50 MB downloads with memory far below its size.

The peak is measured with `tracemalloc` around the download only (the session is recorded before), and
includes whatever the in-process server allocates while serving it, so it is an upper bound for the client.
The figure is printed (run with ``-s``) for the record; the assertion is a ratio, never a time.
"""

from __future__ import annotations

import asyncio
import hashlib
import tracemalloc
from pathlib import Path
from typing import Any

from gladia_live_client import AsyncGladiaLive, GladiaLive

from ._live import record

SIZE = 50 * 1024 * 1024 + 4096  # over 50 MiB of audio
CHUNK = bytes(range(256)) * 4096  # 1 MiB pattern, repeated


def make_audio() -> bytes:
    return (CHUNK * (SIZE // len(CHUNK) + 1))[:SIZE]


def file_tail_digest(path: Path, tail: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        file.seek(path.stat().st_size - tail)
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def test_a_50_mb_download_keeps_memory_far_below_the_file_size(server: Any, tmp_path: Path) -> None:
    audio = make_audio()
    audio_digest = hashlib.sha256(audio).hexdigest()
    with GladiaLive(api_key=server.api_key, base_url=server.base_url, timeout=60) as gladia:
        session = gladia.init_session({"encoding": "wav/pcm", "sample_rate": 48000, "bit_depth": 16, "channels": 2})
        assert asyncio.run(record(session.url, audio)) == 1000
        del audio
        target = tmp_path / "big.wav"

        tracemalloc.start()
        try:
            written = gladia.download_audio(session.id, target)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()

    assert written == target.stat().st_size > SIZE
    assert file_tail_digest(target, SIZE) == audio_digest
    print(f"\ndownload_audio: {written / 2**20:.1f} MiB written, tracemalloc peak {peak / 2**20:.2f} MiB")
    assert peak < written / 4
    assert peak < written / 20  # in fact a few MiB at most: constant, whatever the size


async def test_async_download_streams_too(server: Any, tmp_path: Path) -> None:
    audio = make_audio()[: 20 * 1024 * 1024]
    async with AsyncGladiaLive(api_key=server.api_key, base_url=server.base_url, timeout=60) as gladia:
        session = await gladia.init_session({"encoding": "wav/pcm", "sample_rate": 48000, "channels": 2})
        assert await record(session.url, audio) == 1000
        target = tmp_path / "big.wav"
        tracemalloc.start()
        try:
            written = await gladia.download_audio(session.id, target)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert file_tail_digest(target, len(audio)) == hashlib.sha256(audio).hexdigest()
    print(f"\nasync download_audio: {written / 2**20:.1f} MiB written, tracemalloc peak {peak / 2**20:.2f} MiB")
    assert peak < written / 4
