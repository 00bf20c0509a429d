"""The URL token never shows; every reference server message parses to its model or a generic message."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from gladia_live_client._live import GenericMessage, LiveSession, mask_url, parse_server_message
from gladia_live_client._live._masking import url_secrets
from gladia_live_client._live._messages import (
    SERVER_MESSAGE_MODELS,
    ack_byte_range,
    decode_server_frame,
    encode_keepalive,
    encode_stop_recording,
)

URL = "wss://api.gladia.io/v2/live?token=s3cr3t-t0ken&region=eu"


def test_mask_url_hides_every_query_value_and_userinfo() -> None:
    masked = mask_url("wss://user:pw@api.gladia.io:443/v2/live?token=s3cr3t-t0ken&region=eu")
    assert masked == "wss://***@api.gladia.io:443/v2/live?token=***&region=***"
    # The token is a secret whatever its length; a short value of another parameter is not (masking "eu"
    # everywhere would blank ordinary words), a long opaque one is.
    assert url_secrets(URL) == ["s3cr3t-t0ken"]
    assert url_secrets("wss://h/v2/live?token=t&sig2=0123456789abcdef") == ["t", "0123456789abcdef"]


def test_a_session_masks_its_token_in_websockets_records(caplog: pytest.LogCaptureFixture) -> None:
    session = LiveSession(URL)  # not started: registering the token is part of building it
    with caplog.at_level(logging.DEBUG, logger="websockets.client"):
        logging.getLogger("websockets.client").debug("> GET %s HTTP/1.1", "/v2/live?tok=s3cr3t-t0ken")
        logging.getLogger("websockets.client").info("plain s3cr3t-t0ken")
    assert [record.getMessage() for record in caplog.records] == ["> GET /v2/live?tok=*** HTTP/1.1", "plain ***"]
    assert caplog.records[0].name == "websockets.client"
    del session


def test_client_actions_encode_as_the_spec_says() -> None:
    assert json.loads(encode_stop_recording()) == {"type": "stop_recording"}
    assert json.loads(encode_keepalive()) == {"type": "audio_chunk", "data": {"chunk": ""}}


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "JSON list"),
        ('{"data": {}}', "no string 'type'"),
        ('{"type": "later_addition"}', "unknown message type"),
        ('{"type": "end_session"}', "missing field"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_frames_that_cannot_be_typed_become_generic_messages(frame: str | bytes, reason: str) -> None:
    message = parse_server_message(frame)
    assert isinstance(message, GenericMessage)
    assert reason in message.reason


def test_every_reference_server_example_parses(reference_dir: Path) -> None:
    index = json.loads((reference_dir / "examples" / "index.json").read_text(encoding="utf-8"))
    checked = 0
    for entry in index:
        schema = entry["schema"]
        if not entry["file"].startswith("examples/ws/") or not entry["valid_json"] or "Action" in schema:
            continue
        raw = json.loads((reference_dir / entry["file"]).read_text(encoding="utf-8"))
        message = parse_server_message(json.dumps(raw))
        model = SERVER_MESSAGE_MODELS[raw["type"]]
        if entry["validation"]["strict_oas31"] == []:
            # Valid against the contract: it must come back typed, as the model of its schema.
            assert type(message).__name__ == schema, entry["file"]
            assert message == model(raw)
        else:
            assert type(message).__name__ in (schema, "GenericMessage"), entry["file"]
        checked += 1
    assert checked >= 16


@pytest.mark.parametrize("frame", ['{"a": 1}', b'{"a": 1}', bytearray(b'{"a": 1}'), memoryview(b'{"a": 1}')])
def test_text_and_binary_frames_decode_to_the_same_object(frame: str | bytes) -> None:
    assert decode_server_frame(frame) == {"a": 1}


def test_a_text_frame_of_a_str_subclass_decodes_too() -> None:
    class Text(str):
        pass

    assert decode_server_frame(Text('{"type": "x"}')) == {"type": "x"}


@pytest.mark.parametrize(
    ("decoded", "expected"),
    [
        ({"data": {"byte_range": [0, 3200]}}, (0, 3200)),
        ({"data": {"byte_range": [True, 3200]}}, None),  # a bool is not an offset
        ({"data": {"byte_range": [0, 3200.0]}}, None),
        ({"data": {"byte_range": [0, 1, 2]}}, None),
        ({"data": {"byte_range": "0-3200"}}, None),
        ({"data": [0, 3200]}, None),
        ({"data": None}, None),
        ({}, None),
    ],
)
def test_ack_byte_range_takes_only_two_integers(decoded: dict[str, object], expected: tuple[int, int] | None) -> None:
    assert ack_byte_range(decoded) == expected
