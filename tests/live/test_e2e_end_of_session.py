"""The end of a session tells the truth: `end_session` with audio the server never acknowledged is an error."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from gladia_live_client import AsyncLiveSession, LiveSession, LiveSessionIncomplete, LiveState
from gladia_live_client.models import EndSessionMessage
from gladia_live_client.testing import LocalGladiaServer

from .conftest import create_session, fast_options, session_request, speechlike

ONE_SECOND = 32_000  # bytes of 16 kHz 16-bit mono


@pytest.fixture(scope="module")
def short_server() -> Iterator[LocalGladiaServer]:
    """A server whose recordings end after half a second of audio: what comes after is never acknowledged."""
    with LocalGladiaServer(max_duration=0.5) as running:
        yield running


def test_end_session_with_unacknowledged_audio_raises_sync(short_server: LocalGladiaServer) -> None:
    init = create_session(short_server)
    session = LiveSession.from_init_response(init, session_request(), options=fast_options())
    session.send_audio(speechlike(1.0))
    with pytest.raises(LiveSessionIncomplete) as raised:
        session.close(timeout=10)
    assert raised.value.unacknowledged_bytes == ONE_SECOND // 2
    assert raised.value.bytes_acknowledged == ONE_SECOND // 2
    assert session.state is LiveState.FAILED
    messages = []
    with pytest.raises(LiveSessionIncomplete):
        messages.extend(session)  # every message is still delivered, then the error
    assert isinstance(messages[-1], EndSessionMessage)


def test_end_session_with_unacknowledged_audio_raises_async(short_server: LocalGladiaServer) -> None:
    async def main() -> LiveSessionIncomplete:
        init = create_session(short_server)
        session = AsyncLiveSession.from_init_response(init, session_request(), options=fast_options())
        await session.send_audio(speechlike(1.0))
        try:
            await asyncio.wait_for(session.close(), 10)
        except LiveSessionIncomplete as error:
            return error
        raise AssertionError("close() did not raise")

    error = asyncio.run(main())
    assert error.unacknowledged_bytes == ONE_SECOND // 2
