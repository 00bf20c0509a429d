"""Client-side checks: bad arguments raise `InvalidRequestError` and nothing is sent; good ones are converted."""

from __future__ import annotations

import datetime
import io
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from gladia_live_client import GladiaLive, InvalidRequestError
from gladia_live_client._validation import MAX_PATCH_BODY_BYTES
from gladia_live_client.models import PatchRequestParamsDTO, StreamingRequest, StreamingSupportedEncodingEnum

from ._mock import EMPTY_PAGE, JOB_ID, Script

BAD_IDS: list[object] = ["", "   ", None, 42, b"abc", ["id"]]
ID_METHODS: dict[str, Callable[[GladiaLive, Any], object]] = {
    "get_job": lambda gladia, job: gladia.get_job(job),
    "delete_job": lambda gladia, job: gladia.delete_job(job),
    "patch_job": lambda gladia, job: gladia.patch_job(job, {"a": 1}),
    "iter_audio": lambda gladia, job: gladia.iter_audio(job),
    "download_audio": lambda gladia, job: gladia.download_audio(job, io.BytesIO()),
}


def query(script: Script, index: int = -1) -> dict[str, list[str]]:
    return parse_qs(script.requests[index].url.query.decode(), keep_blank_values=True)


@pytest.mark.parametrize("method", ID_METHODS)
@pytest.mark.parametrize("bad", BAD_IDS, ids=repr)
def test_bad_job_id_is_rejected_before_any_request(method: str, bad: object) -> None:
    script = Script()
    with script.sync_client() as gladia, pytest.raises(InvalidRequestError, match="job id"):
        ID_METHODS[method](gladia, bad)
    assert script.requests == []


async def test_async_methods_check_the_id_too() -> None:
    script = Script()
    async with script.async_client() as gladia:
        with pytest.raises(InvalidRequestError):
            await gladia.get_job("")
        with pytest.raises(InvalidRequestError):
            gladia.iter_audio(None)  # type: ignore[arg-type]
        with pytest.raises(InvalidRequestError):
            await gladia.patch_job(JOB_ID, [1, 2])  # type: ignore[arg-type]
    assert script.requests == []


def test_a_uuid_id_is_accepted_and_quoted_ids_stay_in_one_segment() -> None:
    script = Script()
    with script.sync_client() as gladia:
        gladia.get_job(uuid.UUID(JOB_ID))
        gladia.get_job("a/b?c")
    assert script.requests[0].url.path == f"/v2/live/{JOB_ID}"
    assert script.requests[1].url.raw_path == b"/v2/live/a%2Fb%3Fc"


@pytest.mark.parametrize(
    ("metadata", "match"),
    [
        ([1, 2], "JSON object"),
        ("text", "JSON object"),
        (None, "JSON object"),
        ({1: "a"}, "keys must be strings"),
        ({"a": float("nan")}, "not JSON-serialisable"),
        ({"a": object()}, "not JSON-serialisable"),
        ({"a": "x" * 102_400}, "at most 102400"),
    ],
)
def test_patch_body_checks(metadata: object, match: str) -> None:
    script = Script()
    with script.sync_client() as gladia, pytest.raises(InvalidRequestError, match=match):
        gladia.patch_job(JOB_ID, metadata)  # type: ignore[arg-type]
    assert script.requests == []


def test_patch_body_at_the_limit_is_sent_as_is() -> None:
    script = Script(httpx.Response(204))
    padding = MAX_PATCH_BODY_BYTES - len(json.dumps({"a": ""}, separators=(",", ":")))
    metadata = {"a": "é" * (padding // 2)}  # two bytes each in UTF-8: the limit counts bytes
    with script.sync_client() as gladia:
        gladia.patch_job(JOB_ID, metadata)
        gladia.patch_job(JOB_ID, PatchRequestParamsDTO.from_dict({"nested": {"k": [1, None]}}))
    assert len(script.requests[0].content) == MAX_PATCH_BODY_BYTES == 100 * 1024
    assert json.loads(script.requests[0].content) == metadata
    assert json.loads(script.requests[1].content) == {"nested": {"k": [1, None]}}
    assert script.requests[0].method == "PATCH"


def test_list_filters_take_python_values() -> None:
    script = Script(httpx.Response(200, json=EMPTY_PAGE))
    with script.sync_client() as gladia:
        gladia.list_jobs(
            offset=40,
            limit=20,
            date=datetime.date(2026, 8, 22),
            before_date=datetime.datetime(2026, 8, 22, 14, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
            after_date="2026-08-01T00:00:00Z",
            status=["done", "error"],
            custom_metadata={"user": "John Doe", "limit": 3},
        )
        gladia.list_jobs(status="queued", date="2026-08-21")
    assert query(script, 0) == {
        "offset": ["40"],
        "limit": ["20"],
        "date": ["2026-08-22"],
        "before_date": ["2026-08-22T12:30:00+00:00"],
        "after_date": ["2026-08-01T00:00:00+00:00"],
        "status": ["done", "error"],
        # One parameter holding JSON: a key named "limit" cannot overwrite the real limit.
        "custom_metadata": ['{"user":"John Doe","limit":3}'],
    }
    assert query(script, 1) == {"status": ["queued"], "date": ["2026-08-21"]}


@pytest.mark.parametrize(
    ("filters", "match"),
    [
        ({"date": datetime.datetime(2026, 8, 22, tzinfo=datetime.UTC)}, "datetime.date"),
        ({"date": "22/08/2026"}, "YYYY-MM-DD"),
        ({"date": 20260822}, "datetime.date"),
        ({"before_date": datetime.datetime(2026, 8, 22)}, "timezone-aware"),
        ({"after_date": "2026-08-22T10:00:00"}, "timezone-aware"),
        ({"after_date": "yesterday"}, "ISO 8601"),
        ({"before_date": datetime.date(2026, 8, 22)}, "datetime.datetime"),
        ({"status": [1]}, "status values"),
        ({"status": 3}, "status must be"),
        ({"status": [""]}, "status values"),
        ({"custom_metadata": ["a"]}, "mapping"),
        ({"custom_metadata": {"a": {1, 2}}}, "not JSON-serialisable"),
        ({"custom_metadata": {"k": "v" * 1993}}, "at most 2000"),
        ({"offset": -1}, "offset"),
        ({"limit": 0}, "limit"),
        ({"limit": True}, "limit"),
        ({"offset": "5"}, "offset"),
    ],
)
def test_bad_list_filters_are_rejected_before_any_request(filters: dict[str, Any], match: str) -> None:
    script = Script()
    with script.sync_client() as gladia:
        with pytest.raises(InvalidRequestError, match=match):
            gladia.list_jobs(**filters)
        if "offset" not in filters:  # iter_jobs pages from the start: it has no offset
            with pytest.raises(InvalidRequestError, match=match):
                gladia.iter_jobs(**filters)
    assert script.requests == []


def test_custom_metadata_filter_limit_is_measured_on_what_is_sent() -> None:
    script = Script(httpx.Response(200, json=EMPTY_PAGE))
    fits = {"k": "é" * (2000 - len('{"k":""}'))}  # characters, not bytes
    with script.sync_client() as gladia:
        gladia.list_jobs(custom_metadata=fits)
        with pytest.raises(InvalidRequestError, match="2001 characters"):
            gladia.list_jobs(custom_metadata={"k": "é" * (2001 - len('{"k":""}'))})
    assert len(script.requests) == 1
    assert len(query(script)["custom_metadata"][0]) == 2000


@pytest.mark.usefixtures("no_dead_clients")
def test_init_session_takes_a_model_or_a_mapping_and_sends_only_what_is_set() -> None:
    script = Script(
        httpx.Response(201, json={"id": JOB_ID, "created_at": "2024-01-01T00:00:00Z", "url": "wss://x/v2/live?token=t"})
    )
    with script.sync_client() as gladia:
        gladia.init_session(StreamingRequest(encoding=StreamingSupportedEncodingEnum.WAVPCM), region="eu-west")
        gladia.init_session({"sample_rate": 16000}, extra_body={"brand_new_field": True})
        with pytest.raises(InvalidRequestError, match="unknown field 'brand_new_field'"):
            gladia.init_session({"sample_rate": 16000, "brand_new_field": True})  # type: ignore[typeddict-unknown-key]
        with pytest.raises(InvalidRequestError, match="StreamingRequest"):
            gladia.init_session("wav/pcm")  # type: ignore[arg-type]
        with pytest.raises(InvalidRequestError, match="region"):
            gladia.init_session({}, region="")
    assert json.loads(script.requests[0].content) == {"encoding": "wav/pcm"}
    assert query(script, 0) == {"region": ["eu-west"]}
    assert json.loads(script.requests[1].content) == {"sample_rate": 16000, "brand_new_field": True}
    assert query(script, 1) == {}
    assert len(script.requests) == 2


@pytest.mark.usefixtures("no_dead_clients")
def test_a_dict_request_holds_only_the_fields_of_the_spec_at_every_level() -> None:
    from gladia_live_client._validation import streaming_request

    with pytest.raises(InvalidRequestError) as raised:
        streaming_request({"post_processing": {"summarization_config": {"typ": "concise"}}})
    assert str(raised.value).startswith(
        "request.post_processing.summarization_config has an unknown field 'typ' (did you mean 'type'?)."
    )
    with pytest.raises(InvalidRequestError) as raised:
        streaming_request({"zzz": 1})
    assert "unknown field 'zzz'. " in str(raised.value), "no close match, no suggestion"
    # Free-form objects take any key; a vocabulary entry may be a plain string.
    request = streaming_request(
        {
            "custom_metadata": {"encodnig": "anything"},
            "realtime_processing": {"custom_spelling_config": {"spelling_dictionary": {"Gladia": ["gladya"]}}},
        }
    )
    assert request.to_dict()["custom_metadata"] == {"encodnig": "anything"}


def test_a_model_request_is_sent_as_built_and_extra_body_merges_objects_key_by_key() -> None:
    from gladia_live_client._validation import merge_json, streaming_request

    model = StreamingRequest.from_dict({"encoding": "wav/pcm"})
    model["set_on_purpose"] = 1  # a model's additional properties are the caller's explicit choice
    assert streaming_request(model) is model
    merged = streaming_request({"language_config": {"languages": ["en"]}}, {"language_config": {"new": 1}, "n": 2})
    assert merged.to_dict() == {"language_config": {"languages": ["en"], "new": 1}, "n": 2}
    assert merge_json({"a": {"b": 1}, "c": 1}, {"a": 5, "c": {"d": 1}}) == {"a": 5, "c": {"d": 1}}
    with pytest.raises(InvalidRequestError, match="request with extra_body is not a valid StreamingRequest"):
        streaming_request({}, {"language_config": "en"})


def test_download_destination_checks(tmp_path: Path) -> None:
    script = Script()
    with script.sync_client() as gladia:
        with pytest.raises(InvalidRequestError, match="directory"):
            gladia.download_audio(JOB_ID, tmp_path)
        with pytest.raises(InvalidRequestError, match="binary mode"):
            gladia.download_audio(JOB_ID, io.StringIO())
        with pytest.raises(InvalidRequestError, match="path or a binary file"):
            gladia.download_audio(JOB_ID, 42)  # type: ignore[arg-type]
        with pytest.raises(FileNotFoundError):
            gladia.download_audio(JOB_ID, tmp_path / "missing-dir" / "a.wav")
        with pytest.raises(InvalidRequestError, match="chunk_size"):
            gladia.iter_audio(JOB_ID, chunk_size=0)
    assert script.requests == []
    assert list(tmp_path.iterdir()) == []
