"""The final result over REST: when the connection is lost after stop_recording with all audio acknowledged
and the server refuses the URL (403, or 4403 after accepting), sessions opened through the client fetch the
job's result and deliver it as `final_result()` does; a bare session raises with the hint, as before."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from gladia_live_client import (
    AsyncGladiaLive,
    AsyncLiveSession,
    GladiaLive,
    LiveHandshakeRejected,
    LiveOptions,
    LiveSession,
    LiveSessionClosed,
    LiveState,
    LiveStateError,
)
from gladia_live_client._live._audio import AudioFormat
from gladia_live_client._live._protocol import Fail, FetchResult, LiveProtocol
from gladia_live_client._live._websockets_adapter import sever, sever_async
from gladia_live_client.models import PostFinalTranscriptMessage, StopRecordingAckMessage
from gladia_live_client.testing import LocalGladiaServer

from ._model import ModelServer
from .conftest import fast_options, session_request, speechlike

AUDIO = speechlike(2.0)


@pytest.fixture(scope="module")
def slow_server() -> Iterator[LocalGladiaServer]:
    """Post-processing takes a second: long enough to cut the connection between the stop ack and the end."""
    with LocalGladiaServer(transcript_script=["hello", "world"], processing_delay=1.0) as running:
        yield running


def options() -> LiveOptions:
    return fast_options(include_acks=True, result_timeout=20.0)


def test_sync_session_fetches_the_final_result_over_rest(slow_server: LocalGladiaServer) -> None:
    with GladiaLive(api_key=slow_server.api_key, base_url=slow_server.base_url, timeout=10) as client:
        with client.live(session_request(), options=options()) as session:
            session.send_audio(AUDIO)
            session.stop_recording()
            for message in session:
                if isinstance(message, StopRecordingAckMessage):
                    break
            assert session._ws is not None
            sever(session._ws)  # the network cuts the connection while the server post-processes
            result = session.final_result()
        job = client.get_job(str(session.session_id))
    assert isinstance(result, PostFinalTranscriptMessage)
    assert session.stats.result_fetched
    assert session.state is LiveState.CLOSED
    assert job.result is not None
    assert result.data.to_dict() == {k: v for k, v in job.result.to_dict().items() if k != "messages"}  # type: ignore[union-attr]


def test_async_session_fetches_the_final_result_over_rest(slow_server: LocalGladiaServer) -> None:
    async def main() -> tuple[PostFinalTranscriptMessage, AsyncLiveSession]:
        async with AsyncGladiaLive(api_key=slow_server.api_key, base_url=slow_server.base_url, timeout=10) as client:
            session = await client.live(session_request(), options=options())
            async with session:
                await session.send_audio(AUDIO)
                await session.stop_recording()
                async for message in session:
                    if isinstance(message, StopRecordingAckMessage):
                        break
                assert session._ws is not None
                sever_async(session._ws)
                return await asyncio.wait_for(session.final_result(), 30), session

    result, session = asyncio.run(main())
    assert isinstance(result, PostFinalTranscriptMessage)
    assert session.stats.result_fetched


def test_a_bare_session_raises_with_the_hint(slow_server: LocalGladiaServer) -> None:
    with GladiaLive(api_key=slow_server.api_key, base_url=slow_server.base_url, timeout=10) as client:
        init = client.init_session(session_request())
    session = LiveSession.from_init_response(init, session_request(), options=options()).start()
    session.send_audio(AUDIO)
    session.stop_recording()
    for message in session:
        if isinstance(message, StopRecordingAckMessage):
            break
    assert session._ws is not None
    sever(session._ws)
    with pytest.raises(LiveHandshakeRejected, match="available from get_job"):
        session.final_result()
    assert not session.stats.result_fetched


def acknowledged_core(*, can_fetch: bool) -> LiveProtocol:
    core = LiveProtocol(AudioFormat(), LiveOptions(), session_id="s-1")
    core.can_fetch_result = can_fetch
    server = ModelServer()
    core.write(bytes(6400))
    core.stop_recording()
    core.connection_made(0.0)
    server.deliver(core.frames_to_send(0.0))
    for frame in server.ack(10):
        core.receive(frame)
    assert core.stop_acknowledged
    assert core.bytes_acknowledged == 6400
    return core


def test_4403_after_everything_was_acknowledged_asks_for_the_rest_result() -> None:
    assert isinstance(acknowledged_core(can_fetch=True).connection_lost(1.0, 4403, "finished"), FetchResult)
    action = acknowledged_core(can_fetch=False).connection_lost(1.0, 4403, "finished")
    assert isinstance(action, Fail)
    assert isinstance(action.error, LiveSessionClosed)
    assert "available from get_job" in str(action.error)


def test_unacknowledged_audio_is_never_replaced_by_the_rest_result_unchecked() -> None:
    """The result is fetched only after the recording proved complete (see test_e2e_rest_verify.py)."""
    core = LiveProtocol(AudioFormat(), LiveOptions(), session_id="s-1")
    core.can_fetch_result = True
    core.write(bytes(6400))
    core.stop_recording()
    core.connection_made(0.0)
    core.frames_to_send(0.0)  # sent, never acknowledged
    assert core.connection_lost(1.0, 4403, "") == FetchResult(verify=True)
    with pytest.raises(LiveStateError, match="before verify_recording"):
        core.result_fetched(object())  # type: ignore[arg-type]
