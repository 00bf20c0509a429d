"""Every exception the live layer raises is a `GladiaError`: bad settings (`ConfigurationError`) and bad
arguments (`InvalidRequestError`) included, each naming what to fix, before anything connects."""

from __future__ import annotations

import asyncio
import builtins
import random
from pathlib import Path
from typing import Any

import pytest

from gladia_live_client import (
    AsyncLiveSession,
    AudioFormat,
    ConfigurationError,
    GladiaError,
    InvalidRequestError,
    LiveOptions,
    LiveSession,
    LiveTimeoutError,
    ReconnectPolicy,
)
from gladia_live_client._live import _errors

LIVE = Path(__file__).parents[2] / "gladia_live_client" / "_live"
BUILTIN_EXCEPTIONS = {
    name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, BaseException)
}


# The scan for `raise <builtin>` covers the whole package, _live/ included: tests/test_exceptions.py.


def test_every_live_error_class_is_a_gladia_error() -> None:
    classes = [
        value for value in vars(_errors).values() if isinstance(value, type) and issubclass(value, BaseException)
    ]
    assert len(classes) >= 9
    assert all(issubclass(cls, GladiaError) for cls in classes)


BAD_OPTIONS: list[tuple[str, object]] = [
    ("buffer_limit", 0),
    ("buffer_limit", "8 MiB"),
    ("buffer_limit", 1.5),
    ("frame_duration", 0),
    ("frame_duration", float("nan")),
    ("frame_duration", True),
    ("keepalive_interval", -1),
    ("keepalive", "ping"),
    ("open_timeout", 0),
    ("ping_interval", "20"),
    ("close_timeout", None),
    ("max_message_size", 0),
    ("stall_timeout", 0),
    ("end_timeout", -5.0),
    ("max_unread_messages", 0),
    ("max_unread_bytes", None),
    ("result_timeout", -1),
    ("reconnect", {"max_attempts": 3}),
    ("proxy", False),
    ("rng", 42),
]


@pytest.mark.parametrize(("field", "value"), BAD_OPTIONS)
def test_a_bad_live_option_raises_a_configuration_error_naming_it(field: str, value: Any) -> None:
    with pytest.raises(ConfigurationError, match=rf"^LiveOptions\.{field} must be ") as caught:
        LiveOptions(**{field: value})
    assert isinstance(caught.value, GladiaError)
    assert isinstance(caught.value, ValueError)  # what callers caught before
    assert repr(value) in str(caught.value)


BAD_POLICIES: list[tuple[str, object]] = [
    ("max_attempts", -1),
    ("max_attempts", 2.5),
    ("initial_delay", 0),
    ("max_delay", 0.1),  # below initial_delay
    ("multiplier", 0.5),
    ("jitter", 1.0),
    ("max_elapsed", -1),
    ("healthy_after", "10"),
    ("min_progress", -0.5),
    ("max_reconnections", -1),
    ("max_reconnections_per_minute", 1.5),
]


@pytest.mark.parametrize(("field", "value"), BAD_POLICIES)
def test_a_bad_reconnect_policy_raises_a_configuration_error_naming_it(field: str, value: Any) -> None:
    with pytest.raises(ConfigurationError, match=rf"^ReconnectPolicy\.{field} must be "):
        ReconnectPolicy(**{field: value})


def test_good_settings_still_build() -> None:
    options = LiveOptions(
        buffer_limit=4096,
        frame_duration=0.02,
        keepalive_interval=None,
        stall_timeout=None,
        end_timeout=None,
        ping_interval=None,
        ping_timeout=None,
        max_message_size=None,
        result_timeout=0,
        proxy="http://127.0.0.1:9",
        rng=random.Random(1),
        reconnect=ReconnectPolicy(max_attempts=0, jitter=0, max_reconnections=None, max_reconnections_per_minute=None),
    )
    assert options.buffer_limit == 4096


@pytest.mark.parametrize("session_class", [LiveSession, AsyncLiveSession])
def test_a_session_refuses_bad_arguments_with_configuration_errors(session_class: type[LiveSession]) -> None:
    with pytest.raises(ConfigurationError, match=r"starts with ws:// or wss://"):
        session_class("https://api.gladia.io/v2/live?token=secret-token")
    with pytest.raises(ConfigurationError, match="audio_format must be an AudioFormat"):
        session_class("wss://example.invalid/v2/live", audio_format=16000)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="options must be a LiveOptions"):
        session_class("wss://example.invalid/v2/live", options={"buffer_limit": 1})  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match=r"buffer_limit \(1\) is smaller than one sample frame"):
        session_class("wss://example.invalid/v2/live", options=LiveOptions(buffer_limit=1))
    with pytest.raises(ConfigurationError) as caught:
        session_class("https://api.gladia.io/v2/live?token=secret-token")
    assert "secret-token" not in str(caught.value)


def test_a_frame_duration_that_is_not_positive_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="positive number of seconds"):
        AudioFormat().frame_bytes(0)


def test_audio_that_is_not_bytes_is_refused_before_anything_connects() -> None:
    session = LiveSession("ws://127.0.0.1:9/v2/live")  # nothing listens there; nothing may connect
    with pytest.raises(InvalidRequestError, match=r"send_audio\(\) takes raw audio bytes, got str"):
        session.send_audio("hello")  # type: ignore[arg-type]
    with pytest.raises(InvalidRequestError, match=r"send_stream\(\) takes bytes-like audio .* got int"):
        session.send_stream([b"\x00\x00", 7])  # type: ignore[list-item]
    assert session.stats.connections == 0
    session.abort()

    async def main() -> None:
        twin = AsyncLiveSession("ws://127.0.0.1:9/v2/live")
        with pytest.raises(InvalidRequestError, match=r"send_audio\(\) takes bytes-like audio .* got list"):
            await twin.send_audio([0, 0])  # type: ignore[arg-type]
        await twin.abort()

    asyncio.run(main())


def test_the_close_timeout_error_is_a_live_error_and_a_timeout_error() -> None:
    error = LiveTimeoutError("the live session did not end within 1 s", timeout=1.0)
    assert isinstance(error, GladiaError)
    assert isinstance(error, TimeoutError)
    assert error.timeout == 1.0
