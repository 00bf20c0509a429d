"""Every request the generated builders emit validates against openapi.yaml (openapi-core, OpenAPI 3.1).

A table of representative calls per operation (every parameter, edge values): each endpoint module's
`build_request` output is sent through an `httpx.Client` and an `httpx.AsyncClient`, captured exactly as httpx
would send it and validated by openapi-core, then checked for the encodings the spec demands: one JSON
`custom_metadata` parameter, repeated `status`, a bare date for `date`, timestamps for
`before_date`/`after_date`, unset fields omitted, percent-encoded ids. The last tests validate what the
client itself sends, its authentication included.
"""

from __future__ import annotations

import asyncio
import datetime
import io
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.exceptions import OpenAPIError
from werkzeug.datastructures import Headers, ImmutableMultiDict

from gladia_live_client import AsyncGladiaLive, GladiaError, GladiaLive
from gladia_live_client._base_client import API_KEY_HEADER
from gladia_live_client._generated.api.live_v2 import delete_job, get_audio, get_job, init_session, list_jobs, patch_job
from gladia_live_client.models import (
    LanguageConfig,
    ListJobsCustomMetadata,
    ListJobsStatusItem,
    MessagesConfig,
    PatchRequestParamsDTO,
    StreamingRequest,
    StreamingSupportedBitDepthEnum,
    StreamingSupportedEncodingEnum,
    StreamingSupportedRegions,
    StreamingSupportedSampleRateEnum,
)
from tests.contract.schemas import spec

OPENAPI = OpenAPI.from_dict(spec())
JOB_ID = "45463597-20b7-4af7-b3b3-f5fb778203ab"


class HttpxOpenAPIRequest:
    """openapi-core's request protocol over an `httpx.Request`."""

    def __init__(self, request: httpx.Request) -> None:
        self._request = request
        url = urlsplit(str(request.url))
        self.host_url = f"{url.scheme}://{url.netloc}"
        self.path = url.path
        self.method = request.method.lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qsl(url.query, keep_blank_values=True)),
            header=Headers(list(request.headers.items())),
            cookie=ImmutableMultiDict(),
        )
        self.content_type = request.headers.get("content-type", "")
        self.body = request.content or None


def patch_body(metadata: dict[str, Any]) -> PatchRequestParamsDTO:
    return PatchRequestParamsDTO.from_dict(metadata)


def full_init_body() -> StreamingRequest:
    return StreamingRequest(
        encoding=StreamingSupportedEncodingEnum.WAVPCM,
        bit_depth=StreamingSupportedBitDepthEnum.VALUE_16,
        sample_rate=StreamingSupportedSampleRateEnum.VALUE_16000,
        channels=1,
        language_config=LanguageConfig(languages=[], code_switching=False),
        messages_config=MessagesConfig(receive_acknowledgments=True, receive_partial_transcripts=True),
    )


# (name, endpoint module, kwargs): each is called sync and async.
CALLS: list[tuple[str, Any, dict[str, Any]]] = [
    ("init-minimal", init_session, {"body": StreamingRequest()}),
    ("init-full", init_session, {"body": full_init_body()}),
    ("init-region", init_session, {"body": StreamingRequest(), "region": StreamingSupportedRegions.EU_WEST}),
    ("list-plain", list_jobs, {}),
    ("list-paging", list_jobs, {"offset": 0, "limit": 1}),
    ("list-large-offset", list_jobs, {"offset": 10_000, "limit": 500}),
    ("list-date", list_jobs, {"date": datetime.date(2026, 8, 22)}),
    (
        "list-range",
        list_jobs,
        {
            "before_date": datetime.datetime(2026, 8, 22, 12, 30, tzinfo=datetime.UTC),
            "after_date": datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
        },
    ),
    ("list-one-status", list_jobs, {"status": [ListJobsStatusItem.DONE]}),
    ("list-all-statuses", list_jobs, {"status": list(ListJobsStatusItem)}),
    (
        "list-metadata",
        list_jobs,
        {"custom_metadata": ListJobsCustomMetadata.from_dict({"user": "Jöhn & co", "limit": 3, "nested": {"a": [1]}})},
    ),
    ("get", get_job, {"id": JOB_ID}),
    ("get-odd-id", get_job, {"id": "a b/c?d#e%f"}),
    ("delete", delete_job, {"id": JOB_ID}),
    ("patch-empty", patch_job, {"id": JOB_ID, "body": patch_body({})}),
    ("patch-nested", patch_job, {"id": JOB_ID, "body": patch_body({"debug": {"mic": "usb", "gain": [1, 2]}})}),
    ("audio", get_audio, {"id": JOB_ID}),
]


def emit(module: Any, kwargs: dict[str, Any], run_async: bool) -> httpx.Request:
    """The request ``module.build_request(**kwargs)`` describes, as httpx puts it on the wire."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    args = dict(kwargs)
    positional = [args.pop("id")] if "id" in args else []
    request = module.build_request(*positional, **args)
    options: dict[str, Any] = {"base_url": "https://api.gladia.io", "headers": {API_KEY_HEADER: "key"}}
    if run_async:

        async def send() -> None:
            async with httpx.AsyncClient(transport=httpx.MockTransport(handler), **options) as client:
                await client.request(**request)

        asyncio.run(send())
    else:
        with httpx.Client(transport=httpx.MockTransport(handler), **options) as client:
            client.request(**request)
    assert len(seen) == 1
    return seen[0]


def query_of(request: httpx.Request) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(str(request.url)).query, keep_blank_values=True)


@pytest.mark.parametrize("run_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize(("name", "module", "kwargs"), CALLS, ids=[c[0] for c in CALLS])
def test_emitted_request_validates_against_the_spec(name: str, module: Any, kwargs: Any, run_async: bool) -> None:
    request = emit(module, kwargs, run_async)
    OPENAPI.validate_request(HttpxOpenAPIRequest(request))


def test_custom_metadata_is_one_compact_json_parameter() -> None:
    metadata = {"user": "Jöhn & co", "limit": 3}
    request = emit(list_jobs, {"custom_metadata": ListJobsCustomMetadata.from_dict(metadata)}, run_async=False)
    query = query_of(request)
    assert [key for key, _ in query] == ["custom_metadata"]
    assert json.loads(query[0][1]) == metadata


def test_status_is_repeated_and_dates_have_their_formats() -> None:
    request = emit(
        list_jobs,
        {
            "status": [ListJobsStatusItem.DONE, ListJobsStatusItem.ERROR],
            "date": datetime.date(2026, 8, 22),
            "after_date": datetime.datetime(2025, 1, 1, 8, 0, tzinfo=datetime.UTC),
        },
        run_async=False,
    )
    assert query_of(request) == [
        ("date", "2026-08-22"),
        ("after_date", "2025-01-01T08:00:00+00:00"),
        ("status", "done"),
        ("status", "error"),
    ]


def test_unset_fields_are_omitted_from_query_and_body() -> None:
    assert query_of(emit(list_jobs, {}, run_async=False)) == []
    body = json.loads(emit(init_session, {"body": StreamingRequest(channels=2)}, run_async=False).content)
    assert body == {"channels": 2}


def test_region_is_a_query_parameter() -> None:
    request = emit(init_session, {"body": StreamingRequest(), "region": StreamingSupportedRegions.US_WEST}, False)
    assert query_of(request) == [("region", "us-west")]


def test_path_ids_are_percent_encoded() -> None:
    request = emit(get_job, {"id": "a b/c?d#e%f"}, run_async=False)
    assert request.url.raw_path == b"/v2/live/a%20b%2Fc%3Fd%23e%25f"


@pytest.mark.parametrize(
    "query",
    ["custom_metadata=user", "status=archived", "limit=0", "date=2026-08-22T00:00:00Z", "offset=-1"],
)
def test_a_request_off_the_contract_fails_validation(query: str) -> None:
    """The validator is not a rubber stamp: what the spec forbids is rejected."""
    request = httpx.Request("GET", f"https://api.gladia.io/v2/live?{query}", headers={"x-gladia-key": "key"})
    with pytest.raises(OpenAPIError):
        OPENAPI.validate_request(HttpxOpenAPIRequest(request))


def client_requests(run_async: bool) -> list[httpx.Request]:
    """What `GladiaLive` / `AsyncGladiaLive` send for every operation, the API key header included."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(500)  # every call ends at once (retries off): only the request matters here

    calls: list[Callable[[Any], Any]] = [
        lambda gladia: gladia.init_session({"encoding": "wav/pcm"}, region="eu-west"),
        lambda gladia: gladia.list_jobs(limit=5, status=["done"], custom_metadata={"user": "x"}),
        lambda gladia: gladia.get_job(JOB_ID),
        lambda gladia: gladia.delete_job(JOB_ID),
        lambda gladia: gladia.patch_job(JOB_ID, {"debug": True}),
        lambda gladia: gladia.download_audio(JOB_ID, io.BytesIO()),
    ]
    options: dict[str, Any] = {"api_key": "key", "max_retries": 0, "transport": httpx.MockTransport(handler)}
    if run_async:

        async def main() -> None:
            async with AsyncGladiaLive(**options) as gladia:
                for call in calls:
                    with pytest.raises(GladiaError):
                        await call(gladia)

        asyncio.run(main())
    else:
        with GladiaLive(**options) as gladia:
            for call in calls:
                with pytest.raises(GladiaError):
                    call(gladia)
    return seen


@pytest.mark.parametrize("run_async", [False, True], ids=["sync", "async"])
def test_what_the_client_sends_validates_with_its_key_in_the_spec_header(run_async: bool) -> None:
    requests = client_requests(run_async)
    assert len(requests) == 6
    for request in requests:
        OPENAPI.validate_request(HttpxOpenAPIRequest(request))
        assert request.headers[API_KEY_HEADER] == "key"
        assert "authorization" not in request.headers


def test_the_key_header_is_the_spec_security_scheme() -> None:
    schemes = spec()["components"]["securitySchemes"]
    assert [(s["type"], s["in"], s["name"]) for s in schemes.values()] == [("apiKey", "header", API_KEY_HEADER)]
