"""Live sessions end to end against the local server over loopback: messages, files, buffering, secrets."""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import wave
from typing import Any

import pytest

from gladia_live_client import (
    AsyncLiveSession,
    AudioFormatError,
    GenericMessage,
    LiveError,
    LiveHandshakeRejected,
    LiveMessage,
    LiveSession,
    LiveState,
    LiveStateError,
)
from gladia_live_client._live._messages import SERVER_MESSAGE_MODELS
from gladia_live_client.models import EndSessionMessage, PostFinalTranscriptMessage, TranscriptMessage

from .conftest import create_session, fast_options, session_request, speechlike

EVERYTHING = {
    "messages_config": {
        "receive_partial_transcripts": True,
        "receive_final_transcripts": True,
        "receive_speech_events": True,
        "receive_pre_processing_events": True,
        "receive_realtime_processing_events": True,
        "receive_post_processing_events": True,
        "receive_acknowledgments": True,
        "receive_errors": True,
        "receive_lifecycle_events": True,
    },
    "realtime_processing": {
        "translation": True,
        "translation_config": {"target_languages": ["fr"]},
        "named_entity_recognition": True,
        "sentiment_analysis": True,
    },
    "post_processing": {"summarization": True, "chapterization": True},
}


def wav_bytes(pcm: bytes, rate: int = 16000, channels: int = 1) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(pcm)
    return out.getvalue()


def check_every_kind(messages: list[LiveMessage]) -> None:
    kinds = {type(message).__name__ for message in messages}
    untyped = [message for message in messages if isinstance(message, GenericMessage)]
    assert untyped == []
    assert kinds == {model.__self__.__name__ for model in SERVER_MESSAGE_MODELS.values()}  # type: ignore[attr-defined]
    assert isinstance(messages[-1], EndSessionMessage)


def test_a_clean_session_yields_every_message_kind_typed(server: Any) -> None:
    audio = speechlike(3.0, seed=1)
    init = create_session(server, session_request(**EVERYTHING))
    with LiveSession.from_init_response(init, session_request(), options=fast_options(include_acks=True)) as session:
        session.send_file(io.BytesIO(wav_bytes(audio)))
        session.stop_recording()
        messages = list(session)
    check_every_kind(messages)
    assert session.state is LiveState.CLOSED
    assert server.committed_audio(str(init.id)) == audio
    assert session.bytes_acknowledged == session.bytes_sent == len(audio)


async def test_a_clean_async_session_yields_every_message_kind_typed(server: Any) -> None:
    audio = speechlike(3.0, seed=2)
    init = await asyncio.to_thread(create_session, server, session_request(**EVERYTHING))
    options = fast_options(include_acks=True)
    async with AsyncLiveSession.from_init_response(init, session_request(), options=options) as session:
        await session.send_file(io.BytesIO(wav_bytes(audio)))
        await session.stop_recording()
        messages = [message async for message in session]
    check_every_kind(messages)
    assert server.committed_audio(str(init.id)) == audio


def test_helpers_give_transcripts_finals_and_the_final_result(server: Any) -> None:
    audio = speechlike(3.0, seed=3)
    request = session_request(messages_config={"receive_partial_transcripts": True, "receive_acknowledgments": True})
    init = create_session(server, request)
    with LiveSession.from_init_response(init, request, options=fast_options()) as session:
        session.send_audio(audio)
        result = session.final_result()  # stops the recording, reads to the end
    assert isinstance(result, PostFinalTranscriptMessage)
    assert result.data.transcription is not None

    init = create_session(server, request)
    with LiveSession.from_init_response(init, request, options=fast_options()) as session:
        session.send_audio(audio)
        session.stop_recording()
        transcripts = list(session.transcripts())
    assert transcripts
    assert all(isinstance(message, TranscriptMessage) for message in transcripts)
    assert any(not message.data.is_final for message in transcripts)  # partials were requested

    init = create_session(server, request)
    with LiveSession.from_init_response(init, request, options=fast_options()) as session:
        session.send_audio(audio)
        session.stop_recording()
        finals = list(session.final_transcripts())
    assert finals
    assert all(message.data.is_final for message in finals)


async def test_async_helpers(server: Any) -> None:
    audio = speechlike(2.0, seed=4)
    request = session_request()
    init = await asyncio.to_thread(create_session, server, request)
    async with AsyncLiveSession.from_init_response(init, request, options=fast_options()) as session:
        await session.send_audio(audio)
        await session.stop_recording()
        finals = [message async for message in session.final_transcripts()]
    assert finals
    assert all(message.data.is_final for message in finals)
    init = await asyncio.to_thread(create_session, server, request)
    async with AsyncLiveSession.from_init_response(init, request, options=fast_options()) as session:
        await session.send_audio(audio)
        result = await session.final_result()
    assert isinstance(result, PostFinalTranscriptMessage)


def test_audio_sent_before_the_socket_opens_is_buffered_and_attaching_makes_no_new_session(server: Any) -> None:
    audio = speechlike(1.0, seed=5)
    init = create_session(server)
    created = server.sessions_created()
    session = LiveSession.from_init_response(init, session_request(), options=fast_options())
    assert session.state is LiveState.CONNECTING
    assert server.websocket_connections(str(init.id)) == 0
    session.send_audio(audio[:10_000])  # starts connecting; the audio waits in the buffer meanwhile
    session.send_audio(audio[10_000:])
    session.close()
    assert server.committed_audio(str(init.id)) == audio
    assert server.sessions_created() == created  # attached to the existing session: no new POST


def test_a_wav_that_does_not_match_the_session_sends_nothing(server: Any, tmp_path: Any) -> None:
    path = tmp_path / "stereo44k.wav"
    path.write_bytes(wav_bytes(bytes(44100 * 4), rate=44100, channels=2))
    init = create_session(server)
    with LiveSession.from_init_response(init, session_request(), options=fast_options()) as session:
        with pytest.raises(AudioFormatError, match="sample rate 44100 != 16000, channels 2 != 1"):
            session.send_file(path)
        assert session.stats.audio_bytes == 0
    assert server.committed_audio(str(init.id)) == b""


def test_raw_files_and_realtime_pacing(server: Any, tmp_path: Any) -> None:
    audio = speechlike(0.5, seed=6)
    path = tmp_path / "speech.raw"
    path.write_bytes(audio)
    init = create_session(server)
    with LiveSession.from_init_response(init, session_request(), options=fast_options()) as session:
        assert session.send_file(path, realtime=True) == len(audio)
    assert hashlib.sha256(server.committed_audio(str(init.id))).digest() == hashlib.sha256(audio).digest()


def test_a_generator_like_a_microphone(server: Any) -> None:
    audio = speechlike(1.0, seed=7)

    def microphone() -> Any:
        for start in range(0, len(audio), 640):  # 20 ms blocks, as a sound card delivers them
            yield audio[start : start + 640]

    init = create_session(server)
    with LiveSession.from_init_response(init, session_request(), options=fast_options()) as session:
        assert session.send_stream(microphone()) == len(audio)
    assert server.committed_audio(str(init.id)) == audio


async def test_an_async_generator_like_a_microphone(server: Any) -> None:
    audio = speechlike(1.0, seed=8)

    async def microphone() -> Any:
        for start in range(0, len(audio), 640):
            yield audio[start : start + 640]
            await asyncio.sleep(0)

    init = await asyncio.to_thread(create_session, server)
    async with AsyncLiveSession.from_init_response(init, session_request(), options=fast_options()) as session:
        assert await session.send_stream(microphone()) == len(audio)
    assert server.committed_audio(str(init.id)) == audio


def test_the_url_token_never_shows_in_logs_repr_or_errors(server: Any, caplog: pytest.LogCaptureFixture) -> None:
    init = create_session(server)
    token = init.url.split("token=", 1)[1]
    server.faults.ws_drop_after(5000, close_code=1011)
    with caplog.at_level(logging.DEBUG):
        session = LiveSession.from_init_response(init, session_request(), options=fast_options())
        with session:
            session.send_audio(speechlike(1.0, seed=9))
            text = repr(session) + str(session.url)
        server.faults.ws_refuse_handshake()
        refused = LiveSession.from_init_response(init, session_request(), options=fast_options())
        with pytest.raises(LiveHandshakeRejected) as caught:
            refused.close()
    assert session.reconnections == 1
    assert "token=***" in text
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "GET /v2/live?token=***" in logged  # websockets' own DEBUG line, masked
    for place in (text, logged, str(caught.value), repr(caught.value)):
        assert token not in place


def test_an_exception_in_the_block_aborts_without_stopping_the_recording(server: Any) -> None:
    init = create_session(server)
    session = LiveSession.from_init_response(init, session_request(), options=fast_options())
    with pytest.raises(RuntimeError, match="caller failed"), session:  # noqa: PT012 -- the block is the subject
        session.send_audio(speechlike(0.5, seed=40))
        raise RuntimeError("caller failed")
    assert session.state is LiveState.CLOSED
    assert session.stats.stops_sent == 0
    with pytest.raises(LiveStateError):
        session.send_audio(b"\x00\x00")
    assert server.job(str(init.id))["status"] != "done"  # not ended: the caller may attach again


async def test_async_abort(server: Any) -> None:
    init = await asyncio.to_thread(create_session, server)
    session = AsyncLiveSession.from_init_response(init, session_request(), options=fast_options())
    async with session:
        await session.send_audio(speechlike(0.5, seed=41))
        await session.abort()
        assert session.state is LiveState.CLOSED
        messages = [message async for message in session]  # what arrived before the abort; no error
    assert not any(isinstance(message, EndSessionMessage) for message in messages)
    assert session.stats.stops_sent == 0
    with pytest.raises(LiveStateError):
        await session.send_audio(b"\x00\x00")


def test_a_bug_in_the_sync_shell_surfaces_as_a_masked_live_error(server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    init = create_session(server)
    token = init.url.split("token=", 1)[1]
    hooked: list[Any] = []
    monkeypatch.setattr("threading.excepthook", hooked.append)

    def broken(self: Any, ws: Any) -> Any:
        raise RuntimeError(f"bug while talking to {init.url}")

    monkeypatch.setattr(LiveSession, "_run_connection", broken)
    session = LiveSession.from_init_response(init, session_request(), options=fast_options())
    session.send_audio(speechlike(0.2, seed=9))
    with pytest.raises(LiveError, match="failed unexpectedly: RuntimeError") as caught:
        session.close()
    assert token not in str(caught.value)
    assert hooked == [], "the worker thread must not die with an unhandled exception"
