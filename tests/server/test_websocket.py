"""The live WebSocket protocol: frames, acknowledgements, reconnection, messages_config, limits."""

from __future__ import annotations

import asyncio
import base64
import json
import math
import time
from typing import Any

import httpx
import pytest
import websockets

from gladia_live_client.testing import LocalGladiaServer

from .conftest import (
    API_KEY,
    FRAME,
    Received,
    frames,
    init_session,
    read_all,
    read_until,
    run_session,
    schema_errors,
    silence,
    speech_pattern,
    tone,
)


async def _created(server: LocalGladiaServer, **body: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.base_url, headers={"x-gladia-key": API_KEY}) as http:
        return await init_session(http, **body)


async def test_handshake_needs_a_known_token(server: LocalGladiaServer) -> None:
    for url in (
        f"{server.base_url.replace('http', 'ws')}/v2/live?token=nope",
        f"{server.base_url.replace('http', 'ws')}/v2/live",
    ):
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with websockets.connect(url):
                pass
        assert refused.value.response.status_code == 403


async def test_reconnection_continues_the_session_and_discards_unacknowledged_audio(server: LocalGladiaServer) -> None:
    created = await _created(server)
    audio = speech_pattern()
    chunks = frames(audio)
    # First connection: 10 frames acknowledged, then the connection dies after 3 more bytes-worth of frames
    # arrive unacknowledged (slow acknowledgements keep them pending until the drop).
    first = Received()
    async with websockets.connect(created["url"]) as ws:
        for chunk in chunks[:10]:
            await ws.send(chunk)
        await read_until(ws, first, lambda m: m["type"] == "audio_chunk" and m["data"]["byte_range"][1] == 10 * FRAME)
        server.faults.ws_slow_acks(3600)
        for chunk in chunks[10:13]:
            await ws.send(chunk)
    server.faults.ws_slow_acks(0)
    assert first.acked_end == 10 * FRAME
    assert server.committed_audio(created["id"]) == audio[: 10 * FRAME]

    # Second connection: resend from the last acknowledged byte; offsets continue where they were.
    async with websockets.connect(created["url"]) as ws:
        for chunk in frames(audio[first.acked_end :]):
            await ws.send(chunk)
        await ws.send(json.dumps({"type": "stop_recording"}))
        second = await read_all(ws)
    ranges = [m["data"]["byte_range"] for m in second.of("audio_chunk")]
    assert ranges[0] == [10 * FRAME, 11 * FRAME]
    assert ranges[-1][1] == len(audio)
    assert second.close_code == 1000
    assert server.committed_audio(created["id"]) == audio
    assert server.websocket_connections(created["id"]) == 2
    # speech events are not repeated across connections: the session's recogniser carried on
    starts = [m["data"]["time"] for r in (first, second) for m in r.of("speech_start")]
    assert starts == [1.0, 3.5]


async def test_a_newer_connection_takes_the_session_over(server: LocalGladiaServer) -> None:
    created = await _created(server)
    async with websockets.connect(created["url"]) as old:
        await old.send(silence(0.1))
        await old.recv()
        async with websockets.connect(created["url"]) as new:
            await new.send(silence(0.1))
            ack = json.loads(await new.recv())
            assert ack["data"]["byte_range"] == [FRAME, 2 * FRAME]
            stale = await read_all(old)
            assert stale.close_code == 4409
            await new.send(json.dumps({"type": "stop_recording"}))
            assert (await read_all(new)).close_code == 1000
    assert server.websocket_connections(created["id"]) == 2


async def test_frames_over_one_mebibyte_are_refused_with_1009(server: LocalGladiaServer) -> None:
    created = await _created(server)
    limit = 1024 * 1024
    async with websockets.connect(created["url"], max_size=None) as ws:
        await ws.send(bytes(limit))  # exactly 1 MiB is accepted
        ack = json.loads(await ws.recv())
        assert ack["data"]["byte_range"] == [0, limit]
        await ws.send(bytes(limit + 2))
        received = await read_all(ws)
    assert received.close_code == 1009
    assert len(server.committed_audio(created["id"])) == limit


async def test_audio_chunk_errors_are_acknowledged_as_failures(server: LocalGladiaServer) -> None:
    created = await _created(server)
    async with websockets.connect(created["url"]) as ws:
        await ws.send(json.dumps({"type": "audio_chunk", "data": {"chunk": "%%% not base64"}}))
        await ws.send(json.dumps({"type": "audio_chunk", "data": {}}))
        await ws.send(json.dumps({"type": "audio_chunk", "data": {"chunk": base64.b64encode(b"\x00\x00").decode()}}))
        received = Received()
        await read_until(ws, received, lambda m: m.get("acknowledged") is True)
    failures = [m for m in received.of("audio_chunk") if not m["acknowledged"]]
    assert [m["error"]["message"] for m in failures] == [
        "data.chunk is not valid base64",
        "data.chunk must be a base64 string",
    ]
    assert all(m["data"] is None for m in failures)
    assert received.messages[-1]["data"]["byte_range"] == [0, 2]


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        ("not json", "text frames must be JSON messages"),
        ("[" * 100_000 + "]" * 100_000, "text frames must be JSON messages"),
        ('{"type": "audio_chunk", "data": {"chunk": NaN}}', "text frames must be JSON messages"),
        ('{"type": "end_session"}', "unknown message type 'end_session'"),
        (json.dumps({"type": "é" * 200}), "unknown message type '" + "é" * 50),
    ],
)
async def test_unreadable_text_frames_close_with_1003(server: LocalGladiaServer, frame: str, reason: str) -> None:
    created = await _created(server)
    async with websockets.connect(created["url"]) as ws:
        await ws.send(frame)
        received = await read_all(ws)
    assert received.close_code == 1003
    assert received.close_reason.startswith(reason)
    assert len(received.close_reason.encode()) <= 123
    assert server.job(created["id"])["status"] == "processing"  # the session goes on; reconnect to continue


MESSAGE_FLAGS = {
    "receive_partial_transcripts": {"transcript-partial"},
    "receive_final_transcripts": {"transcript-final"},
    "receive_speech_events": {"speech_start", "speech_end"},
    "receive_realtime_processing_events": {"translation", "named_entity_recognition", "sentiment_analysis"},
    "receive_post_processing_events": {
        "post_transcript",
        "post_final_transcript",
        "post_summarization",
        "post_chapterization",
    },
    "receive_acknowledgments": {"audio_chunk", "stop_recording"},
    "receive_lifecycle_events": {"start_session", "start_recording", "end_recording", "end_session"},
}


def _kinds(received: Received) -> set[str]:
    kinds = set()
    for message in received.messages:
        kind = message["type"]
        if kind == "transcript":
            kind += "-final" if message["data"]["is_final"] else "-partial"
        kinds.add(kind)
    return kinds


@pytest.mark.parametrize("flag", sorted(MESSAGE_FLAGS))
async def test_messages_config_decides_what_is_sent(server: LocalGladiaServer, flag: str) -> None:
    every_feature = {
        "realtime_processing": {
            "translation": True,
            "translation_config": {"target_languages": ["es"]},
            "named_entity_recognition": True,
            "sentiment_analysis": True,
        },
        "post_processing": {"summarization": True, "chapterization": True},
    }
    everything = set().union(*MESSAGE_FLAGS.values())
    created = await _created(server, messages_config={name: name == flag for name in MESSAGE_FLAGS}, **every_feature)
    only = await run_session(created["url"], frames(speech_pattern()))
    assert _kinds(only) == MESSAGE_FLAGS[flag]
    assert only.close_code == 1000

    created = await _created(server, messages_config={name: name != flag for name in MESSAGE_FLAGS}, **every_feature)
    without = await run_session(created["url"], frames(speech_pattern()))
    assert _kinds(without) == everything - MESSAGE_FLAGS[flag]


async def test_add_on_messages_only_for_requested_add_ons(server: LocalGladiaServer) -> None:
    created = await _created(
        server, realtime_processing={"sentiment_analysis": True}, post_processing={"summarization": True}
    )
    received = await run_session(created["url"], frames(speech_pattern()))
    kinds = set(received.kinds)
    assert {"sentiment_analysis", "post_summarization"} <= kinds
    assert not kinds & {"translation", "named_entity_recognition", "post_chapterization"}
    result = server.job(created["id"])["result"]
    assert "sentiment_analysis" in result
    assert "summarization" in result
    assert not {"translation", "named_entity_recognition", "chapterization"} & set(result)


async def test_transcripts_read_the_configured_script(server: LocalGladiaServer) -> None:
    with LocalGladiaServer(api_key=API_KEY, transcript_script=["one two", "three"]) as scripted:
        created = await _created(scripted)
        # Three utterances of 0.6 s: two words each, read in order from the script, cycling.
        audio = b"".join(silence(0.5) + tone(0.6) for _ in range(3)) + silence(0.5)
        received = await run_session(created["url"], frames(audio))
    texts = [m["data"]["utterance"]["text"] for m in received.of("transcript") if m["data"]["is_final"]]
    assert texts == ["one two", "three one", "two three"]


async def test_custom_spelling_and_language_apply_to_words(server: LocalGladiaServer) -> None:
    created = await _created(
        server,
        language_config={"languages": ["fr"]},
        realtime_processing={
            "custom_spelling": True,
            "custom_spelling_config": {"spelling_dictionary": {"HELLO": ["hello"]}},
        },
    )
    received = await run_session(created["url"], frames(silence(0.2) + tone(1.0) + silence(0.3)))
    (final,) = [m["data"]["utterance"] for m in received.of("transcript") if m["data"]["is_final"]]
    assert final["language"] == "fr"
    assert final["text"].startswith("HELLO and")


async def test_idle_session_ends_by_itself() -> None:
    with LocalGladiaServer(api_key=API_KEY, idle_timeout=0.3) as server:
        spoken = await _created(server)
        async with websockets.connect(spoken["url"]) as ws:
            await ws.send(tone(0.5))
            received = await read_all(ws)  # no stop_recording: the server ends the idle session
        assert received.close_code == 1000
        assert server.job(spoken["id"])["status"] == "done"

        mute = await _created(server)
        async with websockets.connect(mute["url"]) as ws:
            assert (await read_all(ws)).close_code == 1000
        job = server.job(mute["id"])
        assert (job["status"], job["error_code"], job["result"], job["file"]) == ("error", 408, None, None)
        assert schema_errors("StreamingResponse", job) == []


async def test_recording_stops_at_the_maximum_duration() -> None:
    with LocalGladiaServer(api_key=API_KEY, max_duration=1.0) as server:
        created = await _created(server, messages_config={"receive_lifecycle_events": True})
        audio = speech_pattern()
        async with websockets.connect(created["url"]) as ws:
            for chunk in frames(audio[: 2 * 32000], 4000):  # 2 s of audio offered in 125 ms frames
                await ws.send(chunk)
            received = await read_all(ws)
        assert received.close_code == 1000
        assert received.of("end_recording")[0]["data"]["recording_duration"] == 1.0
        assert received.of("audio_chunk")[-1]["data"]["byte_range"][1] == 32000
        assert server.committed_audio(created["id"]) == audio[:32000]
        assert server.job(created["id"])["status"] == "done"


async def test_processing_delay_keeps_the_job_processing(server: LocalGladiaServer) -> None:
    with LocalGladiaServer(api_key=API_KEY, processing_delay=3600) as slow:
        created = await _created(slow)
        async with websockets.connect(created["url"]) as ws:
            await ws.send(tone(0.3))
            await ws.send(json.dumps({"type": "stop_recording"}))
            received = Received()
            await read_until(ws, received, lambda m: m["type"] == "stop_recording")
            assert slow.job(created["id"])["status"] == "processing"


async def test_multichannel_audio_is_detected_per_channel(server: LocalGladiaServer) -> None:
    created = await _created(server, channels=2, sample_rate=8000)
    left_only = b"".join(
        left + right
        for left, right in zip(
            frames(silence(0.5, rate=8000) + tone(1.0, rate=8000) + silence(0.5, rate=8000), 2),
            frames(silence(2.0, rate=8000), 2),
            strict=True,
        )
    )
    received = await run_session(created["url"], frames(left_only, 3200))
    starts = [(m["data"]["channel"], m["data"]["time"]) for m in received.of("speech_start")]
    assert starts == [(0, 0.5)]
    finals = [m["data"]["utterance"] for m in received.of("transcript") if m["data"]["is_final"]]
    assert [(u["channel"], u["start"], u["end"]) for u in finals] == [(0, 0.5, 1.5)]
    assert server.job(created["id"])["file"]["number_of_channels"] == 2


STOP_THEN_CLOSE_RUNS = 100


async def test_stop_recording_followed_at_once_by_a_close_ends_the_job_within_a_second() -> None:
    """Last audio, stop_recording, close at once (no waiting for anything): the job is done within 1 s, 100/100.

    The acknowledgements the server sends after the client's close cannot be delivered; the stop already
    queued behind the audio must still end the session, not wait for the idle timeout (here 60 s).
    """
    audio = frames(speech_pattern()[: 5 * FRAME])
    server = LocalGladiaServer(api_key=API_KEY, idle_timeout=60)
    async with server, httpx.AsyncClient(base_url=server.base_url, headers={"x-gladia-key": API_KEY}) as http:

        async def one() -> float:
            created = await init_session(http, messages_config={"receive_acknowledgments": True})
            async with websockets.connect(created["url"]) as ws:
                for chunk in audio:
                    await ws.send(chunk)
                await ws.send(json.dumps({"type": "stop_recording"}))
            closed = time.monotonic()
            while time.monotonic() - closed < 1.0:
                if server.job(created["id"])["status"] == "done":
                    return time.monotonic() - closed
                await asyncio.sleep(0.01)
            return math.inf

        waits = await asyncio.gather(*(one() for _ in range(STOP_THEN_CLOSE_RUNS)))
    late = [wait for wait in waits if wait > 1.0]
    assert late == [], f"{len(late)} of {STOP_THEN_CLOSE_RUNS} jobs were not done within 1 s of the close"
    print(f"\nstop then close: {STOP_THEN_CLOSE_RUNS}/{STOP_THEN_CLOSE_RUNS} done, slowest {max(waits):.3f} s")


def test_an_older_connection_stays_stale_once_the_newer_one_is_gone() -> None:
    """A connection whose peer vanished may still hold frames received before the cut. Once a newer connection
    was accepted they are never acted on, even after that newer one lost its peer too (the session then has
    no active connection): committing them after the newer connection's audio would reorder the recording."""
    from types import SimpleNamespace

    from gladia_live_client.testing._websocket import Connection

    session: Any = SimpleNamespace(connections=1, active=None, ending=False)
    older = Connection(None, session, None, None)  # type: ignore[arg-type]
    assert not older.stale
    session.connections += 1
    newer = Connection(None, session, None, None)  # type: ignore[arg-type]
    session.active = newer
    assert older.stale
    assert not newer.stale
    session.active = None  # the newer connection's sends failed: it no longer carries the session
    assert older.stale
    asyncio.run(older.on_audio(bytes(3200)))  # ignored: it would fail on the missing context otherwise
    assert older.received == 0
