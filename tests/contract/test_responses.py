"""Every response of every operation, generated from the spec, parses through the generated response handling.

For each (operation, status) the spec declares, bodies are generated from the response schema; each one goes
through the operation's generated `parse_response` (a success status) or `parse_error` (an error status),
must come out as the model the spec names, survive
model -> dict -> model unchanged, and serialise back to something the schema accepts. Then hostile but real
bodies: unknown fields and enum values, nulls, missing optional fields, HTML and empty error bodies, and status
codes nobody declared.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gladia_live_client.models as models
from gladia_live_client._generated.api.live_v2 import get_audio, get_job, list_jobs
from gladia_live_client._generated.errors import UnexpectedStatus
from gladia_live_client._generated.types import File
from gladia_live_client.models import FileResponse, StreamingResponse
from tests.contract.schemas import FUZZ_SETTINGS, GENERATED, spec, validator_for, values_of
from tests.operations import OPERATION_IDS

CONCRETE_STATUS = {"5XX": 503}


def declared_json_responses() -> list[tuple[str, str, str, str, dict[str, Any]]]:
    """(operationId, method, path, status, schema) for every JSON response body in the spec."""
    found = []
    for path, item in spec()["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                media = response.get("content", {}).get("application/json")
                if media:
                    found.append((operation["operationId"], method, path, status, media["schema"]))
    return found


RESPONSES = declared_json_responses()


def response_for(method: str, path: str, status: int, body: bytes, content_type: str) -> httpx.Response:
    request = httpx.Request(method.upper(), "https://api.gladia.io" + path.replace("{id}", "job-1"))
    return httpx.Response(status, content=body, headers={"content-type": content_type}, request=request)


def test_every_operation_has_json_responses_to_fuzz() -> None:
    operations = {operation_id for operation_id, *_ in RESPONSES}
    assert operations == set(OPERATION_IDS)
    assert len(RESPONSES) >= 25


@pytest.mark.parametrize(
    ("operation_id", "method", "path", "status", "schema"), RESPONSES, ids=[f"{r[0]}-{r[3]}" for r in RESPONSES]
)
@FUZZ_SETTINGS
@given(data=st.data())
def test_generated_body_parses_to_the_declared_model(
    operation_id: str, method: str, path: str, status: str, schema: dict[str, Any], data: st.DataObject
) -> None:
    body = data.draw(values_of(schema), label="body")
    GENERATED.total += 1
    module = importlib.import_module(f"gladia_live_client._generated.api.live_v2.{operation_id}")
    code = CONCRETE_STATUS.get(status) or int(status)
    response = response_for(method, path, code, json.dumps(body).encode(), "application/json")

    parsed = module.parse_response(response) if 200 <= code <= 299 else module.parse_error(response)

    model = getattr(models, schema["$ref"].rsplit("/", 1)[-1])
    assert isinstance(parsed, model)
    assert model.from_dict(parsed.to_dict()) == parsed
    assert validator_for(schema).is_valid(json.loads(json.dumps(parsed.to_dict()))), parsed.to_dict()


def test_audio_body_is_returned_as_bytes() -> None:
    wav = b"RIFF\x24\x00\x00\x00WAVEfmt "
    response = response_for("get", "/v2/live/{id}/file", 200, wav, "application/octet-stream")
    parsed = get_audio.parse_response(response)
    assert isinstance(parsed, File)
    assert parsed.payload.read() == wav


JOB = {
    "id": "45463597-20b7-4af7-b3b3-f5fb778203ab",
    "request_id": "G-45463597",
    "version": 2,
    "status": "done",
    "created_at": "2024-01-01T00:00:00.000Z",
    "kind": "live",
}


def parse_job(body: dict[str, Any]) -> StreamingResponse:
    response = response_for("get", "/v2/live/{id}", 200, json.dumps(body).encode(), "application/json")
    parsed = get_job.parse_response(response)
    assert isinstance(parsed, StreamingResponse)
    return parsed


def test_unknown_fields_are_kept_at_every_level() -> None:
    job = parse_job(
        {
            **JOB,
            "brand_new": {"x": 1},
            "file": {
                "id": "f",
                "filename": "a.wav",
                "source": None,
                "audio_duration": 1.0,
                "number_of_channels": 1,
                "sample_rate_hz": 16000,
            },
        }
    )
    assert job.additional_properties["brand_new"] == {"x": 1}
    assert isinstance(job.file, FileResponse)
    assert job.to_dict()["file"]["sample_rate_hz"] == 16000


def test_unknown_enum_values_are_kept() -> None:
    job = parse_job({**JOB, "status": "archived", "kind": "live-v3"})
    assert (job.status.value, job.kind.value) == ("archived", "live-v3")
    assert job.to_dict()["status"] == "archived"


def test_nulls_where_upstream_sends_them() -> None:
    job = parse_job(
        {
            **JOB,
            "status": "queued",
            "completed_at": None,
            "error_code": None,
            "custom_metadata": None,
            "file": None,
            "request_params": None,
            "result": None,
        }
    )
    assert (job.completed_at, job.error_code, job.file, job.result) == (None, None, None, None)


def test_missing_optional_fields() -> None:
    job = parse_job(JOB)
    assert job.to_dict() == {**JOB, "created_at": "2024-01-01T00:00:00+00:00"}


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413, 422, 429, 500, 502, 503])
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html"),
        (b"", "application/json"),
        (b'{"message": "trunc', "application/json"),
        (b'["not", "an", "object"]', "application/json"),
        (b"null", "application/json"),
    ],
    ids=["html", "empty", "truncated", "array", "null"],
)
def test_hostile_error_bodies_never_raise(status: int, body: bytes, content_type: str) -> None:
    for module, method, path in [(get_job, "get", "/v2/live/{id}"), (list_jobs, "get", "/v2/live")]:
        response = response_for(method, path, status, body, content_type)
        assert module.parse_error(response) is None


@pytest.mark.parametrize("status", [299, 418, 520, 599, 999])
def test_undeclared_status_codes_are_a_clear_error_not_a_crash(status: int) -> None:
    response = response_for("get", "/v2/live/{id}", status, b"?", "text/plain")
    with pytest.raises(UnexpectedStatus, match=f"status {status} is not a success status") as caught:
        get_job.parse_response(response)
    assert (caught.value.status_code, caught.value.content) == (status, b"?")
    assert get_job.parse_error(response) is None


@pytest.mark.parametrize("status", [400, 401, 404, 429, 503])
def test_an_error_status_is_never_parsed_as_a_success(status: int) -> None:
    response = response_for("get", "/v2/live/{id}", status, json.dumps(JOB).encode(), "application/json")
    with pytest.raises(UnexpectedStatus):
        get_job.parse_response(response)
