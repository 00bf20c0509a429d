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

from ._error_body import status_error
from ._exceptions import APIConnectionError, APIResponseValidationError, APITimeoutError
from ._redaction import proxy_credentials, register, scrub_exception, url_credentials

if TYPE_CHECKING:
    from ..client import AuthenticatedClient
    from ..models.list_streaming_response import ListStreamingResponse
    from ._config import ClientConfig

__all__ = [
    "OPERATION_METHODS",
    "api_client",
    "connection_error",
    "httpx_client_options",
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
    from ..client import AuthenticatedClient

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
    from .. import __version__

    return {
        "base_url": config.base_url,
        "headers": {
            api.auth_header_name: api.auth_header_value(),
            "user-agent": f"gladia-live-client/{__version__} httpx/{httpx.__version__}",
        },
        "timeout": config.timeout,
        "follow_redirects": False,
    }


def describe(request_kwargs: Mapping[str, Any]) -> tuple[str, str]:
    """Method and path of a request built by ``_get_kwargs`` (the query string is left out)."""
    return str(request_kwargs["method"]).upper(), str(request_kwargs["url"])


def connection_error(exc: httpx.RequestError, request_kwargs: Mapping[str, Any]) -> APIConnectionError:
    """The typed exception for a transport failure (raise it ``from exc``).

    ``exc`` and the exceptions chained to it are masked in place: a server can echo the key into a garbage
    status line, which h11, httpcore and httpx all quote in their messages, and so in the traceback.
    """
    scrub_exception(exc)
    method, path = describe(request_kwargs)
    cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    what = "Request timed out" if cls is APITimeoutError else "Connection error"
    detail = str(exc).strip()
    detail = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return cls(f"{what}: {method} {path} ({detail})", method=method, path=path)


def raise_for_status(response: httpx.Response, config: ClientConfig) -> None:
    """Raise the typed `APIStatusError` for a non-success response (its body must have been read)."""
    if not response.is_success:
        raise status_error(response, secret=config.api_key)


def _parse(
    parse_response: Callable[..., object],
    api: AuthenticatedClient,
    response: httpx.Response,
    operation: str,
    config: ClientConfig,
) -> object:
    from ..errors import UnexpectedStatus

    raise_for_status(response, config)
    try:
        return parse_response(client=api, response=response)
    except UnexpectedStatus:
        message = f"{operation}: status {response.status_code} is not a success status of this operation"
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
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
        return response.json()
    except ValueError:
        return response.text or None
