"""WebSocket message schemas: generated bodies parse into the model their direction and `type` name."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import gladia_live_client.models as models
from gladia_live_client._live._messages import SERVER_MESSAGE_MODELS, GenericMessage, parse_server_message
from tests.contract.schemas import FUZZ_SETTINGS, GENERATED, component, spec, validator_for, values_of


def union_members(union: str) -> dict[str, str]:
    """`type` value -> schema name, from the discriminator of a message union."""
    mapping = spec()["components"]["schemas"][union]["discriminator"]["mapping"]
    return {message_type: ref.rsplit("/", 1)[-1] for message_type, ref in mapping.items()}


SERVER = union_members("LiveServerMessage")
CLIENT = union_members("LiveClientMessage")
MESSAGES = [("server", t, name) for t, name in SERVER.items()] + [("client", t, name) for t, name in CLIENT.items()]


def test_unions_cover_every_message_schema() -> None:
    schemas = spec()["components"]["schemas"]
    with_type = {
        name
        for name, schema in schemas.items()
        if name.endswith(("Message", "Action")) and "type" in schema.get("properties", {})
    }
    assert set(SERVER.values()) | set(CLIENT.values()) == with_type
    assert len(SERVER) == 16
    assert set(CLIENT) == {"audio_chunk", "stop_recording"}


def test_acknowledgements_share_the_client_action_types() -> None:
    assert SERVER["audio_chunk"] == "AudioChunkAckMessage"
    assert CLIENT["audio_chunk"] == "AudioChunkAction"
    assert SERVER["stop_recording"] == "StopRecordingAckMessage"


@pytest.mark.parametrize(("direction", "message_type", "name"), MESSAGES, ids=[f"{d}-{t}" for d, t, _ in MESSAGES])
@FUZZ_SETTINGS
@given(data=st.data())
def test_generated_message_parses_into_its_model(direction: str, message_type: str, name: str, data: Any) -> None:
    body = data.draw(values_of(component(name)), label="message")
    GENERATED.total += 1
    assert body["type"] == message_type
    model = getattr(models, name)
    parsed = model.from_dict(body)
    assert model.from_dict(parsed.to_dict()) == parsed
    assert validator_for(component(name)).is_valid(parsed.to_dict())


def test_the_sessions_parser_knows_exactly_the_spec_server_messages() -> None:
    assert {t: f.__self__.__name__ for t, f in SERVER_MESSAGE_MODELS.items()} == SERVER  # type: ignore[attr-defined]


SERVER_MESSAGES = [(t, name) for t, name in SERVER.items()]


@pytest.mark.parametrize(("message_type", "name"), SERVER_MESSAGES, ids=[t for t, _ in SERVER_MESSAGES])
@FUZZ_SETTINGS
@given(data=st.data())
def test_a_server_frame_is_typed_by_the_live_session_parser(message_type: str, name: str, data: Any) -> None:
    """Direction is server -> client, so `audio_chunk` and `stop_recording` are acknowledgements here."""
    body = data.draw(values_of(component(name)), label="frame")
    GENERATED.total += 1
    parsed = parse_server_message(json.dumps(body))
    assert type(parsed) is getattr(models, name)


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "speaker_change", "session_id": "s", "created_at": "now", "data": {"speaker": 2}},
        {"type": "transcript", "session_id": "s"},
        {"no_type": True},
    ],
    ids=["unknown-type", "missing-fields", "no-type"],
)
def test_a_frame_the_client_cannot_type_is_kept_whole(frame: dict[str, Any]) -> None:
    parsed = parse_server_message(json.dumps(frame))
    assert isinstance(parsed, GenericMessage)
    assert parsed.raw == frame
    assert parsed.reason
