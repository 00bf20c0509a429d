"""Every non-success response becomes the right typed exception, whatever its body looks like."""

from __future__ import annotations

import httpx
import pytest

from gladia_live_client import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    GladiaError,
    InternalServerError,
    InvalidRequestError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)

from ._mock import JOB_ID, SECRET, Script, error

STATUS_CLASSES = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    413: PayloadTooLargeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    500: InternalServerError,
    502: InternalServerError,
    503: InternalServerError,
    520: InternalServerError,
    405: APIStatusError,
    409: APIStatusError,
}


def raised(response: httpx.Response) -> APIStatusError:
    """The exception `get_job` raises for ``response`` (no retries, so the response is the one given)."""
    with Script(response).sync_client(max_retries=0) as gladia, pytest.raises(APIStatusError) as info:
        gladia.get_job(JOB_ID)
    return info.value


def test_hierarchy() -> None:
    for cls in set(STATUS_CLASSES.values()):
        assert issubclass(cls, APIStatusError)
    assert issubclass(APIStatusError, APIError)
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(APIConnectionError, APIError)
    assert issubclass(APIResponseValidationError, APIError)
    assert issubclass(APIError, GladiaError)
    assert issubclass(InvalidRequestError, GladiaError)
    assert issubclass(InvalidRequestError, ValueError)
    assert issubclass(ConfigurationError, GladiaError)
    assert issubclass(ConfigurationError, ValueError)


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES.items())
def test_each_status_maps_to_its_exception_with_message_and_request_id(status: int, cls: type[Exception]) -> None:
    exc = raised(error(status, message=f"message of {status}", request_id="G-1a2b3c4d"))
    assert type(exc) is cls
    assert exc.status_code == status
    assert exc.message == f"message of {status}"
    assert exc.request_id == "G-1a2b3c4d"
    assert exc.body["statusCode"] == status
    assert exc.response.status_code == status
    assert (exc.method, exc.path) == ("GET", f"/v2/live/{JOB_ID}")
    text = str(exc)
    assert text.startswith(f"{status} ")
    assert f"message of {status}" in text
    assert "G-1a2b3c4d" in text


def test_validation_errors_are_kept_and_printed() -> None:
    exc = raised(
        error(
            400,
            message="Invalid request",
            validation_errors=["encoding must be one of wav/pcm, wav/alaw", {"loc": ["body", "channels"], "msg": "x"}],
        )
    )
    assert isinstance(exc, BadRequestError)
    assert exc.validation_errors[0] == "encoding must be one of wav/pcm, wav/alaw"
    assert exc.validation_errors[1] == {"loc": ["body", "channels"], "msg": "x"}
    assert "encoding must be one of wav/pcm, wav/alaw" in str(exc)
    assert '"loc":["body","channels"]' in str(exc)
    assert "validation_errors=" in repr(exc)


def test_nest_style_message_list_becomes_validation_errors() -> None:
    exc = raised(httpx.Response(400, json={"statusCode": 400, "message": ["a must be set"], "error": "Bad Request"}))
    assert exc.message == "Bad Request"
    assert exc.validation_errors == ["a must be set"]


def test_html_body_from_a_gateway() -> None:
    page = "<html><head><title>502 Bad Gateway</title><style>h1{}</style></head><body><h1>502 Bad Gateway</h1>"
    page += "<hr><center>nginx</center></body></html>"
    exc = raised(httpx.Response(502, text=page, headers={"content-type": "text/html"}))
    assert isinstance(exc, InternalServerError)
    assert exc.message == "502 Bad Gateway 502 Bad Gateway nginx"
    assert exc.request_id is None
    assert exc.body == page
    assert "<" not in str(exc)
    assert "no request id" in str(exc)


def test_long_text_body_is_shortened_in_the_message() -> None:
    exc = raised(httpx.Response(503, text="x" * 5000))
    assert len(exc.message) <= 300
    assert exc.message.endswith("...")
    assert exc.body == "x" * 5000


@pytest.mark.parametrize("content", [b"", b"   \n"])
def test_empty_body_gives_the_reason_phrase(content: bytes) -> None:
    exc = raised(httpx.Response(503, content=content))
    assert isinstance(exc, InternalServerError)
    assert exc.message == "Service Unavailable"
    assert exc.body is None
    assert str(exc) == "503 Service Unavailable: Service Unavailable [no request id]"


def test_truncated_json_keeps_what_can_be_read() -> None:
    exc = raised(httpx.Response(404, content=b'{"request_id":"G-99aa88bb","message":"Job not found","statusCo'))
    assert isinstance(exc, NotFoundError)
    assert (exc.message, exc.request_id) == ("Job not found", "G-99aa88bb")

    exc = raised(httpx.Response(401, content=b'{"timestamp":"2024-01-01T00:00:00.000Z","message":"gladia us'))
    assert isinstance(exc, AuthenticationError)
    assert exc.message == "Unauthorized"
    assert exc.request_id is None


@pytest.mark.parametrize("body", [{}, {"message": None, "request_id": 12}, [1, 2], "just a string", 42])
def test_json_missing_or_odd_fields(body: object) -> None:
    exc = raised(httpx.Response(403, json=body))
    assert isinstance(exc, PermissionDeniedError)
    assert exc.message == "Forbidden"
    assert exc.request_id is None
    assert exc.body == body


def test_request_id_from_a_header_when_the_body_has_none() -> None:
    exc = raised(httpx.Response(500, text="oops", headers={"x-request-id": "G-fromhead"}))
    assert exc.request_id == "G-fromhead"
    assert exc.message == "oops"


def test_redirects_are_not_followed_and_raise() -> None:
    exc = raised(httpx.Response(302, headers={"location": "https://elsewhere.example/"}))
    assert type(exc) is APIStatusError
    assert exc.status_code == 302


def test_an_echoed_api_key_is_redacted() -> None:
    exc = raised(error(401, message=f"bad key {SECRET}", validation_errors=[f"key {SECRET} unknown"]))
    assert SECRET not in str(exc)
    assert SECRET not in repr(exc)
    assert exc.message == "bad key ***"


@pytest.mark.parametrize(
    ("exc", "cls", "name"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), APIConnectionError, "ConnectError"),
        (httpx.RemoteProtocolError("Server disconnected"), APIConnectionError, "RemoteProtocolError"),
        (httpx.ReadTimeout("timed out"), APITimeoutError, "ReadTimeout"),
        (httpx.ConnectTimeout(""), APITimeoutError, "ConnectTimeout"),
    ],
)
def test_transport_failures_are_typed(exc: Exception, cls: type[APIError], name: str) -> None:
    script = Script(exc)
    with script.sync_client(max_retries=0) as gladia, pytest.raises(APIConnectionError) as info:
        gladia.get_job(JOB_ID)
    assert type(info.value) is cls
    assert info.value.__cause__ is exc
    assert f"GET /v2/live/{JOB_ID}" in str(info.value)
    assert name in str(info.value)
    assert (info.value.method, info.value.path) == ("GET", f"/v2/live/{JOB_ID}")


def test_success_body_that_breaks_the_contract() -> None:
    for response in [
        httpx.Response(200, json={"id": JOB_ID}),  # required fields missing
        httpx.Response(200, text="<html>maintenance</html>"),
        httpx.Response(201, json={}),  # not a success status of get_job
    ]:
        with Script(response).sync_client() as gladia, pytest.raises(APIResponseValidationError) as info:
            gladia.get_job(JOB_ID)
        assert info.value.status_code == response.status_code
        assert "get_job" in str(info.value)


async def test_async_client_raises_the_same_errors() -> None:
    script = Script(error(404, message="Job not found", request_id="G-0a0b0c0d"))
    async with script.async_client() as gladia:
        with pytest.raises(NotFoundError) as info:
            await gladia.get_job(JOB_ID)
    assert (info.value.message, info.value.request_id) == ("Job not found", "G-0a0b0c0d")

    async with Script(httpx.ConnectError("refused")).async_client(max_retries=0) as gladia:
        with pytest.raises(APIConnectionError):
            await gladia.delete_job(JOB_ID)
