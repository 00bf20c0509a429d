"""The reference example payloads parse through the generated models, except the ones listed with a reason.

What parses is typed all the way down (no raw dict where the model declares a model); a server message that does
not fit its schema becomes a `GenericMessage` in a live session, never a typed message with untyped data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import gladia_live_client.models as models
from gladia_live_client._live._messages import SERVER_MESSAGE_MODELS, GenericMessage, parse_server_message
from tests.conftest import REFERENCE
from tests.generated._typed import untyped_fields

INDEX = REFERENCE / "examples" / "index.json"

# Valid JSON that the typed models reject, and why. Anything not listed here must parse.
REJECTED = {
    "examples/post_v2_live.201.docs-quickstart.json": "lacks created_at, required since the 2026 spec",
    "examples/post_v2_live.201.sdk-test-fixture.json": "a unit-test fake whose id is not a UUID (format: uuid)",
    "examples/ws/asyncapi.post_transcript.1.json": "AsyncAPI example without languages/utterances, required upstream",
    "examples/ws/asyncapi.post_final_transcript.1.json": "AsyncAPI example without transcription.languages",
    "examples/ws/asyncapi.end_recording.1.json": "AsyncAPI example without data.recording_duration",
    "examples/ws/asyncapi.translation.1.json": "AsyncAPI example: utterances without confidence/words/channel",
    "examples/ws/asyncapi.named_entity_recognition.1.json": "AsyncAPI example: utterance without confidence/words",
    "examples/ws/asyncapi.sentiment_analysis.1.json": "AsyncAPI example: utterance without confidence/words",
    "examples/ws/asyncapi.post_chapterization.1.json": "AsyncAPI example: chapters without gist/keywords/sentences",
    "examples/ws/asyncapi.stop_recording_ack.1.json": "AsyncAPI example with data: {} (no recording_duration)",
    "examples/ws/asyncapi.stop_recording_ack.2.json": "AsyncAPI example with data: {} (no recording_duration)",
}

# What each reference server message becomes in a live session: its typed message, or a generic one.
SERVER_SCHEMAS = {from_dict.__self__.__name__ for from_dict in SERVER_MESSAGE_MODELS.values()}  # type: ignore[attr-defined]


def examples() -> list[dict[str, Any]]:
    if not INDEX.is_file():
        return []
    return [entry for entry in json.loads(INDEX.read_text(encoding="utf-8")) if entry["schema"]]


def load(entry: dict[str, Any]) -> Any:
    return json.loads((REFERENCE / entry["file"]).read_text(encoding="utf-8"))


def model_for(entry: dict[str, Any]) -> Any:
    return getattr(models, entry["schema"])


@pytest.mark.parametrize(
    "entry",
    [e for e in examples() if e["valid_json"] and e["file"] not in REJECTED],
    ids=lambda e: Path(e["file"]).name,
)
def test_example_parses_and_round_trips(entry: dict[str, Any]) -> None:
    model = model_for(entry).from_dict(load(entry))
    again = model_for(entry).from_dict(model.to_dict())
    assert again == model
    assert set(load(entry)) <= set(model.to_dict()), "a top-level field was lost"


@pytest.mark.parametrize("entry", [e for e in examples() if e["file"] in REJECTED], ids=lambda e: Path(e["file"]).name)
def test_listed_example_is_rejected(entry: dict[str, Any]) -> None:
    with pytest.raises((KeyError, TypeError, ValueError)):
        model_for(entry).from_dict(load(entry))


@pytest.mark.parametrize("entry", [e for e in examples() if e["valid_json"]], ids=lambda e: Path(e["file"]).name)
def test_example_is_fully_typed_or_generic(entry: dict[str, Any]) -> None:
    """The type of every field, `.data` included, for every example: typed all the way down, or not typed at all."""
    text = (REFERENCE / entry["file"]).read_text(encoding="utf-8")
    if entry["schema"] in SERVER_SCHEMAS:
        parsed = parse_server_message(text)
        if entry["file"] in REJECTED:
            assert isinstance(parsed, GenericMessage), parsed
            assert parsed.type == load(entry)["type"]
            assert parsed.raw == load(entry), "a generic message keeps the frame whole"
            assert f"does not fit the {parsed.type!r} schema" in parsed.reason
            assert parsed.to_dict() == load(entry)
            assert json.loads(parsed.to_json()) == load(entry)
            return
        assert type(parsed) is model_for(entry)
        assert not isinstance(getattr(parsed, "data", None), dict)
    elif entry["file"] in REJECTED:
        return  # test_listed_example_is_rejected
    else:
        parsed = model_for(entry).from_dict(load(entry))
    assert untyped_fields(parsed) == []


@pytest.mark.parametrize(
    "entry",
    [e for e in examples() if e["valid_json"] and e["file"] not in REJECTED],
    ids=lambda e: Path(e["file"]).name,
)
def test_example_round_trips_through_json_text(entry: dict[str, Any]) -> None:
    model = model_for(entry).from_json((REFERENCE / entry["file"]).read_bytes())
    assert json.loads(model.to_json()) == model.to_dict()
    assert model_for(entry).from_json(model.to_json()) == model
    assert model_for(entry).from_json(model.to_json(indent=2)) == model


def test_the_typed_server_examples_are_the_expected_ones() -> None:
    """The live-session view of the AsyncAPI examples, spelled out: the class each one parses into."""
    parsed = {
        Path(e["file"]).name: type(parse_server_message((REFERENCE / e["file"]).read_text(encoding="utf-8"))).__name__
        for e in examples()
        if e["valid_json"] and e["schema"] in SERVER_SCHEMAS and e["file"].startswith("examples/ws/asyncapi.")
    }
    assert parsed == {
        "asyncapi.transcript.1.json": "TranscriptMessage",
        "asyncapi.speech_start.1.json": "SpeechStartMessage",
        "asyncapi.speech_end.1.json": "SpeechEndMessage",
        "asyncapi.translation.1.json": "GenericMessage",
        "asyncapi.named_entity_recognition.1.json": "GenericMessage",
        "asyncapi.sentiment_analysis.1.json": "GenericMessage",
        "asyncapi.post_transcript.1.json": "GenericMessage",
        "asyncapi.post_final_transcript.1.json": "GenericMessage",
        "asyncapi.post_chapterization.1.json": "GenericMessage",
        "asyncapi.post_summarization.1.json": "PostSummarizationMessage",
        "asyncapi.audio_chunk_ack.1.json": "AudioChunkAckMessage",
        "asyncapi.stop_recording_ack.1.json": "GenericMessage",
        "asyncapi.stop_recording_ack.2.json": "GenericMessage",
        "asyncapi.start_session.1.json": "StartSessionMessage",
        "asyncapi.start_recording.1.json": "StartRecordingMessage",
        "asyncapi.end_recording.1.json": "GenericMessage",
        "asyncapi.end_session.1.json": "EndSessionMessage",
    }


def test_invalid_json_examples_are_the_commented_ones() -> None:
    invalid = [e["file"] for e in examples() if not e["valid_json"]]
    assert invalid, "the index lists no invalid example any more: update this test"
    for name in invalid:
        assert name.endswith(".jsonc"), f"{name}: JSON with // comments is the only known invalid kind"
        with pytest.raises(json.JSONDecodeError):
            json.loads((REFERENCE / name).read_text(encoding="utf-8"))


def test_rejection_list_names_real_examples() -> None:
    assert set(REJECTED) <= {e["file"] for e in examples()}
