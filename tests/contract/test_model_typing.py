"""A model parse never leaves an untyped value in a typed field, whatever the body; JSON text round-trips.

Bodies are generated from the schemas (as in test_ws_messages.py), then damaged the way a server newer or
sloppier than the spec damages them: a key removed, or a value replaced by one of another JSON type, at any depth.
Parsing either raises (the live session then keeps the frame as a `GenericMessage`) or gives a model whose every
model-typed field holds that model: never the raw dict the generator's union parsers used to fall back to.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gladia_live_client.models as models
from gladia_live_client._live._messages import GenericMessage, parse_server_message
from tests.contract.schemas import EXAMPLES, FUZZ_SETTINGS, GENERATED, component, spec, values_of
from tests.generated._typed import untyped_fields


def root_schemas() -> list[str]:
    """The schemas bodies arrive as: the WebSocket server messages, the JSON responses and the request body.
    Every other model is nested in one of them."""
    schemas = spec()["components"]["schemas"]
    mapping = schemas["LiveServerMessage"]["discriminator"]["mapping"]
    names = {ref.rsplit("/", 1)[-1] for ref in mapping.values()}
    for item in spec()["paths"].values():
        for operation in item.values():
            for response in operation["responses"].values():
                ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
                if ref:
                    names.add(ref.rsplit("/", 1)[-1])
    return sorted(names | {"StreamingRequest"})


ROOTS = root_schemas()
SERVER_MESSAGES = {
    ref.rsplit("/", 1)[-1]
    for ref in spec()["components"]["schemas"]["LiveServerMessage"]["discriminator"]["mapping"].values()
}
# test_responses.py and test_ws_messages.py already parse EXAMPLES bodies per schema; these checks need fewer to
# reach every field, which keeps the default run to seconds (`make fuzz` raises EXAMPLES, and these with it).
TYPING_SETTINGS = settings(FUZZ_SETTINGS, max_examples=max(EXAMPLES // 4, 25))
REPLACEMENTS = st.sampled_from([{}, [], "text", 7, 0.5, True, None, {"unexpected": 1}, [{}]])


def objects_in(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Every JSON object inside `value` with its path (the root included)."""
    found = []
    if isinstance(value, dict):
        found.append((path, value))
        for key, item in value.items():
            found.extend(objects_in(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(objects_in(item, (*path, index)))
    return found


def damage(body: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """A copy of `body` with one key removed or one value replaced, anywhere but the root's `type` (which picks
    the schema in a live session, so changing it tests the dispatch, not the parse)."""
    body = copy.deepcopy(body)
    objects = [(path, obj) for path, obj in objects_in(body) if set(obj) - ({"type"} if not path else set())]
    if not objects:
        return body
    path, target = data.draw(st.sampled_from(objects), label="object")
    key = data.draw(st.sampled_from(sorted(set(target) - ({"type"} if not path else set()))), label="key")
    if data.draw(st.booleans(), label="remove"):
        del target[key]
    else:
        target[key] = data.draw(REPLACEMENTS, label="replacement")
    return body


def test_the_roots_cover_the_messages_and_responses() -> None:
    assert len(SERVER_MESSAGES) == 16
    assert {"InitStreamingResponse", "StreamingResponse", "ListStreamingResponse", "StreamingRequest"} <= set(ROOTS)


@pytest.mark.parametrize("name", ROOTS)
@TYPING_SETTINGS
@given(data=st.data())
def test_a_body_parses_fully_typed_or_not_at_all(name: str, data: st.DataObject) -> None:
    body = data.draw(values_of(component(name)), label="body")
    GENERATED.total += 1
    model = getattr(models, name)

    # As generated (valid): typed all the way down, and the same model again through JSON text.
    parsed = model.from_json(json.dumps(body))
    assert untyped_fields(parsed) == []
    assert model.from_json(parsed.to_json()) == parsed
    assert json.loads(parsed.to_json()) == parsed.to_dict()

    # Damaged: raises, or typed all the way down. Scalars are not checked: the generator copies a plain field as
    # it comes (an object in a `str` field is the server's mistake, left visible as such); models, enums, lists,
    # datetimes and UUIDs must be what they say.
    damaged = damage(body, data)
    try:
        parsed = model.from_dict(damaged)
    except (KeyError, TypeError, ValueError, AttributeError):
        parsed = None
    if parsed is not None:
        assert untyped_fields(parsed, scalars=False) == [], damaged
    if name in SERVER_MESSAGES:
        message = parse_server_message(json.dumps(damaged))
        assert isinstance(message, GenericMessage) == (parsed is None), message
        if not isinstance(message, GenericMessage):
            assert untyped_fields(message, scalars=False) == []


def test_a_generic_message_gives_its_frame_back() -> None:
    frame = {"type": "speaker_change", "session_id": "s", "data": {"speaker": 2}}
    message = parse_server_message(json.dumps(frame))
    assert isinstance(message, GenericMessage)
    assert message.to_dict() == frame
    assert json.loads(message.to_json()) == frame
    not_an_object = parse_server_message("[1, 2]")
    assert isinstance(not_an_object, GenericMessage)
    assert not_an_object.to_json() == "[1, 2]"
    assert not_an_object.to_dict() == {}
