"""Which callbacks a message goes to (`_callbacks.py`), and what `recv(timeout=...)` accepts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gladia_live_client import GenericMessage, InvalidRequestError
from gladia_live_client._live._callbacks import MessageCallbacks
from gladia_live_client._live._messages import parse_server_message
from gladia_live_client._live._shell import check_recv_timeout
from gladia_live_client.models import SpeechStartMessage, TranscriptMessage


def frame(kind: str, data: dict[str, Any]) -> str:
    return json.dumps({"type": kind, "session_id": "s", "created_at": "2024-01-01T00:00:00.000Z", "data": data})


def parsed(kind: str, data: dict[str, Any]) -> Any:
    return parse_server_message(frame(kind, data))


SPEECH = parsed("speech_start", {"time": 1.0, "channel": 0})
UNKNOWN = parsed("brand_new_event", {"x": 1})


def noted(name: str, seen: list[str]) -> Any:
    return lambda message: seen.append(name)


def test_matching_by_type_by_class_and_every_message_in_registration_order() -> None:
    callbacks = MessageCallbacks()
    assert not callbacks
    assert callbacks.matching(SPEECH) == []
    seen: list[str] = []
    callbacks.add("*", noted("all", seen))
    callbacks.add(SpeechStartMessage, noted("class", seen))
    callbacks.add("speech_start", noted("type", seen))
    callbacks.add(TranscriptMessage, noted("transcript", seen))
    assert callbacks
    for callback in callbacks.matching(SPEECH):
        callback(SPEECH)
    assert seen == ["all", "class", "type"]
    assert isinstance(SPEECH, SpeechStartMessage)


def test_an_untyped_message_matches_its_type_text_and_generic_message() -> None:
    callbacks = MessageCallbacks()
    callbacks.add("brand_new_event", print)
    callbacks.add(GenericMessage, repr)
    assert isinstance(UNKNOWN, GenericMessage)
    assert callbacks.matching(UNKNOWN) == [print, repr]
    assert callbacks.matching(SPEECH) == []


@pytest.mark.parametrize(
    ("kind", "callback", "match"),
    [("", print, "message type"), (3, print, "message type"), ("transcript", None, "callable")],
)
def test_bad_registrations_are_refused(kind: Any, callback: Any, match: str) -> None:
    with pytest.raises(InvalidRequestError, match=match):
        MessageCallbacks().add(kind, callback)


@pytest.mark.parametrize("good", [None, 0, 0.1, 5])
def test_recv_timeouts_accepted(good: Any) -> None:
    assert check_recv_timeout(good) == (None if good is None else float(good))


@pytest.mark.parametrize("bad", [-0.1, float("nan"), "1", True, [1]])
def test_recv_timeouts_refused(bad: Any) -> None:
    with pytest.raises(InvalidRequestError, match="recv"):
        check_recv_timeout(bad)
