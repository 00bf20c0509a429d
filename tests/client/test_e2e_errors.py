"""End to end over loopback: each error status of the local server maps to its exception, message and request id."""

from __future__ import annotations

import re
from typing import Any

import pytest

from gladia_live_client import (
    APIStatusError,
    AsyncGladiaLive,
    AuthenticationError,
    BadRequestError,
    GladiaLive,
    InternalServerError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
REQUEST_ID = re.compile(r"G-[0-9a-f]{8}")


def check(exc: APIStatusError, status: int, message: str) -> None:
    """The exception carries the server's own message and request id, and prints them."""
    body = exc.response.json()
    assert exc.status_code == status == body["statusCode"]
    assert exc.message == message == body["message"]
    assert exc.request_id == body["request_id"]
    assert REQUEST_ID.fullmatch(exc.request_id or "")
    assert f"{status} " in str(exc)
    assert message in str(exc)
    assert exc.request_id in str(exc)


def test_401_unknown_key(server: Any) -> None:
    with (
        GladiaLive(api_key="not-the-key", base_url=server.base_url) as gladia,
        pytest.raises(AuthenticationError) as info,
    ):
        gladia.get_job(UNKNOWN_ID)
    check(info.value, 401, "gladia user not found")


def test_404_unknown_job(gladia: GladiaLive) -> None:
    with pytest.raises(NotFoundError) as info:
        gladia.get_job(UNKNOWN_ID)
    check(info.value, 404, info.value.response.json()["message"])
    assert UNKNOWN_ID in info.value.message


def test_400_with_validation_errors(gladia: GladiaLive) -> None:
    with pytest.raises(BadRequestError) as info:
        gladia.init_session({"encoding": "wav/pcm", "channels": 1000})
    check(info.value, 400, info.value.response.json()["message"])
    assert info.value.validation_errors == info.value.response.json()["validation_errors"]
    assert info.value.validation_errors
    assert all(problem in str(info.value) for problem in info.value.validation_errors)


def test_403_deleting_a_job_still_in_progress(gladia: GladiaLive, server: Any) -> None:
    session = gladia.init_session({"encoding": "wav/pcm"})
    with pytest.raises(PermissionDeniedError) as info:
        gladia.delete_job(session.id)
    check(info.value, 403, info.value.response.json()["message"])
    assert server.job(str(session.id))["status"] == "queued"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (413, PayloadTooLargeError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (504, InternalServerError),
        (520, InternalServerError),
    ],
)
def test_injected_statuses(server: Any, status: int, cls: type[APIStatusError]) -> None:
    # Faults every attempt may meet, so the retried statuses end as the exception too.
    server.faults.fail_next("patch_job", status=status, count=3, retry_after=0.01)
    with GladiaLive(api_key=server.api_key, base_url=server.base_url) as gladia, pytest.raises(cls) as info:
        gladia.patch_job(UNKNOWN_ID, {"note": "x"})
    assert type(info.value) is cls
    check(info.value, status, info.value.response.json()["message"])


def test_a_chosen_body_is_read_exactly(server: Any, gladia: GladiaLive) -> None:
    server.faults.fail_next(
        "get_job",
        status=422,
        body={"statusCode": 422, "message": "cannot process", "request_id": "G-0badf00d", "validation_errors": ["x"]},
    )
    with pytest.raises(UnprocessableEntityError) as info:
        gladia.get_job(UNKNOWN_ID)
    assert (info.value.message, info.value.request_id, info.value.validation_errors) == (
        "cannot process",
        "G-0badf00d",
        ["x"],
    )


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        ("<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>", "text/html", "502 Bad Gateway nginx"),
        ("", None, "Bad Gateway"),
        (b'{"message":"upstream down","request_id":"G-1234abcd","stat', "application/json", "upstream down"),
        ({"error": "no fields we know"}, None, "no fields we know"),
    ],
    ids=["html", "empty", "truncated-json", "missing-fields"],
)
def test_odd_bodies_still_give_the_typed_error(server: Any, body: Any, content_type: str | None, message: str) -> None:
    server.faults.fail_next("get_job", status=502, body=body, content_type=content_type)
    with (
        GladiaLive(api_key=server.api_key, base_url=server.base_url, max_retries=0) as gladia,
        pytest.raises(InternalServerError) as info,
    ):
        gladia.get_job(UNKNOWN_ID)
    assert info.value.status_code == 502
    assert info.value.message == message
    if isinstance(body, bytes):
        assert info.value.request_id == "G-1234abcd"


async def test_async_client_maps_the_same_errors(server: Any, agladia: AsyncGladiaLive) -> None:
    with pytest.raises(NotFoundError) as info:
        await agladia.get_job(UNKNOWN_ID)
    check(info.value, 404, info.value.response.json()["message"])
    async with AsyncGladiaLive(api_key="wrong", base_url=server.base_url) as wrong:
        with pytest.raises(AuthenticationError) as auth:
            await wrong.list_jobs()
    check(auth.value, 401, "gladia user not found")
