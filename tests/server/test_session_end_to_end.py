"""A whole live session over real loopback HTTP and WebSocket, with httpx and `websockets` only."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
import websockets

from gladia_live_client.testing import LocalGladiaServer

from .conftest import (
    API_KEY,
    FRAME,
    assert_conforms,
    frames,
    init_session,
    parse_wav,
    read_all,
    run_session,
    speech_pattern,
)

ALL_FEATURES = {
    "custom_metadata": {"user": "e2e"},
    "messages_config": {"receive_partial_transcripts": True, "receive_lifecycle_events": True},
    "realtime_processing": {
        "translation": True,
        "translation_config": {"target_languages": ["fr", "wo"]},
        "named_entity_recognition": True,
        "sentiment_analysis": True,
    },
    "post_processing": {"summarization": True, "chapterization": True},
}


async def test_full_session_end_to_end(server: LocalGladiaServer) -> None:
    audio = speech_pattern()
    async with httpx.AsyncClient(base_url=server.base_url, headers={"x-gladia-key": API_KEY}) as http:
        response = await http.post("/v2/live", json=ALL_FEATURES)
        created = assert_conforms("init_session", response)
        assert created["url"].startswith(f"ws://{server.base_url.removeprefix('http://')}/v2/live?token=")
        queued = assert_conforms("get_job", await http.get(f"/v2/live/{created['id']}"))
        assert queued["status"] == "queued"
        assert queued["result"] is None

        # Half the audio as binary frames, half as JSON audio_chunk frames.
        async with websockets.connect(created["url"]) as ws:
            for index, chunk in enumerate(frames(audio)):
                if index % 2:
                    await ws.send(chunk)
                else:
                    encoded = base64.b64encode(chunk).decode()
                    await ws.send(json.dumps({"type": "audio_chunk", "data": {"chunk": encoded}}))
            await ws.send(json.dumps({"type": "stop_recording"}))
            received = await read_all(ws)

        assert received.close_code == 1000
        # Acknowledgements cover the audio exactly, contiguously, in absolute offsets and seconds.
        acks = [message["data"] for message in received.of("audio_chunk")]
        assert [ack["byte_range"] for ack in acks] == [
            [o, o + len(c)] for o, c in zip(range(0, len(audio), FRAME), frames(audio), strict=True)
        ]
        assert acks[-1]["time_range"] == [4.9, 5.0]
        # The lifecycle and the order the protocol promises.
        kinds = received.kinds
        assert kinds[:2] == ["start_session", "start_recording"]
        stop = kinds.index("stop_recording")
        assert kinds[stop + 1 :] == [
            "post_transcript",
            "post_summarization",
            "post_chapterization",
            "post_final_transcript",
            "end_recording",
            "end_session",
        ]
        assert received.of("stop_recording")[0]["data"]["recording_duration"] == 5.0
        # Speech events follow the tones of the audio: 1.0-2.5 s and 3.5-4.5 s.
        speech = [(m["type"], m["data"]["time"]) for m in received.messages if m["type"].startswith("speech_")]
        assert speech == [("speech_start", 1.0), ("speech_end", 2.5), ("speech_start", 3.5), ("speech_end", 4.5)]
        finals = [m["data"] for m in received.of("transcript") if m["data"]["is_final"]]
        partials = [m["data"] for m in received.of("transcript") if not m["data"]["is_final"]]
        assert [(f["utterance"]["start"], f["utterance"]["end"]) for f in finals] == [(1.0, 2.5), (3.5, 4.5)]
        assert partials
        assert {p["id"] for p in partials} <= {f["id"] for f in finals}
        for final in finals:
            words = final["utterance"]["words"]
            assert final["utterance"]["text"] == " ".join(word["word"] for word in words)
            assert words[0]["start"] == final["utterance"]["start"]
            assert words[-1]["end"] == final["utterance"]["end"]
        # One message per final utterance and add-on (translation: one per target language).
        assert len(received.of("translation")) == 2 * len(finals)
        assert len(received.of("named_entity_recognition")) == len(finals)
        assert len(received.of("sentiment_analysis")) == len(finals)

        job = assert_conforms("get_job", await http.get(f"/v2/live/{created['id']}"))
        assert job["status"] == "done"
        assert job["completed_at"] is not None
        assert job["custom_metadata"] == {"user": "e2e"}
        assert job["file"]["audio_duration"] == 5.0
        assert job["file"]["number_of_channels"] == 1
        result = job["result"]
        assert [u["text"] for u in result["transcription"]["utterances"]] == [f["utterance"]["text"] for f in finals]
        assert result["transcription"]["full_transcript"] == " ".join(f["utterance"]["text"] for f in finals)
        assert set(result) >= {
            "translation",
            "named_entity_recognition",
            "sentiment_analysis",
            "summarization",
            "chapterization",
        }
        assert [t["languages"] for t in result["translation"]["results"]] == [["fr"], ["wo"]]
        assert result["metadata"]["audio_duration"] == 5.0
        sent = [json.loads(text) for text in result["messages"]]
        assert [m["type"] for m in sent] == [k for k in kinds[:stop] if k != "audio_chunk"]
        assert received.of("post_final_transcript")[0]["data"] == {k: v for k, v in result.items() if k != "messages"}
        assert job["request_params"]["realtime_processing"]["translation_config"]["target_languages"] == ["fr", "wo"]

        wav = await http.get(f"/v2/live/{created['id']}/file")
        assert wav.status_code == 200
        assert wav.headers["content-type"] == "application/octet-stream"
        fields, data = parse_wav(wav.content)
        assert fields == {"tag": 1, "channels": 1, "rate": 16000, "byte_rate": 32000, "block": 2, "bits": 16}
        assert data == audio
    assert server.committed_audio(created["id"]) == audio
    assert server.websocket_connections(created["id"]) == 1


async def test_job_lifecycle_seen_from_rest(server: LocalGladiaServer) -> None:
    async with httpx.AsyncClient(base_url=server.base_url, headers={"x-gladia-key": API_KEY}) as http:
        created = await init_session(http)
        job_url = f"/v2/live/{created['id']}"
        async with websockets.connect(created["url"]) as ws:
            await ws.send(speech_pattern()[:FRAME])
            # processing while the recording runs: a job that is not over cannot be deleted
            assert await ws.recv()
            assert server.job(created["id"])["status"] == "processing"
            forbidden = await http.delete(job_url)
            assert forbidden.status_code == 403
            assert assert_conforms("delete_job", forbidden)
            await ws.send(json.dumps({"type": "stop_recording"}))
            received = await read_all(ws)
        assert received.close_code == 1000
        assert server.job(created["id"])["status"] == "done"
        deleted = await http.delete(job_url)
        assert deleted.status_code == 202
        assert deleted.content == b""
        for method, path in (("GET", job_url), ("DELETE", job_url), ("GET", f"{job_url}/file"), ("PATCH", job_url)):
            gone = await http.request(method, path, json={} if method == "PATCH" else None)
            assert gone.status_code == 404, (method, path)
        listed = (await http.get("/v2/live")).json()
        assert created["id"] not in [item["id"] for item in listed["items"]]


async def test_reconnecting_to_a_finished_session_is_refused(server: LocalGladiaServer) -> None:
    async with httpx.AsyncClient(base_url=server.base_url, headers={"x-gladia-key": API_KEY}) as http:
        created = await init_session(http)
    received = await run_session(created["url"], frames(speech_pattern()))
    assert received.close_code == 1000
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(created["url"]):
            pass
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize(
    ("encoding", "bit_depth", "sample_rate", "channels", "tag"),
    [
        ("wav/pcm", 8, 8000, 1, 1),
        ("wav/pcm", 24, 48000, 2, 1),
        ("wav/pcm", 32, 44100, 3, 1),
        ("wav/alaw", 8, 8000, 1, 6),
        ("wav/ulaw", 8, 16000, 2, 7),
    ],
)
async def test_the_file_is_a_wav_of_the_committed_audio_in_its_format(
    server: LocalGladiaServer, encoding: str, bit_depth: int, sample_rate: int, channels: int, tag: int
) -> None:
    frame = bit_depth // 8 * channels
    audio = bytes(range(256)) * (frame * 40) + b"\x01" * frame  # an odd number of bytes for 8-bit mono
    async with httpx.AsyncClient(base_url=server.base_url, headers={"x-gladia-key": API_KEY}) as http:
        body = {"encoding": encoding, "bit_depth": bit_depth, "sample_rate": sample_rate, "channels": channels}
        created = await init_session(http, **body)
        received = await run_session(created["url"], frames(audio, 999 * frame))
        assert received.close_code == 1000
        wav = await http.get(f"/v2/live/{created['id']}/file")
    fields, data = parse_wav(wav.content)
    assert fields == {
        "tag": tag,
        "channels": channels,
        "rate": sample_rate,
        "byte_rate": sample_rate * frame,
        "block": frame,
        "bits": bit_depth,
    }
    assert data == audio
    assert int(wav.headers["content-length"]) == len(wav.content)
