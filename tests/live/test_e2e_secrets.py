"""Live sessions over loopback: a server closing with a reason that carries the session's token never shows it.

The local server is made to hand out tokens of 1, 3, 6 and 40 characters, then to close the WebSocket with a
reason quoting the token: once with 1011 (reconnected: a WARNING), then with a terminal 4401, or with 1011 and
no reconnection left. The token must not appear in any error (``str``, ``repr``, ``args``, ``close_reason``,
the printed traceback), in the session's ``repr`` or in any record captured at DEBUG on the root logger
(this package's, websockets', httpx's, httpcore's).
"""

from __future__ import annotations

import gc
import logging
import traceback
from collections.abc import Iterator
from typing import Any

import pytest

from gladia_live_client import (
    AsyncLiveSession,
    LiveConnectionError,
    LiveError,
    LiveOptions,
    LiveSession,
    LiveSessionClosed,
    ReconnectPolicy,
)
from gladia_live_client._redaction import MASK, known_secrets
from gladia_live_client.testing import _session

from .conftest import FAST_RECONNECT, create_session, fast_options, session_request, speechlike

# None of these occurs in the code's own text (type names, paths, traceback source lines).
TOKENS = ["Q", "Qz7", "Qz7-K9", "Qz7-K9aa-0123456789-abcdefghij-ABCDEFGHI"]
NO_RECONNECT = ReconnectPolicy(max_attempts=0, max_elapsed=5.0, initial_delay=0.005, max_delay=0.02)


@pytest.fixture(autouse=True)
def _secrets_released(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A session's token is masked while the session lives, not after: a short one must not mask later tests.

    The captured records go first: one holds the session's error, whose traceback holds the session.
    """
    yield
    caplog.get_records("call").clear()
    gc.collect()
    assert not set(TOKENS) & set(known_secrets())


def hand_out(monkeypatch: pytest.MonkeyPatch, token: str) -> None:
    """Make the in-process local server give the next sessions `token` as their WebSocket token."""
    original = _session.ServerSession.__init__

    def init(self: Any, **kwargs: Any) -> None:
        original(self, **kwargs)
        self.token = token

    monkeypatch.setattr(_session.ServerSession, "__init__", init)


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every record captured on the root logger (the in-process local server logs nothing), formatted."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


def assert_hidden(token: str, error: BaseException, *texts: str) -> None:
    shown = [str(error), repr(error), repr(error.args), "".join(traceback.format_exception(error))]
    shown += [repr(getattr(error, "close_reason", None)), *texts]
    for text in shown:
        assert token not in text, text


@pytest.mark.parametrize("token", TOKENS, ids=lambda token: f"token{len(token)}")
def test_a_close_reason_with_the_token_never_shows(
    server: Any, token: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    hand_out(monkeypatch, token)
    caplog.set_level(logging.DEBUG)
    init = create_session(server)
    assert init.url.endswith(f"token={token}")
    server.faults.ws_drop_after(6400, close_code=1011, reason=f"token {token} is being rotated")
    server.faults.ws_drop_after(3200, close_code=4401, reason=f"token {token} revoked")
    session = LiveSession.from_init_response(init, session_request(), options=fast_options())
    with pytest.raises(LiveSessionClosed) as caught, session:  # noqa: PT012 -- the session's life is the subject
        session.send_audio(speechlike(1.0, seed=3))
    error = caught.value
    assert error.close_code == 4401
    assert error.close_reason == f"token {MASK} revoked"
    records = logged(caplog)
    assert "connection lost (code 1011 (token *** is being rotated))" in records, "the WARNING was not emitted"
    assert "< CLOSE 4401" in records, "websockets' DEBUG lines were not captured"
    assert_hidden(token, error, records, repr(session), session.url, repr(session.error))
    del session, caught, error, init


@pytest.mark.parametrize("token", [TOKENS[0], TOKENS[-1]], ids=lambda token: f"token{len(token)}")
async def test_giving_up_reconnecting_never_shows_the_token(
    server: Any, token: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    hand_out(monkeypatch, token)
    caplog.set_level(logging.DEBUG)
    init = create_session(server)
    server.faults.ws_drop_after(3200, close_code=1011, reason=f"bad token={token}&again {token}")
    options = fast_options(reconnect=NO_RECONNECT)
    session = AsyncLiveSession.from_init_response(init, session_request(), options=options)
    with pytest.raises(LiveConnectionError) as caught:  # noqa: PT012 -- the session's whole life is the subject
        async with session:
            await session.send_audio(speechlike(1.0, seed=4))
    error = caught.value
    assert error.close_code == 1011
    assert "last failure: code 1011" in str(error)
    assert_hidden(token, error, logged(caplog), repr(session))
    del session, caught, error, init


def test_live_options_never_show_a_proxy_password() -> None:
    options = LiveOptions(proxy="http://someone:pr0xy-pw@proxy.example:3128", reconnect=FAST_RECONNECT)
    assert "pr0xy-pw" not in repr(options)
    assert "proxy.example:3128" in repr(options)
    assert "someone" not in repr(options)


def test_a_proxy_password_is_masked_in_every_error_of_the_session(monkeypatch: pytest.MonkeyPatch) -> None:
    # Connecting through a proxy that does not exist: whatever the error says, the password is masked.
    options = LiveOptions(proxy="http://someone:pr0xy-pw@127.0.0.1:9", reconnect=NO_RECONNECT, open_timeout=2.0)
    session = LiveSession("ws://127.0.0.1:9/v2/live?token=Qz7-K9aa", options=options)
    with pytest.raises(LiveError) as caught:
        session.close(timeout=10)
    assert_hidden("pr0xy-pw", caught.value, repr(session))
    assert_hidden("Qz7-K9aa", caught.value, repr(session))
    del session, caught
