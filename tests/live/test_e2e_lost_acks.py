"""Both shells over real sockets when a cut loses acknowledgements of audio the server already committed.

A small TCP relay sits between the session and the local server. On the connections it is told to cut, it
forwards the client's bytes up to a byte count, stops passing anything back, waits for the server to commit
what arrived (its acknowledgements are then lost in the relay), and resets both sockets: a NAT timeout or a
Wi-Fi hand-over as the client sees it. The server's recording must hold every byte of the audio, with only
the duplicates the session counted (at most one sample frame per reconnection).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from gladia_live_client import AsyncLiveSession, LiveSession, LiveStats

from .conftest import create_session, fast_options, session_request
from .test_protocol_resync import duplicates_in, unique_audio

AUDIO = unique_audio(96_000, 2)  # 3 s of 16 kHz 16-bit mono, every sample different
CUTS = [30_000, 25_000]  # client-to-server bytes after which the first two connections stop answering
GRACE = 8000  # bytes still reaching the server after that (whole frames among them): their acks are lost


class CuttingRelay:
    """Relays TCP to `port`; connection `i` is cut after `cuts[i]` bytes from the client (later ones are not)."""

    def __init__(self, port: int, cuts: list[int]) -> None:
        self._target = port
        self._cuts = cuts
        self.connections = 0
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cutting-relay", daemon=True)

    def __enter__(self) -> CuttingRelay:
        self._thread.start()
        assert self._ready.wait(10), "the relay did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._relay, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()
            self._loop.close()

    async def _relay(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        limit = self._cuts[self.connections] if self.connections < len(self._cuts) else None
        self.connections += 1
        server_r, server_w = await asyncio.open_connection("127.0.0.1", self._target)
        silent = asyncio.Event()  # nothing goes back to the client any more
        cut = asyncio.Event()  # nothing goes to the server any more

        async def upstream() -> None:
            forwarded = 0
            while data := await client_r.read(65536):
                if limit is not None and forwarded + len(data) >= limit:
                    silent.set()
                if limit is not None and forwarded + len(data) >= limit + GRACE:
                    server_w.write(data[: limit + GRACE - forwarded])
                    cut.set()
                    return
                server_w.write(data)
                forwarded += len(data)
            server_w.close()

        async def downstream() -> None:
            while data := await server_r.read(65536):
                if silent.is_set():
                    return  # what the server sends from now on is lost in flight
                client_w.write(data)
            client_w.close()

        tasks = [asyncio.ensure_future(upstream()), asyncio.ensure_future(downstream())]
        try:
            if limit is None:
                await asyncio.wait(tasks, timeout=60, return_when=asyncio.ALL_COMPLETED)
                return
            await asyncio.wait_for(cut.wait(), 60)
            await asyncio.sleep(0.3)  # the server commits what arrived and acknowledges it: into the void
        finally:
            for task in tasks:
                task.cancel()
            for writer in (client_w, server_w):
                with contextlib.suppress(Exception):
                    writer.transport.abort()  # a reset, both ways: nothing more in flight arrives


def through(relay: CuttingRelay, url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"127.0.0.1:{relay.port}"))


@pytest.fixture
def relay(server: Any) -> Iterator[CuttingRelay]:
    with CuttingRelay(urlsplit(server.base_url).port or 0, CUTS) as running:
        yield running


def check_recording(server: Any, job_id: str, stats: LiveStats) -> None:
    recording = server.committed_audio(job_id)
    duplicated = duplicates_in(recording, AUDIO, 2)  # fails on any lost byte
    assert duplicated == stats.bytes_duplicated, stats
    assert duplicated <= 2 * stats.reconnections, stats
    assert stats.reconnections == len(CUTS), stats
    assert stats.bytes_recovered > 0, stats  # the cuts lost acknowledgements of committed audio
    assert (stats.ack_anomalies, stats.resync_failures) == (0, 0), stats


def test_lost_acknowledgements_lose_nothing_sync(server: Any, relay: CuttingRelay) -> None:
    init = create_session(server)
    session = LiveSession(
        through(relay, init.url), session_id=str(init.id), audio_format=session_request(), options=fast_options()
    )
    with session:
        session.send_audio(AUDIO)
        session.stop_recording()
        list(session)
    check_recording(server, str(init.id), session.stats)


def test_lost_acknowledgements_lose_nothing_async(server: Any, relay: CuttingRelay) -> None:
    init = create_session(server)

    async def main() -> LiveStats:
        session = AsyncLiveSession(
            through(relay, init.url), session_id=str(init.id), audio_format=session_request(), options=fast_options()
        )
        async with session:
            await session.send_audio(AUDIO)
            await session.stop_recording()
            async for _ in session:
                pass
        return session.stats

    stats = asyncio.run(asyncio.wait_for(main(), 60))
    check_recording(server, str(init.id), stats)
