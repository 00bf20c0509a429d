"""`make spec-diff`: a newer upstream document's live-contract changes are reported, deviations are not."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from scripts.spec_diff import diff
from tests.conftest import ROOT


def test_the_reference_upstream_document_has_no_unrecorded_difference(
    spec: dict[str, Any], upstream: dict[str, Any]
) -> None:
    assert diff(upstream, spec) == []


def schemas(document: dict[str, Any]) -> dict[str, Any]:
    return document["components"]["schemas"]


def add_property(doc: dict[str, Any]) -> None:
    schemas(doc)["StreamingRequest"]["properties"]["noise_reduction"] = {"type": "boolean"}


def remove_property(doc: dict[str, Any]) -> None:
    del schemas(doc)["StreamingResponse"]["properties"]["kind"]


def retype_property(doc: dict[str, Any]) -> None:
    schemas(doc)["WordDTO"]["properties"]["confidence"]["type"] = "string"


def add_enum_value(doc: dict[str, Any]) -> None:
    schemas(doc)["TranslationModelEnum"]["enum"].append("turbo")


def require_more(doc: dict[str, Any]) -> None:
    schemas(doc)["StreamingRequest"]["required"] = ["encoding"]


def add_parameter(doc: dict[str, Any]) -> None:
    doc["paths"]["/v2/live"]["get"]["parameters"].append({"name": "sort", "in": "query", "schema": {"type": "string"}})


def remove_operation(doc: dict[str, Any]) -> None:
    del doc["paths"]["/v2/live/{id}"]["delete"]


def add_ws_message_field(doc: dict[str, Any]) -> None:
    schemas(doc)["TranscriptMessageData"]["properties"]["latency_ms"] = {"type": "number"}


def add_ws_message(doc: dict[str, Any]) -> None:
    schemas(doc)["ErrorMessage"] = {
        "type": "object",
        "properties": {"type": {"type": "string", "enum": ["error"]}, "data": {"type": "object"}},
        "required": ["type"],
    }


def change_query_encoding(doc: dict[str, Any]) -> None:
    parameters = doc["paths"]["/v2/live"]["get"]["parameters"]
    status = next(p for p in parameters if p["name"] == "status")
    status["schema"] = {"type": "string"}


MUTATIONS: list[tuple[Callable[[dict[str, Any]], None], str]] = [
    (add_property, "+ property StreamingRequest.noise_reduction"),
    (remove_property, "- property StreamingResponse.kind"),
    (retype_property, "~ property WordDTO.confidence type: number -> string"),
    (add_enum_value, "~ schema TranslationModelEnum enum: +turbo"),
    (require_more, "~ schema StreamingRequest required: +encoding"),
    (add_parameter, "+ parameter GET /v2/live sort"),
    (remove_operation, "- operation DELETE /v2/live/{id}"),
    (add_ws_message_field, "+ property TranscriptMessageData.latency_ms"),
    (add_ws_message, "+ schema ErrorMessage"),
    (change_query_encoding, "~ parameter GET /v2/live status type: array -> string"),
]


@pytest.mark.parametrize(("mutate", "expected"), MUTATIONS, ids=[m.__name__ for m, _ in MUTATIONS])
def test_an_upstream_change_is_reported(
    spec: dict[str, Any], upstream: dict[str, Any], mutate: Callable[[dict[str, Any]], None], expected: str
) -> None:
    newer = copy.deepcopy(upstream)
    mutate(newer)
    lines = diff(newer, spec)
    assert any(line.startswith(expected) for line in lines), lines


def test_command_line_exit_status(tmp_path: Path, upstream: dict[str, Any], reference_dir: Path) -> None:
    script = ROOT / "scripts" / "spec_diff.py"
    same = subprocess.run(
        [sys.executable, str(script), str(reference_dir / "gladia-openapi.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (same.returncode, same.stdout.strip()) == (0, "no differences in the live contract")

    newer = copy.deepcopy(upstream)
    add_enum_value(newer)
    changed_path = tmp_path / "openapi.json"
    changed_path.write_text(json.dumps(newer))
    changed = subprocess.run(
        [sys.executable, str(script), str(changed_path)], capture_output=True, text=True, check=False
    )
    assert changed.returncode == 1
    assert "TranslationModelEnum enum: +turbo" in changed.stdout


def test_command_line_defaults_to_the_copy_kept_in_the_repository() -> None:
    script = ROOT / "scripts" / "spec_diff.py"
    default = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=False)
    assert (default.returncode, default.stdout.strip()) == (0, "no differences in the live contract")
    two = subprocess.run([sys.executable, str(script), "a.json", "b.json"], capture_output=True, text=True, check=False)
    assert two.returncode == 2
    assert "usage:" in two.stderr
