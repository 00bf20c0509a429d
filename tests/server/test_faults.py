"""Fault injection: REST failures, resets and delays; WebSocket drops, refusals, flapping, slow acks."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import websockets

from gladia_live_client.testing import Faults, LocalGladiaServer

from .conftest import (
    API_KEY,
    FRAME,
    Received,
    assert_conforms,
    assert_error_body,
    frames,
    init_session,
    read_all,
    read_until,
    speech_pattern,
)


async def test_fail_next_answers_the_chosen_status_then_serves_again(
    server: LocalGladiaServer, http: httpx.AsyncClient
) -> None:
    server.faults.fail_next("init_session", count=2, status=429, retry_after=1.5)
    server.faults.fail_next("init_session", status=520, body="<html>gateway</html>", content_type="text/html")
    for _ in range(2):
        limited = await http.post("/v2/live", json={})
        assert_error_body(limited, 429, "Too Many Requests")
        assert limited.headers["retry-after"] == "1.5"
        assert_conforms("init_session", limited)
    gateway = await http.post("/v2/live", json={})
    assert (gateway.status_code, gateway.text, gateway.headers["content-type"]) == (
        520,
        "<html>gateway</html>",
        "text/html",
    )
    assert "retry-after" not in gateway.headers
    assert (await http.post("/v2/live", json={})).status_code == 201
    # Faulted requests count as received, and fire before authentication: no session was created by them.
    assert server.request_count("init_session") == 4
    assert server.sessions_created() == 1


async def test_fail_next_with_json_and_bytes_bodies(server: LocalGladiaServer, http: httpx.AsyncClient) -> None:
    server.faults.fail_next("get_job", status=503, body={"message": "maintenance"})
    server.faults.fail_next("get_job", status=500, body=b"\x00\x01")
    as_json = await http.get("/v2/live/x")
    assert (as_json.status_code, as_json.json()) == (503, {"message": "maintenance"})
    raw = await http.get("/v2/live/x")
    assert (raw.status_code, raw.content, raw.headers["content-type"]) == (500, b"\x00\x01", "application/octet-stream")
    assert (await http.get("/v2/live/x")).status_code == 404


async def test_faults_are_kept_per_operation(server: LocalGladiaServer, http: httpx.AsyncClient) -> None:
    server.faults.fail_next("list_jobs")
    assert (await http.post("/v2/live", json={})).status_code == 201
    assert (await http.get("/v2/live")).status_code == 503
    assert (await http.get("/v2/live")).status_code == 200


async def test_reset_next_closes_the_connection_without_a_response(
    server: LocalGladiaServer, http: httpx.AsyncClient
) -> None:
    server.faults.reset_next("list_jobs")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        await http.get("/v2/live")
    assert (await http.get("/v2/live")).status_code == 200
    assert server.request_count("list_jobs") == 2


async def test_delay_next_serves_after_the_delay(server: LocalGladiaServer, http: httpx.AsyncClient) -> None:
    server.faults.delay_next("get_job", 3600)
    delayed = asyncio.ensure_future(http.get("/v2/live/x"))
    async with asyncio.timeout(30):
        while server.request_count("get_job") == 0:
            await asyncio.sleep(0.01)
    # Another request of the same operation is served meanwhile; the delayed one is still waiting.
    assert (await http.get("/v2/live/x")).status_code == 404
    assert not delayed.done()
    delayed.cancel()


async def test_delay_next_then_serves_the_request(server: LocalGladiaServer, http: httpx.AsyncClient) -> None:
    server.faults.delay_next("list_jobs", 0.05)
    assert (await http.get("/v2/live")).status_code == 200


async def _created(server: LocalGladiaServer, **body: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.base_url, headers={"x-gladia-key": API_KEY}) as http:
        return await init_session(http, **body)


async def test_ws_drop_after_discards_the_frame_reaching_the_limit(server: LocalGladiaServer) -> None:
    created = await _created(server)
    audio = speech_pattern()
    server.faults.ws_drop_after(5000, close_code=1011, reason="cut")
    async with websockets.connect(created["url"]) as ws:
        for chunk in frames(audio)[:3]:
            await ws.send(chunk)
        dropped = await read_all(ws)
    assert (dropped.close_code, dropped.close_reason) == (1011, "cut")
    # 3200 bytes acknowledged; the frame that reached 5000 bytes was not, and is not committed.
    assert dropped.acked_end == FRAME
    assert len(dropped.of("audio_chunk")) == 1
    assert server.committed_audio(created["id"]) == audio[:FRAME]
    # A client resending from its last acknowledged byte reproduces the stream exactly.
    async with websockets.connect(created["url"]) as ws:
        for chunk in frames(audio[dropped.acked_end :]):
            await ws.send(chunk)
        await ws.send(json.dumps({"type": "stop_recording"}))
        assert (await read_all(ws)).close_code == 1000
    assert server.committed_audio(created["id"]) == audio
    assert server.websocket_connections(created["id"]) == 2


async def test_ws_drop_after_zero_closes_right_after_the_handshake(server: LocalGladiaServer) -> None:
    created = await _created(server)
    server.faults.ws_drop_after(0, close_code=4000, count=2)
    for _ in range(2):
        async with websockets.connect(created["url"]) as ws:
            assert (await read_all(ws)).close_code == 4000
    async with websockets.connect(created["url"]) as ws:
        await ws.send(b"\x00\x00")
        assert json.loads(await ws.recv())["data"]["byte_range"] == [0, 2]
    assert server.websocket_connections(created["id"]) == 3


async def test_ws_refuse_handshake(server: LocalGladiaServer) -> None:
    created = await _created(server)
    server.faults.ws_refuse_handshake(count=1)
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(created["url"]):
            pass
    assert refused.value.response.status_code == 403
    async with websockets.connect(created["url"]):
        pass
    server.faults.ws_refuse_handshake()  # forever
    for _ in range(3):
        with pytest.raises(websockets.InvalidStatus):
            async with websockets.connect(created["url"]):
                pass
    server.faults.clear()
    async with websockets.connect(created["url"]):
        pass
    assert server.websocket_connections(created["id"]) == 2


async def test_ws_flap_accepts_then_closes_at_once(server: LocalGladiaServer) -> None:
    created = await _created(server, messages_config={"receive_lifecycle_events": True})
    server.faults.ws_flap(count=2, close_code=1012)
    for _ in range(2):
        async with websockets.connect(created["url"]) as ws:
            flapped = await read_all(ws)
            assert (flapped.close_code, flapped.messages) == (1012, [])
    async with websockets.connect(created["url"]) as ws:
        received = Received()
        await read_until(ws, received, lambda m: m["type"] == "start_session")  # the session starts once, here
    assert server.websocket_connections(created["id"]) == 3


async def test_ws_slow_acks_keep_order_and_commit_late(server: LocalGladiaServer) -> None:
    created = await _created(server)
    audio = speech_pattern()[: 5 * FRAME]
    server.faults.ws_slow_acks(0.05)
    async with websockets.connect(created["url"]) as ws:
        for chunk in frames(audio):
            await ws.send(chunk)
        await ws.send(json.dumps({"type": "stop_recording"}))
        received = await read_all(ws)
    ranges = [m["data"]["byte_range"] for m in received.of("audio_chunk")]
    assert ranges == [[o, o + FRAME] for o in range(0, len(audio), FRAME)]
    # the stop is acknowledged after the audio received before it
    assert received.kinds.index("stop_recording") > received.kinds.index("audio_chunk")
    assert server.committed_audio(created["id"]) == audio


@pytest.mark.parametrize(
    ("arm", "message"),
    [
        (lambda f: f.fail_next("nope"), "unknown operation_id"),
        (lambda f: f.fail_next("get_job", count=0), "count"),
        (lambda f: f.fail_next("get_job", status=99), "status"),
        (lambda f: f.fail_next("get_job", retry_after=-1), "retry_after"),
        (lambda f: f.delay_next("get_job", float("nan")), "seconds"),
        (lambda f: f.reset_next("get_job", count=True), "count"),
        (lambda f: f.ws_drop_after(-1), "nbytes"),
        (lambda f: f.ws_drop_after(10, close_code=1006), "close code"),
        (lambda f: f.ws_drop_after(10, reason="x" * 124), "123 bytes"),
        (lambda f: f.ws_flap(count=0), "count"),
        (lambda f: f.ws_slow_acks(-0.1), "delay"),
    ],
)
def test_faults_reject_invalid_arguments(arm: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        arm(Faults())


def test_clear_disarms_everything() -> None:
    faults = Faults()
    faults.fail_next("get_job")
    faults.ws_drop_after(10)
    faults.ws_refuse_handshake()
    faults.ws_flap()
    faults.ws_slow_acks(1.0)
    faults.clear()
    assert faults.take_http("get_job") is None
    assert faults.take_ws_drop() is None
    assert not faults.take_ws_refusal()
    assert faults.take_ws_flap() is None
    assert faults.ack_delay == 0.0
