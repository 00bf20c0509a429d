"""`LocalGladiaServer(network_faults=True)`: TCP faults as networks produce them, proven over real sockets.

The server's public port is a `ChaosProxy` in front of the app; `server.faults.tcp_*` script it. Cuts lose
what was in flight both ways (acknowledgements of audio the server already committed included: the job's
audio, read over REST, holds more than the client saw acknowledged), stalls close the TCP window, blackholes
accept and never answer, latency slows every chunk.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import websockets

from gladia_live_client.testing import LocalGladiaServer, LocalServerError

from .conftest import API_KEY, FRAME, Received, init_session, parse_wav, read_all

AUDIO = random.Random(11).randbytes(30 * FRAME)  # 3 s; random, so neither side can compress it away


@pytest.fixture
async def faulty() -> AsyncIterator[LocalGladiaServer]:
    async with LocalGladiaServer(api_key=API_KEY, network_faults=True, idle_timeout=5) as server:
        yield server


async def _session(server: LocalGladiaServer) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=server.base_url, headers={"x-gladia-key": API_KEY}) as http:
        created: dict[str, str] = await init_session(http, messages_config={"receive_acknowledgments": True})
        return created


async def _recorded(server: LocalGladiaServer, job_id: str) -> bytes:
    """The job's committed audio as the REST API serves it (`GET /v2/live/{id}/file`)."""
    async with httpx.AsyncClient(base_url=server.base_url, headers={"x-gladia-key": API_KEY}) as http:
        response = await http.get(f"/v2/live/{job_id}/file")
        assert response.status_code == 200
        return parse_wav(response.content)[1]


async def _stream_until_cut(url: str) -> Received:
    """Send all the audio at once, then read until the connection dies (it must not end cleanly)."""
    received = Received()
    async with websockets.connect(url, close_timeout=1, compression=None) as ws:
        try:
            for offset in range(0, len(AUDIO), FRAME):
                await ws.send(AUDIO[offset : offset + FRAME])
        except websockets.ConnectionClosed:
            pass
        await read_all(ws, received)
    return received


def test_tcp_faults_need_a_server_with_network_faults() -> None:
    with pytest.raises(LocalServerError, match="network_faults=True"):
        LocalGladiaServer().faults.tcp_cut(after_bytes=10)
    faults = LocalGladiaServer(network_faults=True).faults
    with pytest.raises(ValueError, match="after_bytes or after_seconds"):
        faults.tcp_cut()
    with pytest.raises(ValueError, match="on must be"):
        faults.tcp_blackhole(on="udp")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="direction"):
        faults.tcp_cut(after_bytes=1, direction="both")  # type: ignore[arg-type]


async def test_a_cut_loses_acknowledgements_of_audio_the_server_committed(faulty: LocalGladiaServer) -> None:
    strictly_more = 0
    for extra in range(3):
        created = await _session(faulty)
        # Down: the server's bytes to the client (the handshake answer, then messages) stop at this count.
        faulty.faults.tcp_cut(after_bytes=1500 + extra, direction="down")
        received = await _stream_until_cut(created["url"])
        assert received.close_code == 1006  # abnormal: no close frame, the TCP connection was reset
        committed = await _recorded(faulty, created["id"])
        assert committed == AUDIO[: len(committed)]  # nothing reordered or invented
        assert len(committed) >= received.acked_end
        strictly_more += len(committed) > received.acked_end
    # The message crossing the cut acknowledged committed audio, and never arrived (a cut falls between two
    # messages for at most one of three consecutive byte counts).
    assert strictly_more >= 2
    records = faulty.proxy.records() if faulty.proxy else []
    assert sum(record.outcome == "cut" for record in records) == 3


async def test_a_cut_upstream_loses_the_audio_in_flight(faulty: LocalGladiaServer) -> None:
    created = await _session(faulty)
    faulty.faults.tcp_cut(after_bytes=20_000, direction="up")
    received = await _stream_until_cut(created["url"])
    committed = await _recorded(faulty, created["id"])
    # The server got at most 20,000 bytes (the handshake request and frame headers included), nothing after.
    assert 0 < len(committed) < 20_000
    assert committed == AUDIO[: len(committed)]
    assert received.acked_end <= len(committed)
    assert received.close_code == 1006


async def test_a_cut_by_time_resets_an_idle_connection(faulty: LocalGladiaServer) -> None:
    created = await _session(faulty)
    faulty.faults.tcp_cut(after_seconds=0.3)
    async with websockets.connect(created["url"], ping_interval=None) as ws:
        started = time.monotonic()
        with pytest.raises(websockets.ConnectionClosedError):
            async with asyncio.timeout(10):
                await ws.recv()
        assert time.monotonic() - started >= 0.25
    assert ws.close_code == 1006


async def test_a_stall_closes_the_clients_window_and_its_writes_block(faulty: LocalGladiaServer) -> None:
    created = await _session(faulty)
    faulty.faults.tcp_stall(after_seconds=0.3)  # up: the server stops reading once the handshake is done
    frame = random.Random(12).randbytes(512 * 1024)
    connection = websockets.connect(created["url"], ping_interval=None, close_timeout=0.5, compression=None)
    async with connection as ws:
        assert faulty.proxy is not None
        async with asyncio.timeout(10):  # the stall is in place before the first audio byte leaves
            while faulty.proxy.records()[-1].stalled != ("up",):
                await asyncio.sleep(0.02)
        sent, blocked = 0, False
        while sent < 256 and not blocked:  # bounded: 128 MiB, far beyond what loopback buffers hold
            try:
                async with asyncio.timeout(2):
                    await ws.send(frame)
                sent += 1
            except TimeoutError:
                blocked = True
        assert blocked, f"{sent} frames of 512 KiB went out without the window closing"
        committed = faulty.committed_audio(created["id"])
        assert committed == b""  # nothing sent after the stall reached the server
        ws.transport.abort()
    assert faulty.proxy is not None
    assert faulty.proxy.records()[-1].stalled == ("up",)
    print(f"\nstall: the client's writes blocked after {sent} frames of 512 KiB")


async def test_a_blackhole_accepts_the_connection_and_never_answers(faulty: LocalGladiaServer) -> None:
    created = await _session(faulty)
    faulty.faults.tcp_blackhole()
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await websockets.connect(created["url"], open_timeout=1)
    assert time.monotonic() - started >= 0.9
    assert faulty.websocket_connections(created["id"]) == 0
    # REST connections (on="websocket" by default) and the next WebSocket go through untouched.
    async with websockets.connect(created["url"]) as ws:
        await ws.send(AUDIO[:FRAME])
        assert (await ws.recv()) is not None
    assert faulty.websocket_connections(created["id"]) == 1


async def test_latency_and_jitter_slow_every_connection_until_cleared(faulty: LocalGladiaServer) -> None:
    faulty.faults.tcp_latency(0.15, jitter=0.05)
    async with httpx.AsyncClient(base_url=faulty.base_url, headers={"x-gladia-key": API_KEY}) as http:
        started = time.monotonic()
        assert (await http.get("/v2/live")).status_code == 200
        assert time.monotonic() - started >= 0.3  # 0.15 s each way at least
    assert faulty.proxy is not None
    plan = faulty.proxy.records()[-1].plan
    assert plan.up.latency == plan.down.latency == 0.15
    faulty.faults.tcp_cut(after_bytes=1, on="any")
    faulty.faults.clear()  # latency and armed cuts alike
    async with httpx.AsyncClient(base_url=faulty.base_url, headers={"x-gladia-key": API_KEY}) as http:
        assert (await http.get("/v2/live")).status_code == 200
    plan = faulty.proxy.records()[-1].plan
    assert (plan.up.latency, plan.up.cut_after_bytes) == (0.0, None)


async def test_rest_faults_still_work_behind_the_front_proxy(faulty: LocalGladiaServer) -> None:
    faulty.faults.reset_next("list_jobs")
    async with httpx.AsyncClient(base_url=faulty.base_url, headers={"x-gladia-key": API_KEY}) as http:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            await http.get("/v2/live")
        assert (await http.get("/v2/live")).status_code == 200
