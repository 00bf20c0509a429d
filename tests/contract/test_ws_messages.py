"""WebSocket message schemas: generated bodies parse into the model their direction and `type` name."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import gladia_live_client.models as models
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
