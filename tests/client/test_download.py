"""Streamed download to a path (atomic) or a file object, and `iter_audio`, over `httpx.MockTransport`."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from gladia_live_client import APIConnectionError, NotFoundError

from ._mock import JOB_ID, Script, error

WAV = b"RIFF" + bytes(range(256)) * 64


class Broken(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that delivers some chunks, then fails like a dropped connection."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks
        raise httpx.ReadError("connection reset by peer")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk
        raise httpx.ReadError("connection reset by peer")

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


class Chunked(httpx.SyncByteStream, httpx.AsyncByteStream):
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.sent = 0
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.sent += 1
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.sent += 1
            yield chunk

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def test_download_to_a_path(tmp_path: Path) -> None:
    target = tmp_path / "a.wav"
    script = Script(httpx.Response(200, content=WAV))
    with script.sync_client() as gladia:
        assert gladia.download_audio(JOB_ID, target) == len(WAV)
        assert gladia.download_audio(JOB_ID, str(tmp_path / "b.wav")) == len(WAV)
    assert target.read_bytes() == WAV == (tmp_path / "b.wav").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.wav", "b.wav"]
    assert script.requests[0].url.path == f"/v2/live/{JOB_ID}/file"
    # Created like a plain open(): the umask decides, not mkstemp's owner-only 0o600.
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_download_to_a_file_object() -> None:
    buffer = io.BytesIO(b"prefix:")
    buffer.seek(0, io.SEEK_END)
    with Script(httpx.Response(200, content=WAV)).sync_client() as gladia:
        assert gladia.download_audio(JOB_ID, buffer) == len(WAV)
    assert buffer.getvalue() == b"prefix:" + WAV
    assert not buffer.closed, "the caller's file stays open"


@pytest.mark.parametrize("existing", [None, b"previous recording"])
def test_a_failed_download_leaves_no_partial_file(tmp_path: Path, existing: bytes | None) -> None:
    target = tmp_path / "a.wav"
    if existing is not None:
        target.write_bytes(existing)
    body = Broken([WAV[:1000], WAV[1000:2000]])
    script = Script(httpx.Response(200, stream=body))
    with script.sync_client() as gladia, pytest.raises(APIConnectionError, match="ReadError"):
        gladia.download_audio(JOB_ID, target)
    # Body-phase failures are not retried (the body cannot be resumed) and nothing partial remains.
    assert len(script.requests) == 1
    assert [p.name for p in tmp_path.iterdir()] == ([] if existing is None else ["a.wav"])
    if existing is not None:
        assert target.read_bytes() == existing
    assert body.closed


def test_an_error_status_leaves_no_file(tmp_path: Path) -> None:
    with Script(error(404, message="Job not found")).sync_client() as gladia, pytest.raises(NotFoundError):
        gladia.download_audio(JOB_ID, tmp_path / "a.wav")
    assert list(tmp_path.iterdir()) == []


def test_a_failing_destination_closes_the_stream(tmp_path: Path) -> None:
    class Full(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, data: object) -> int:
            raise OSError(28, "No space left on device")

    body = Chunked([WAV[:100], WAV[100:]])
    with Script(httpx.Response(200, stream=body)).sync_client() as gladia, pytest.raises(OSError, match="space"):
        gladia.download_audio(JOB_ID, Full())
    assert body.closed
    assert body.sent == 1


def test_iter_audio_yields_the_chunks_and_releases_the_connection_when_closed() -> None:
    body = Chunked([b"RIFF", b"a" * 10, b"b" * 10])
    with Script(httpx.Response(200, stream=body)).sync_client() as gladia:
        chunks = gladia.iter_audio(JOB_ID)
        assert next(chunks) == b"RIFF"
        chunks.close()
    assert body.closed
    assert body.sent == 1

    with Script(httpx.Response(200, content=WAV)).sync_client() as gladia:
        sized = list(gladia.iter_audio(JOB_ID, chunk_size=1000))
    assert b"".join(sized) == WAV
    assert {len(chunk) for chunk in sized[:-1]} == {1000}


def test_iter_audio_raises_typed_errors() -> None:
    with Script(error(404, message="Job not found")).sync_client() as gladia, pytest.raises(NotFoundError):
        next(gladia.iter_audio(JOB_ID))
    with Script(httpx.Response(200, stream=Broken([b"RIFF"]))).sync_client() as gladia:
        chunks = gladia.iter_audio(JOB_ID)
        assert next(chunks) == b"RIFF"
        with pytest.raises(APIConnectionError):
            next(chunks)


async def test_async_download_and_iteration(tmp_path: Path) -> None:
    target = tmp_path / "a.wav"
    async with Script(httpx.Response(200, content=WAV)).async_client() as gladia:
        assert await gladia.download_audio(JOB_ID, target) == len(WAV)
        assert b"".join([chunk async for chunk in gladia.iter_audio(JOB_ID)]) == WAV
        buffer = io.BytesIO()
        assert await gladia.download_audio(JOB_ID, buffer) == len(WAV)
    assert target.read_bytes() == WAV == buffer.getvalue()

    body = Broken([WAV[:1000]])
    async with Script(httpx.Response(200, stream=body)).async_client() as gladia:
        with pytest.raises(APIConnectionError):
            await gladia.download_audio(JOB_ID, tmp_path / "b.wav")
    assert [p.name for p in tmp_path.iterdir()] == ["a.wav"]

    async with Script(error(404)).async_client() as gladia:
        with pytest.raises(NotFoundError):
            await gladia.download_audio(JOB_ID, tmp_path / "c.wav")
    assert [p.name for p in tmp_path.iterdir()] == ["a.wav"]


@pytest.mark.parametrize("durable", [False, True])
def test_fsync_only_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, durable: bool) -> None:
    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd))
    with Script(httpx.Response(200, content=WAV)).sync_client() as gladia:
        assert gladia.download_audio(JOB_ID, tmp_path / "a.wav", fsync=durable) == len(WAV)
    assert len(synced) == (1 if durable else 0)
    assert (tmp_path / "a.wav").read_bytes() == WAV


async def test_async_fsync_only_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd))
    async with Script(httpx.Response(200, content=WAV)).async_client() as gladia:
        await gladia.download_audio(JOB_ID, tmp_path / "a.wav", fsync=True)
        await gladia.download_audio(JOB_ID, tmp_path / "b.wav")
    assert len(synced) == 1
