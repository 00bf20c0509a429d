"""The final result over REST when the acknowledgements were lost: checked against the server's recording.

A cut in both directions right after `stop_recording` reached the server loses the acknowledgements of the
last audio and of the stop, while the server commits everything and ends the session; the client's
reconnection is then refused (403). A session opened through the client fetches the job and delivers its
result only once the recording's length (the WAV header of `GET /v2/live/{id}/file`) proves that the server
has every byte; otherwise it fails with `LiveSessionIncomplete`, saying how many bytes are missing.
"""

from __future__ import annotations

import asyncio
import struct
import time
from collections.abc import Iterator
from typing import Any

import pytest

from gladia_live_client import (
    AsyncGladiaLive,
    AsyncLiveSession,
    GladiaLive,
    LiveError,
    LiveHandshakeRejected,
    LiveOptions,
    LiveSession,
    LiveSessionIncomplete,
    LiveState,
    LiveStateError,
)
from gladia_live_client._live._audio import AudioFormat
from gladia_live_client._live._protocol import Fail, FetchResult, LiveProtocol, Reconnect
from gladia_live_client._live._rest_result import RecordingHeader
from gladia_live_client.models import PostFinalTranscriptMessage
from gladia_live_client.testing import ChaosPlan, ConnectionInfo, Flow, LocalGladiaServer

from .conftest import fast_options, session_request, speechlike

AUDIO = speechlike(2.0)
# From 0.5 s after the proxy connected the WebSocket, nothing the server sends reaches the client (it piles up
# in the proxy); at 2.5 s both directions are cut. The session sends its audio and stop_recording in between:
# the server commits them and ends the session, and every acknowledgement is lost with the connection.
STALL_AT = 0.5
HOLD_BACK = ChaosPlan(down=Flow(stall_after_seconds=STALL_AT, cut_after_seconds=STALL_AT + 2.0))


class FirstWebSocket:
    """A proxy planner: the first WebSocket connection gets `plan`; REST and later connections pass."""

    def __init__(self, plan: ChaosPlan) -> None:
        self._plan: ChaosPlan | None = plan

    def __call__(self, info: ConnectionInfo) -> ChaosPlan | None:
        if b"token=" not in info.head.split(b"\r\n", 1)[0]:
            return None
        plan, self._plan = self._plan, None
        return plan


@pytest.fixture
def cut_server() -> Iterator[LocalGladiaServer]:
    with LocalGladiaServer(network_faults=True, transcript_script=["hello", "world"]) as running:
        assert running.proxy is not None
        running.proxy.set_planner(FirstWebSocket(HOLD_BACK))
        yield running


def options() -> LiveOptions:
    return fast_options(result_timeout=20.0)


def check_recovered(server: LocalGladiaServer, session: Any, result: PostFinalTranscriptMessage, job: Any) -> None:
    assert server.committed_audio(str(session.session_id)) == AUDIO
    assert isinstance(result, PostFinalTranscriptMessage)
    assert result.data.to_dict() == {k: v for k, v in job.result.to_dict().items() if k != "messages"}
    stats = session.stats
    assert stats.result_fetched
    assert stats.state is LiveState.CLOSED
    assert stats.bytes_acknowledged == len(AUDIO)
    assert stats.bytes_recovered == len(AUDIO)  # every acknowledgement was lost
    assert stats.bytes_duplicated == 0
    assert stats.bytes_buffered == 0


def test_sync_session_checks_the_recording_and_delivers_the_result(cut_server: LocalGladiaServer) -> None:
    server = cut_server
    with GladiaLive(api_key=server.api_key, base_url=server.base_url, timeout=10) as client:
        with client.live(session_request(), options=options()) as session:
            deadline = time.monotonic() + 10
            while session.state is not LiveState.OPEN and time.monotonic() < deadline:
                time.sleep(0.01)
            assert session.state is LiveState.OPEN
            time.sleep(STALL_AT + 0.2)  # the server's messages are held back from now on
            session.send_audio(AUDIO)
            result = session.final_result()
        job = client.get_job(str(session.session_id))
    check_recovered(server, session, result, job)


def test_async_session_checks_the_recording_and_delivers_the_result(cut_server: LocalGladiaServer) -> None:
    server = cut_server

    async def main() -> tuple[AsyncLiveSession, PostFinalTranscriptMessage, Any]:
        async with AsyncGladiaLive(api_key=server.api_key, base_url=server.base_url, timeout=10) as client:
            session = await client.live(session_request(), options=options())
            async with session:
                async with asyncio.timeout(10):
                    while session.state is not LiveState.OPEN:
                        await asyncio.sleep(0.01)
                await asyncio.sleep(STALL_AT + 0.2)
                await session.send_audio(AUDIO)
                result = await asyncio.wait_for(session.final_result(), 30)
            return session, result, await client.get_job(str(session.session_id))

    session, result, job = asyncio.run(main())
    check_recovered(server, session, result, job)


def test_a_bare_session_still_raises(cut_server: LocalGladiaServer) -> None:
    """Without a REST client nothing can be checked: the refusal is the error it was."""
    server = cut_server
    with GladiaLive(api_key=server.api_key, base_url=server.base_url, timeout=10) as client:
        init = client.init_session(session_request())
    session = LiveSession.from_init_response(init, session_request(), options=options()).start()
    deadline = time.monotonic() + 10
    while session.state is not LiveState.OPEN and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(STALL_AT + 0.2)
    session.send_audio(AUDIO)
    with pytest.raises(LiveHandshakeRejected):
        session.final_result()
    assert server.committed_audio(str(init.id)) == AUDIO


# -- the core's rule ---------------------------------------------------------------------------------------


def cut_after_stop(*, lost_probes: int = 0, can_fetch: bool = True) -> LiveProtocol:
    """A core that sent 6400 bytes and stop_recording, heard nothing back, and was refused the connection
    (after `lost_probes` reconnections whose probe was cut off before its acknowledgement)."""
    core = LiveProtocol(AudioFormat(), fast_options(), session_id="s-1")
    core.can_fetch_result = can_fetch
    core.write(bytes(6400))
    core.stop_recording()
    core.connection_made(0.0)
    assert core.frames_to_send(0.0)[-1] == '{"type":"stop_recording"}'
    assert isinstance(core.connection_lost(1.0, None), Reconnect)
    for attempt in range(lost_probes):
        core.connection_made(2.0 + attempt)
        assert [bytes(frame) for frame in core.frames_to_send(2.0 + attempt)] == [bytes(2)]  # the probe
        assert isinstance(core.connection_lost(2.5 + attempt, None), Reconnect)
    return core


def refused(core: LiveProtocol) -> FetchResult:
    action = core.connection_failed(10.0, status=403)
    assert action == FetchResult(verify=True)
    return action


def test_a_recording_holding_every_byte_releases_the_buffer() -> None:
    core = cut_after_stop()
    refused(core)
    assert core.verify_recording(6400) is None
    core.result_fetched(object())  # type: ignore[arg-type]
    stats = core.stats()
    assert (stats.bytes_acknowledged, stats.bytes_buffered, stats.bytes_recovered) == (6400, 0, 6400)
    assert stats.bytes_duplicated == 0
    assert stats.result_fetched
    assert stats.state is LiveState.CLOSED


def test_a_short_recording_fails_with_the_missing_count() -> None:
    core = cut_after_stop()
    refused(core)
    failed = core.verify_recording(6400 - 960)
    assert isinstance(failed, Fail)
    error = failed.error
    assert isinstance(error, LiveSessionIncomplete)
    assert "lacks 960 bytes" in str(error)
    assert (error.unacknowledged_bytes, error.bytes_acknowledged) == (6400, 0)
    assert core.state is LiveState.FAILED
    assert core.error is error
    assert core.stats().bytes_recovered == 0
    with pytest.raises(LiveStateError):
        core.result_fetched(object())  # type: ignore[arg-type]


def test_a_recording_longer_than_the_audio_cannot_be_explained() -> None:
    core = cut_after_stop()
    refused(core)
    failed = core.verify_recording(6400 + 3200)
    assert isinstance(failed, Fail)
    assert isinstance(failed.error, LiveSessionIncomplete)
    assert "3200 bytes more" in str(failed.error)


def test_probes_cut_off_before_their_ack_are_assumed_in_the_recording() -> None:
    """As when a probe is answered: as many lost probes as fit are assumed in the recording, so a recording
    that could be one sample short (with the probe in it) is not taken for complete."""
    core = cut_after_stop(lost_probes=1)
    refused(core)
    assert core.verify_recording(6402) is None
    assert (core.stats().bytes_recovered, core.stats().bytes_duplicated) == (6400, 2)

    core = cut_after_stop(lost_probes=1)
    refused(core)
    failed = core.verify_recording(6400)
    assert isinstance(failed, Fail)
    assert "lacks 2 bytes" in str(failed.error)
    assert "1 probe samples" in str(failed.error)


def test_no_check_without_a_rest_client_or_a_stop_sent() -> None:
    assert isinstance(cut_after_stop(can_fetch=False).connection_failed(10.0, status=403), Fail)
    core = LiveProtocol(AudioFormat(), fast_options(), session_id="s-1")
    core.can_fetch_result = True
    core.write(bytes(6400))
    core.connection_made(0.0)
    core.frames_to_send(0.0)
    core.stop_recording()  # requested, never sent
    assert isinstance(core.connection_lost(1.0, 4403, "finished"), Fail)


def test_a_4403_close_asks_for_the_check_too() -> None:
    core = cut_after_stop()
    core.connection_made(2.0)
    core.frames_to_send(2.0)  # the probe
    assert core.connection_lost(3.0, 4403, "finished") == FetchResult(verify=True)
    assert core.verify_recording(6402) is None  # the probe of the refused connection may be in it


def test_the_result_waits_for_the_check() -> None:
    core = cut_after_stop()
    refused(core)
    with pytest.raises(LiveStateError, match="verify_recording"):
        core.result_fetched(object())  # type: ignore[arg-type]
    with pytest.raises(LiveStateError):
        cut_after_stop().verify_recording(6400)  # no FetchResult(verify=True) asked for it


# -- the recording's header --------------------------------------------------------------------------------


def wav_header(data_size: int, *, rate: int = 16000, extra: bytes = b"") -> bytes:
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt + extra
    return (
        b"RIFF"
        + struct.pack("<I", 4 + len(chunks) + 8 + data_size)
        + b"WAVE"
        + chunks
        + b"data"
        + struct.pack("<I", data_size)
    )


def test_the_header_is_read_across_chunks_and_nothing_more_is_needed() -> None:
    header = RecordingHeader(AudioFormat())
    raw = wav_header(64000, extra=b"LIST" + struct.pack("<I", 6) + b"abcdef") + bytes(100)
    fed = [header.feed(raw[index : index + 7]) for index in range(0, len(raw), 7)]
    assert fed[-1] == 64000
    assert fed.index(64000) == (len(raw) - 100 - 1) // 7  # known with the chunk holding the size's last byte


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        (b"<html>gateway error</html>" + bytes(100_000), "not a RIFF/WAVE"),
        (wav_header(64000, rate=8000), "8000 Hz"),
        (wav_header(0), "does not give its length"),
    ],
)
def test_a_header_that_cannot_serve_is_an_error(raw: bytes, match: str) -> None:
    with pytest.raises(LiveError, match=match):
        RecordingHeader(AudioFormat()).feed(raw)


def test_a_download_ending_inside_the_header_is_an_error() -> None:
    header = RecordingHeader(AudioFormat())
    assert header.feed(wav_header(64000)[:30]) is None
    assert "ends after 30 bytes" in str(header.ended())


def test_a_look_before_the_job_is_done_fails_only_a_recording_that_cannot_be_complete() -> None:
    """Right after the refusal the shell looks once: a short recording fails at once (no audio reaches the
    server any more), a complete-looking one is checked again once the job is done."""
    core = cut_after_stop()
    refused(core)
    assert core.verify_recording(6400, done=False) is None
    assert core.stats().bytes_recovered == 0  # nothing released before the final check
    with pytest.raises(LiveStateError, match="before verify_recording"):
        core.result_fetched(object())  # type: ignore[arg-type]
    assert core.verify_recording(6400) is None
    assert core.stats().bytes_recovered == 6400

    core = cut_after_stop()
    core.connection_failed(10.0, status=403)
    failed = core.verify_recording(3200, done=False)
    assert isinstance(failed, Fail)
    assert isinstance(failed.error, LiveSessionIncomplete)
    assert str(failed.error).startswith(
        "the server refused the WebSocket handshake with HTTP 403 after stop_recording; its job is not done, but "
        "the server's recording of 3200 bytes lacks 3200 bytes"
    )
