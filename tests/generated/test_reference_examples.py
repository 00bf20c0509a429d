"""The reference example payloads parse through the generated models, except the ones listed with a reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import gladia_live_client.models as models
from tests.conftest import REFERENCE

INDEX = REFERENCE / "examples" / "index.json"

# Valid JSON that the typed models reject, and why. Anything not listed here must parse.
REJECTED = {
    "examples/post_v2_live.201.docs-quickstart.json": "lacks created_at, required since the 2026 spec",
    "examples/post_v2_live.201.sdk-test-fixture.json": "a unit-test fake whose id is not a UUID (format: uuid)",
    "examples/ws/asyncapi.post_transcript.1.json": "AsyncAPI example without languages/utterances, required upstream",
    "examples/ws/asyncapi.post_final_transcript.1.json": "AsyncAPI example without transcription.languages",
    "examples/ws/asyncapi.end_recording.1.json": "AsyncAPI example without data.recording_duration",
}


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
    with pytest.raises((KeyError, ValueError)):
        model_for(entry).from_dict(load(entry))


def test_invalid_json_examples_are_the_commented_ones() -> None:
    invalid = [e["file"] for e in examples() if not e["valid_json"]]
    assert invalid, "the index lists no invalid example any more: update this test"
    for name in invalid:
        assert name.endswith(".jsonc"), f"{name}: JSON with // comments is the only known invalid kind"
        with pytest.raises(json.JSONDecodeError):
            json.loads((REFERENCE / name).read_text(encoding="utf-8"))


def test_rejection_list_names_real_examples() -> None:
    assert set(REJECTED) <= {e["file"] for e in examples()}
