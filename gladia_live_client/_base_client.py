"""What `GladiaLive` and `AsyncGladiaLive` share: building the `httpx` client, reading responses, paging.

Requests are built by the generated endpoint modules (``module._get_kwargs``) and success bodies parsed by
them (``module._parse_response``); this module only adds what the generated code does not do: typed errors,
the policy-carrying request extensions and the paging rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, TypeVar

import httpx

from . import _json
from ._error_body import status_error
from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    DeadlineExceededError,
    ResponseTooLargeError,
)
from ._limits import (
    BODY_PROBLEM,
    DOWNLOAD_ACCEPT_ENCODING,
    JSON_ACCEPT_ENCODING,
    RETRY_NOTE,
    BodyProblem,
    Call,
    DownloadCheck,
    RetryStopped,
)
from ._redaction import proxy_credentials, register, scrub_exception, url_credentials

if TYPE_CHECKING:
    from ._config import ClientConfig
    from ._generated.client import AuthenticatedClient
    from ._generated.models.list_streaming_response import ListStreamingResponse

__all__ = [
    "OPERATION_METHODS",
    "api_client",
    "check_download",
    "connection_error",
    "download_error",
    "download_kwargs",
    "httpx_client_options",
    "new_call",
    "stopped",
    "next_page_filters",
    "parse_empty",
    "parse_model",
    "raise_for_status",
]

T = TypeVar("T")

# Every operationId of openapi.yaml and the client methods that implement it (same name unless listed here).
# tests/client/test_completeness.py fails when the spec gains an operation that has no method on both classes.
OPERATION_METHODS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "init_session": ("init_session",),
        "list_jobs": ("list_jobs", "iter_jobs"),
        "get_job": ("get_job",),
        "delete_job": ("delete_job",),
        "patch_job": ("patch_job",),
        "get_audio": ("download_audio", "iter_audio"),
    }
)


def api_client(config: ClientConfig) -> AuthenticatedClient:
    """The generated client holding the settings; its ``_parse_response`` calls need it, and it owns auth."""
    from ._generated.client import AuthenticatedClient

    api = AuthenticatedClient(
        base_url=config.base_url,
        token=config.api_key,
        timeout=config.timeout,
        raise_on_unexpected_status=True,
    )
    # Masked in every message, log record and repr for as long as the client lives (it holds `api`).
    register(api, config.api_key, *url_credentials(config.base_url), *proxy_credentials(True))
    return api


def httpx_client_options(api: AuthenticatedClient, config: ClientConfig) -> dict[str, Any]:
    """Keyword arguments shared by the `httpx.Client` and `httpx.AsyncClient` of the two classes."""
    from ._version import __version__

    return {
        "base_url": config.base_url,
        "headers": {
            api.auth_header_name: api.auth_header_value(),
            "user-agent": f"gladia-live-client/{__version__} httpx/{httpx.__version__}",
            # What `._limits` can decompress with a bounded output; downloads ask for identity instead.
            "accept-encoding": JSON_ACCEPT_ENCODING,
        },
        "timeout": config.timeout,
        "follow_redirects": False,
    }


def describe(request_kwargs: Mapping[str, Any]) -> tuple[str, str]:
    """Method and path of a request built by ``_get_kwargs`` (the query string is left out)."""
    return str(request_kwargs["method"]).upper(), str(request_kwargs["url"])


def new_call(
    request_kwargs: Mapping[str, Any], config: ClientConfig, *, stream: bool = False, deadline: float | None = None
) -> Call:
    """The limits of one call (see `._limits`): the client's, or a download's own ``deadline``."""
    method, path = describe(request_kwargs)
    return Call(
        method,
        path,
        deadline=config.deadline if deadline is None else deadline,
        max_response_bytes=config.max_response_bytes,
        stream=stream,
    )


def connection_error(
    exc: Exception, request_kwargs: Mapping[str, Any], call: Call | None = None, note: str | None = None
) -> APIConnectionError:
    """The typed exception for a transport failure (raise it ``from exc``).

    ``exc`` and the exceptions chained to it are masked in place: a server can echo the key into a garbage
    status line, which h11, httpcore and httpx all quote in their messages, and so in the traceback.
    """
    scrub_exception(exc)
    method, path = describe(request_kwargs)
    if call is not None and (call.deadline_hit or call.remaining() <= 0):
        return DeadlineExceededError(
            f"Deadline exceeded: {method} {path} did not end within the call's deadline of {call.deadline:g} s "
            "(connecting, every attempt, the waits between retries and the body all count; "
            "pass a larger deadline= to the client)",
            deadline=call.deadline,
            method=method,
            path=path,
        )
    cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    what = "Request timed out" if cls is APITimeoutError else "Connection error"
    detail = str(exc).strip()
    detail = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    suffix = f"; {note}" if note else ""
    return cls(f"{what}: {method} {path} ({detail}){suffix}", method=method, path=path)


def stopped(stop: RetryStopped, request_kwargs: Mapping[str, Any], call: Call) -> httpx.Response:
    """The last answer when the retry policy stopped short of the deadline, noted; an exception is raised."""
    if isinstance(stop.outcome, httpx.Response):
        stop.outcome.extensions[RETRY_NOTE] = stop.note
        return stop.outcome
    raise connection_error(stop.outcome, request_kwargs, call, stop.note) from stop.outcome


def download_kwargs(request_kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The request of a download: no content encoding, so the bytes counted are the bytes of the file."""
    headers = {**request_kwargs.get("headers", {}), "accept-encoding": DOWNLOAD_ACCEPT_ENCODING}
    return {**request_kwargs, "headers": headers}


def check_download(response: httpx.Response, config: ClientConfig) -> DownloadCheck:
    """Raise for an error status or a refused answer; else what counts the body's bytes as they arrive."""
    raise_for_status(response, config)
    problem = response.extensions.get(BODY_PROBLEM)
    if problem is not None:
        raise APIResponseValidationError(
            f"get_audio: the response was refused: {problem}", response=response, request_id=None, body=None
        )
    return DownloadCheck(response)


def download_error(reason: str, request_kwargs: Mapping[str, Any]) -> APIConnectionError:
    """The typed exception for a download whose body does not match its Content-Length."""
    method, path = describe(request_kwargs)
    return APIConnectionError(f"Connection error: {method} {path} ({reason})", method=method, path=path)


def raise_for_status(response: httpx.Response, config: ClientConfig) -> None:
    """Raise the typed `APIStatusError` for a non-success response (its body must have been read)."""
    if not response.is_success:
        error = status_error(response, secret=config.api_key)
        notes = [
            str(note) for note in (response.extensions.get(BODY_PROBLEM), response.extensions.get(RETRY_NOTE)) if note
        ]
        if notes:
            # What the client dropped or decided is part of the message, after what the server said.
            error.message = f"{error.message} ({'; '.join(notes)})"
            error.args = (error.message,)
        raise error


def _check_body(response: httpx.Response, operation: str, config: ClientConfig) -> None:
    """Refuse a success body that the limits transport dropped (too large, or not decodable)."""
    problem: BodyProblem | None = response.extensions.get(BODY_PROBLEM)
    if problem is not None and problem.too_large:
        method, path = response.request.method, response.request.url.path
        raise ResponseTooLargeError(
            f"{operation}: the answer to {method} {path} was refused: {problem}, counted after decompression; "
            "pass a larger max_response_bytes= to the client if such answers are expected",
            limit=config.max_response_bytes,
            status_code=response.status_code,
            method=method,
            path=path,
        )
    if problem is not None:
        raise APIResponseValidationError(
            f"{operation}: the response was refused: {problem}", response=response, request_id=None, body=None
        )


def _parse(
    parse_response: Callable[..., object],
    api: AuthenticatedClient,
    response: httpx.Response,
    operation: str,
    config: ClientConfig,
) -> object:
    from ._generated.errors import UnexpectedStatus

    raise_for_status(response, config)
    _check_body(response, operation, config)
    try:
        return parse_response(client=api, response=response)
    except UnexpectedStatus:
        message = f"{operation}: status {response.status_code} is not a success status of this operation"
    except RecursionError:
        # json's C decoder stops at the interpreter's recursion limit, long before a hostile body's 100,000
        # levels, and fast; the models walk only the contract's shape, which nests less than ten levels.
        message = f"{operation}: the response body nests arrays and objects too deeply to parse"
    except (ValueError, TypeError, KeyError, AttributeError, MemoryError) as exc:
        message = f"{operation}: the response body does not match the contract ({type(exc).__name__}: {exc})"
    raise APIResponseValidationError(message, response=response, request_id=None, body=_body_of(response))


def parse_model(
    parse_response: Callable[..., object],
    api: AuthenticatedClient,
    response: httpx.Response,
    expected: type[T],
    operation: str,
    config: ClientConfig,
) -> T:
    """The success model of a read response, or the typed error."""
    parsed = _parse(parse_response, api, response, operation, config)
    if not isinstance(parsed, expected):
        raise APIResponseValidationError(
            f"{operation}: expected a {expected.__name__}, the response parsed as {type(parsed).__name__}",
            response=response,
            request_id=None,
            body=_body_of(response),
        )
    return parsed


def parse_empty(
    parse_response: Callable[..., object],
    api: AuthenticatedClient,
    response: httpx.Response,
    operation: str,
    config: ClientConfig,
) -> None:
    """Check a bodiless success response (202, 204) or raise the typed error."""
    _parse(parse_response, api, response, operation, config)


def next_page_filters(
    page: ListStreamingResponse, filters: Mapping[str, Any], response: httpx.Response
) -> dict[str, Any] | None:
    """The filters of the page after ``page``: the same ones with the ``offset`` of its ``next`` link.

    Only the offset is taken from ``next``: the link may name another host (a proxy, a regional endpoint) and
    upstream spreads ``custom_metadata`` over the query string in it, so the request is rebuilt from the
    caller's filters. ``None`` on the last page.
    """
    if page.next_ is None or not page.items:
        return None
    offset = int(filters.get("offset", 0))
    raw = httpx.URL(page.next_).params.get("offset")
    try:
        next_offset = int(raw) if raw is not None else offset + len(page.items)
    except ValueError:
        next_offset = -1
    if next_offset <= offset:
        raise APIResponseValidationError(
            f"list_jobs: the next link {page.next_!r} does not move past offset {offset}",
            response=response,
            request_id=None,
            body=_body_of(response),
        )
    return {**filters, "offset": next_offset}


def _body_of(response: httpx.Response) -> Any:
    try:
        return _json.loads(response.content)
    except ValueError:
        return response.text or None
