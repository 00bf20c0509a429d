"""`GladiaLive.live()` / `AsyncGladiaLive.live()` and `attach_live()` against the local server."""

from __future__ import annotations

from typing import Any

from gladia_live_client import AsyncGladiaLive, AsyncLiveSession, AudioFormat, GladiaLive, LiveSession, LiveState
from gladia_live_client.models import EndSessionMessage, MessagesConfig, StreamingRequest

from .conftest import fast_options, speechlike


def test_live_creates_a_session_with_acknowledgements_and_streams_it(server: Any) -> None:
    audio = speechlike(1.0, seed=20)
    request = StreamingRequest(
        messages_config=MessagesConfig(receive_acknowledgments=False, receive_lifecycle_events=True)
    )
    with GladiaLive(api_key=server.api_key, base_url=server.base_url) as gladia:
        before = server.sessions_created()
        with gladia.live(request, options=fast_options()) as session:
            assert isinstance(session, LiveSession)
            session.send_audio(audio)
            session.stop_recording()
            messages = list(session)
        job = gladia.get_job(session.session_id or "")
    assert server.sessions_created() == before + 1
    assert request.messages_config.receive_acknowledgments is False  # the caller's request is untouched
    assert job.request_params.messages_config.receive_acknowledgments is True  # type: ignore[union-attr]
    assert isinstance(messages[-1], EndSessionMessage)
    assert server.committed_audio(session.session_id) == audio
    assert session.state is LiveState.CLOSED


def test_attach_live_reads_the_format_from_the_job_without_a_new_post(server: Any) -> None:
    audio = speechlike(0.5, seed=21, rate=8000)
    request = {"sample_rate": 8000, "messages_config": {"receive_lifecycle_events": True}}
    with GladiaLive(api_key=server.api_key, base_url=server.base_url) as gladia:
        init = gladia.init_session(request)
        created, gets = server.sessions_created(), server.request_count("get_job")
        with gladia.attach_live(init, options=fast_options()) as session:
            assert session.audio_format == AudioFormat(sample_rate=8000)
            assert session.session_id == str(init.id)
            session.send_audio(audio)
        assert server.sessions_created() == created
        assert server.request_count("get_job") == gets + 1
    assert server.committed_audio(str(init.id)) == audio


async def test_async_live_and_attach(server: Any) -> None:
    audio = speechlike(1.0, seed=22)
    async with AsyncGladiaLive(api_key=server.api_key, base_url=server.base_url) as gladia:
        async with await gladia.live(
            {"messages_config": {"receive_lifecycle_events": True}}, options=fast_options()
        ) as session:
            assert isinstance(session, AsyncLiveSession)
            await session.send_audio(audio)
            await session.stop_recording()
            messages = [message async for message in session]
        assert isinstance(messages[-1], EndSessionMessage)
        assert server.committed_audio(session.session_id) == audio

        init = await gladia.init_session({})
        async with await gladia.attach_live(init, AudioFormat(), options=fast_options()) as attached:
            await attached.send_audio(audio)
        assert server.committed_audio(str(init.id)) == audio
