"""All six operations, built and parsed by the generated endpoint modules, against the local server over
loopback, sent with `httpx.Client` and `httpx.AsyncClient`.

Each documented status (success and error) is provoked for real; the response must validate against
openapi.yaml (openapi-core) and parse through the generated `parse_response` (success) or `parse_error`
(documented error) into the declared model.
"""

from __future__ import annotations

import asyncio
import copy
import json
import math
import struct
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from openapi_core import OpenAPI
from websockets.sync.client import connect

from gladia_live_client._base_client import API_KEY_HEADER
from gladia_live_client._generated.api.live_v2 import delete_job, get_audio, get_job, init_session, list_jobs, patch_job
from gladia_live_client._generated.types import File
from gladia_live_client.models import (
    BadRequestErrorResponse,
    ErrorResponse,
    ForbiddenErrorResponse,
    InitStreamingResponse,
    ListStreamingResponse,
    MessagesConfig,
    NotFoundErrorResponse,
    PatchRequestParamsDTO,
    PayloadTooLargeErrorResponse,
    StreamingRequest,
    StreamingResponse,
    UnauthorizedErrorResponse,
)
from gladia_live_client.testing import LocalGladiaServer
from tests.contract.schemas import spec
from tests.contract.test_requests import HttpxOpenAPIRequest

KEY = "contract-key"
MISSING = "00000000-0000-4000-8000-000000000000"


class HttpxOpenAPIResponse:
    """openapi-core's response protocol over an `httpx.Response`."""

    def __init__(self, response: httpx.Response) -> None:
        self.data = response.content
        self.status_code = response.status_code
        self.content_type = response.headers.get("content-type", "")
        self.headers = response.headers


@pytest.fixture(scope="module")
def server() -> Iterator[LocalGladiaServer]:
    with LocalGladiaServer(api_key=KEY) as running:
        yield running


@pytest.fixture(scope="module")
def openapi(server: LocalGladiaServer) -> OpenAPI:
    local = copy.deepcopy(spec())
    local["servers"] = [{"url": server.base_url}]
    return OpenAPI.from_dict(local)


def send(server: LocalGladiaServer, request: dict[str, Any], key: str = KEY, run_async: bool = False) -> httpx.Response:
    """Send a ``build_request`` output (possibly altered to go off the contract) with ``key`` in the spec's header."""
    options: dict[str, Any] = {"base_url": server.base_url, "headers": {API_KEY_HEADER: key}, "timeout": 30}
    if run_async:

        async def send_async() -> httpx.Response:
            async with httpx.AsyncClient(**options) as http:
                return await http.request(**request)

        return asyncio.run(send_async())
    with httpx.Client(**options) as http:
        return http.request(**request)


def parse(module: Any, response: httpx.Response) -> Any:
    """The generated reading of ``response``: the success model, or the documented error body."""
    return module.parse_response(response) if response.is_success else module.parse_error(response)


def tone(seconds: float) -> bytes:
    samples = int(16000 * seconds)
    return struct.pack(f"<{samples}h", *(int(8000 * math.sin(i / 8)) for i in range(samples)))


def finished_job(server: LocalGladiaServer) -> str:
    """Run a whole live session over the WebSocket (websockets only) and return its job id."""
    body = StreamingRequest(messages_config=MessagesConfig(receive_acknowledgments=True))
    created = parse(init_session, send(server, init_session.build_request(body=body)))
    assert isinstance(created, InitStreamingResponse)
    with connect(created.url, open_timeout=30) as socket:
        socket.send(tone(0.5))
        socket.send(json.dumps({"type": "stop_recording"}))
        for _ in socket:
            pass
    assert socket.close_code == 1000
    job_id = str(created.id)
    for _ in range(300):
        if server.job(job_id)["status"] == "done":
            return job_id
        asyncio.run(asyncio.sleep(0.05))
    raise AssertionError("the session never finished")


@pytest.fixture(scope="module")
def done_job(server: LocalGladiaServer) -> str:
    return finished_job(server)


def call(server: LocalGladiaServer, module: Any, run_async: bool, *args: Any, **kwargs: Any) -> tuple[int, Any]:
    """The status and the parsed answer of ``module``'s operation called with ``args`` and ``kwargs``."""
    response = send(server, module.build_request(*args, **kwargs), run_async=run_async)
    return response.status_code, parse(module, response)


def exchange(server: LocalGladiaServer, openapi: OpenAPI, kwargs: dict[str, Any], key: str = KEY) -> httpx.Response:
    """Send `build_request` output (possibly altered to go off the contract) and validate the response."""
    response = send(server, kwargs, key)
    if response.headers.get("content-type") == "application/octet-stream":
        # openapi-core 0.23 checks binary bodies against `type: string` and rejects bytes; check the
        # request side and the media type, and that the body is the WAV the spec describes.
        openapi.validate_request(HttpxOpenAPIRequest(response.request))
        assert response.content[:4] == b"RIFF"
    else:
        openapi.validate_response(HttpxOpenAPIRequest(response.request), HttpxOpenAPIResponse(response))
    return response


RUN_MODES = pytest.mark.parametrize("run_async", [False, True], ids=["sync", "async"])


@RUN_MODES
def test_init_session_201(server: LocalGladiaServer, run_async: bool) -> None:
    status, created = call(server, init_session, run_async, body=StreamingRequest())
    assert status == 201
    assert isinstance(created, InitStreamingResponse)
    assert created.url.startswith(server.base_url.replace("http://", "ws://") + "/v2/live?token=")


@RUN_MODES
def test_list_get_patch_audio_delete_success(server: LocalGladiaServer, run_async: bool) -> None:
    job_id = finished_job(server)
    status, page = call(server, list_jobs, run_async, limit=1)
    assert (status, type(page)) == (200, ListStreamingResponse)
    status, job = call(server, get_job, run_async, job_id)
    assert (status, type(job)) == (200, StreamingResponse)
    assert job.status.value == "done"
    status, patched = call(server, patch_job, run_async, job_id, body=PatchRequestParamsDTO.from_dict({"a": 1}))
    assert (status, patched) == (204, None)
    assert server.job(job_id)["post_session_metadata"] == {"a": 1}
    status, audio = call(server, get_audio, run_async, job_id)
    assert status == 200
    assert isinstance(audio, File)
    assert audio.payload.read()[:4] == b"RIFF"
    status, deleted = call(server, delete_job, run_async, job_id)
    assert (status, deleted) == (202, None)
    status, gone = call(server, get_job, run_async, job_id)
    assert (status, type(gone)) == (404, NotFoundErrorResponse)


def test_every_success_response_validates_against_the_spec(server: LocalGladiaServer, openapi: OpenAPI) -> None:
    job_id = finished_job(server)
    for kwargs in [
        init_session.build_request(body=StreamingRequest()),
        list_jobs.build_request(),
        get_job.build_request(job_id),
        patch_job.build_request(job_id, body=PatchRequestParamsDTO.from_dict({"k": "v"})),
        get_audio.build_request(job_id),
        delete_job.build_request(job_id),
    ]:
        response = exchange(server, openapi, kwargs)
        assert response.is_success, (kwargs, response.text)


ERROR_CASES: list[tuple[str, Any, Any, int, type]] = [
    (
        "init-bad-body",
        init_session,
        lambda j: {**init_session.build_request(body=StreamingRequest()), "json": {"channels": "two"}},
        400,
        BadRequestErrorResponse,
    ),
    (
        "init-no-key",
        init_session,
        lambda j: init_session.build_request(body=StreamingRequest()),
        401,
        UnauthorizedErrorResponse,
    ),
    ("list-no-key", list_jobs, lambda j: list_jobs.build_request(), 401, UnauthorizedErrorResponse),
    ("get-no-key", get_job, lambda j: get_job.build_request(j), 401, UnauthorizedErrorResponse),
    ("get-missing", get_job, lambda j: get_job.build_request(MISSING), 404, NotFoundErrorResponse),
    ("delete-missing", delete_job, lambda j: delete_job.build_request(MISSING), 404, NotFoundErrorResponse),
    ("delete-no-key", delete_job, lambda j: delete_job.build_request(j), 401, UnauthorizedErrorResponse),
    (
        "patch-not-object",
        patch_job,
        lambda j: {**patch_job.build_request(j, body=PatchRequestParamsDTO()), "json": [1, 2]},
        400,
        BadRequestErrorResponse,
    ),
    (
        "patch-too-large",
        patch_job,
        lambda j: patch_job.build_request(j, body=PatchRequestParamsDTO.from_dict({"blob": "x" * 110_000})),
        413,
        PayloadTooLargeErrorResponse,
    ),
    (
        "patch-missing",
        patch_job,
        lambda j: patch_job.build_request(MISSING, body=PatchRequestParamsDTO()),
        404,
        NotFoundErrorResponse,
    ),
    (
        "patch-no-key",
        patch_job,
        lambda j: patch_job.build_request(j, body=PatchRequestParamsDTO()),
        401,
        UnauthorizedErrorResponse,
    ),
    ("audio-missing", get_audio, lambda j: get_audio.build_request(MISSING), 404, NotFoundErrorResponse),
    ("audio-no-key", get_audio, lambda j: get_audio.build_request(j), 401, UnauthorizedErrorResponse),
]


@pytest.mark.parametrize(("name", "module", "build", "status", "model"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_documented_error_status(
    server: LocalGladiaServer,
    openapi: OpenAPI,
    done_job: str,
    name: str,
    module: Any,
    build: Any,
    status: int,
    model: type,
) -> None:
    key = "" if name.endswith("no-key") else KEY
    response = exchange(server, openapi, build(done_job), key=key)
    assert response.status_code == status
    parsed = module.parse_error(response)
    assert isinstance(parsed, model)
    assert parsed.message, "the server's message must reach the caller"
    assert str(parsed.request_id).startswith("G-")


def test_delete_of_a_session_still_recording_is_403(server: LocalGladiaServer, openapi: OpenAPI) -> None:
    created = parse(init_session, send(server, init_session.build_request(body=StreamingRequest())))
    assert isinstance(created, InitStreamingResponse)
    response = exchange(server, openapi, delete_job.build_request(str(created.id)))
    assert response.status_code == 403
    assert isinstance(delete_job.parse_error(response), ForbiddenErrorResponse)


@pytest.mark.parametrize(("status", "retry_after"), [(429, 2.0), (503, None), (520, None)])
def test_injected_rate_limit_and_server_errors_parse(
    server: LocalGladiaServer, openapi: OpenAPI, status: int, retry_after: float | None
) -> None:
    server.faults.fail_next("list_jobs", status=status, retry_after=retry_after)
    response = exchange(server, openapi, list_jobs.build_request())
    assert response.status_code == status
    if retry_after is not None:
        assert float(response.headers["retry-after"]) == retry_after
    assert isinstance(list_jobs.parse_error(response), ErrorResponse)
