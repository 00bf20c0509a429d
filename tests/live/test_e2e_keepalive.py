"""Keepalives keep a silent caller's session alive past the server's idle timeout, without touching the audio."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from gladia_live_client import LiveSession, LiveState, LiveStateError
from gladia_live_client.models import EndSessionMessage
from gladia_live_client.testing import LocalGladiaServer

from .conftest import create_session, fast_options, session_request, speechlike

IDLE_TIMEOUT = 0.8


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    """A local server whose sessions end after IDLE_TIMEOUT seconds without audio."""
    with LocalGladiaServer(idle_timeout=IDLE_TIMEOUT) as running:
        yield running


def test_keepalives_carry_a_session_over_a_pause_longer_than_the_idle_timeout(server: Any) -> None:
    audio = speechlike(1.0, seed=30)
    init = create_session(server)
    with LiveSession.from_init_response(
        init, session_request(), options=fast_options(keepalive_interval=0.1)
    ) as session:
        session.send_audio(audio[:16_000])
        time.sleep(2 * IDLE_TIMEOUT)  # the caller has nothing to send for a while (not a synchronisation)
        assert session.state is LiveState.OPEN
        session.send_audio(audio[16_000:])
        session.stop_recording()
        messages = list(session)
    assert session.stats.keepalives_sent >= 1
    assert isinstance(messages[-1], EndSessionMessage)
    assert server.committed_audio(str(init.id)) == audio  # keepalives added no audio


def test_without_keepalives_the_server_ends_an_idle_session(server: Any) -> None:
    audio = speechlike(1.0, seed=31)
    init = create_session(server)
    with LiveSession.from_init_response(
        init, session_request(), options=fast_options(keepalive_interval=None)
    ) as session:
        session.send_audio(audio[:16_000])
        messages = list(session)  # ends when the server gives up on the idle session
        with pytest.raises(LiveStateError):
            session.send_audio(audio[16_000:])
    assert isinstance(messages[-1], EndSessionMessage)
    assert session.stats.keepalives_sent == 0
    assert server.committed_audio(str(init.id)) == audio[:16_000]
