"""`BaseGladiaLive`: everything `GladiaLive` and `AsyncGladiaLive` do that needs no I/O.

The settings, the headers (the API key, the User-Agent), each operation's request (built by the public
``build_request`` of its generated endpoint module, after the arguments are checked), the reading of each
answer (typed errors first, then the module's ``parse_response``), the paging rule and the download checks.
The twins add only the sending: ``_async_client.py`` by hand, ``_client.py`` generated from it by
``scripts/unasync.py``. The endpoint modules and models are imported on first use, which keeps
``import gladia_live_client`` cheap.
"""

from __future__ import annotations

import copy as _copy
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Self, TypeVar

import httpx

from . import _json, _validation
from ._config import resolve_config
from ._error_body import status_error
from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    ClientClosedError,
    DeadlineExceededError,
    InvalidRequestError,
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
from ._options import CallOptions, resolve_options
from ._raw_response import note_response
from ._redaction import proxy_credentials, redact, register, scrub_exception, url_credentials

if TYPE_CHECKING:
    from ._config import ClientConfig
    from ._generated.models.init_streaming_response import InitStreamingResponse
    from ._generated.models.list_streaming_response import ListStreamingResponse
    from ._generated.models.patch_request_params_dto import PatchRequestParamsDTO
    from ._generated.models.streaming_request import StreamingRequest
    from ._generated.models.streaming_response import StreamingResponse
    from ._generated.models.streaming_supported_regions import StreamingSupportedRegions
    from ._retries import RetryPolicy
    from ._validation import JobId

__all__ = ["API_KEY_HEADER", "OPERATION_METHODS", "BaseGladiaLive", "operation_methods"]

T = TypeVar("T")

# The header of openapi.yaml's security scheme (``x_gladia_key``): the key as is, no "Bearer" prefix.
API_KEY_HEADER: Final = "x-gladia-key"

# The client methods of the operations of openapi.yaml whose methods are not named after the operation id
# (`operation_methods`); the spec is the one list of operations. tests/client/test_completeness.py fails when
# the spec gains an operation that has no method on both classes.
OPERATION_METHODS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "list_jobs": ("list_jobs", "iter_jobs"),
        "get_audio": ("download_audio", "iter_audio"),
    }
)


def operation_methods(operation_id: str) -> tuple[str, ...]:
    """The client methods that implement the spec's operation ``operation_id``."""
    return OPERATION_METHODS.get(operation_id, (operation_id,))


class BaseGladiaLive:
    """The settings and every I/O-free step of the REST operations; `GladiaLive` and `AsyncGladiaLive` send.

    Request builders (``_<operation>_request``) check the caller's arguments and return httpx keyword
    arguments; readers (``_read_<operation>``) turn an answer into the operation's model or a typed error.
    """

    _config: ClientConfig
    _retry: RetryPolicy
    _http: httpx.Client | httpx.AsyncClient

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | None,
        timeout: float | httpx.Timeout,
        max_retries: int,
        deadline: float,
        max_response_bytes: int,
        trust_env: bool,
        allow_cleartext_websocket: bool,
    ) -> None:
        from ._retries import RetryPolicy

        # Settings a later `live()` (the WebSocket session) reads too: base URL, API key, timeout.
        self._config = resolve_config(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            deadline=deadline,
            max_response_bytes=max_response_bytes,
            allow_cleartext_websocket=allow_cleartext_websocket,
            trust_env=trust_env,
        )
        self._retry = RetryPolicy(self._config.max_retries)
        # False in a `with_options` copy: the connection pool is the original's, closed with it alone.
        self._owns_http = True
        # Masked in every message, log record and repr for as long as the client lives.
        register(self, self._config.api_key, *url_credentials(self._config.base_url), *proxy_credentials(True))

    def with_options(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        deadline: float | None = None,
        max_response_bytes: int | None = None,
        allow_cleartext_websocket: bool | None = None,
    ) -> Self:
        """A copy of this client with the settings given changed (the others kept), sharing its connection pool.

        The arguments mean what they mean to the constructor; a value left out (``None``) keeps this client's.
        The copy sends through the same connections (and the same ``transport=`` or ``http_client=``), so
        copies are cheap: make one per use (``client.with_options(timeout=5).get_job(id)``). Closing the copy
        closes nothing; closing the original closes the pool for every copy, which cannot send afterwards.
        """
        from ._retries import RetryPolicy

        config = self._config
        copy = _copy.copy(self)
        copy._config = resolve_config(
            api_key=config.api_key if api_key is None else api_key,
            base_url=config.base_url if base_url is None else base_url,
            timeout=config.timeout if timeout is None else timeout,
            max_retries=config.max_retries if max_retries is None else max_retries,
            deadline=config.deadline if deadline is None else deadline,
            max_response_bytes=config.max_response_bytes if max_response_bytes is None else max_response_bytes,
            allow_cleartext_websocket=(
                config.allow_cleartext_websocket if allow_cleartext_websocket is None else allow_cleartext_websocket
            ),
            trust_env=config.trust_env,
        )
        copy._retry = RetryPolicy(copy._config.max_retries)
        copy._owns_http = False
        register(copy, copy._config.api_key, *url_credentials(copy._config.base_url), *proxy_credentials(True))
        return copy

    @property
    def base_url(self) -> str:
        return self._config.base_url

    @property
    def max_retries(self) -> int:
        return self._config.max_retries

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={redact(self.base_url)!r}, max_retries={self.max_retries})"

    def _default_headers(self) -> dict[str, str]:
        """The headers of every request: the API key, the User-Agent, the encodings `._limits` can bound."""
        from ._version import __version__

        return {
            API_KEY_HEADER: self._config.api_key,
            "user-agent": f"gladia-live-client/{__version__} httpx/{httpx.__version__}",
            # What `._limits` can decompress with a bounded output; downloads ask for identity instead.
            "accept-encoding": JSON_ACCEPT_ENCODING,
        }

    def _httpx_options(self) -> dict[str, Any]:
        """Keyword arguments of the `httpx.Client` or `httpx.AsyncClient` (transports aside)."""
        return {
            "base_url": self._config.base_url,
            "headers": self._default_headers(),
            "timeout": self._config.timeout,
            "follow_redirects": False,
            "trust_env": self._config.trust_env,
        }

    # -- requests --------------------------------------------------------------------------------------------

    def _init_session_request(
        self,
        request: StreamingRequest | Mapping[str, Any],
        region: StreamingSupportedRegions | str | None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        from ._generated.api.live_v2 import init_session
        from ._generated.types import UNSET

        region_value = _validation.region(region)
        return init_session.build_request(
            body=_validation.streaming_request(request, extra_body),
            region=UNSET if region_value is None else region_value,
        )

    def _get_job_request(self, id: JobId) -> dict[str, Any]:
        from ._generated.api.live_v2 import get_job

        return get_job.build_request(_validation.job_id(id))

    def _list_jobs_request(self, filters: Mapping[str, Any]) -> dict[str, Any]:
        from ._generated.api.live_v2 import list_jobs

        request = list_jobs.build_request(**filters)
        _validation.check_custom_metadata_filter(request)
        return request

    def _delete_job_request(self, id: JobId) -> dict[str, Any]:
        from ._generated.api.live_v2 import delete_job

        return delete_job.build_request(_validation.job_id(id))

    def _patch_job_request(
        self,
        id: JobId,
        metadata: Mapping[str, Any] | PatchRequestParamsDTO,
        extra_body: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        from ._generated.api.live_v2 import patch_job

        job = _validation.job_id(id)
        request = patch_job.build_request(job, body=_validation.patch_body(metadata))
        if extra_body is not None:
            if not isinstance(extra_body, Mapping):
                raise InvalidRequestError(
                    f"extra_body must be a mapping of JSON fields, not {type(extra_body).__name__}."
                )
            request["json"] = _validation.merge_json(request["json"], extra_body)
        _validation.check_patch_size(request)
        return request

    def _get_audio_request(self, id: JobId) -> dict[str, Any]:
        """The download's request: no content encoding, so the bytes counted are the bytes of the file."""
        from ._generated.api.live_v2 import get_audio

        request = get_audio.build_request(_validation.job_id(id))
        request["headers"] = {**request.get("headers", {}), "accept-encoding": DOWNLOAD_ACCEPT_ENCODING}
        return request

    def _options(self, options: Mapping[str, Any]) -> CallOptions:
        """The settings of one call: the client's, overridden by the method's per-call keyword arguments."""
        return resolve_options(self._config, options)

    def _prepare(
        self, request: Mapping[str, Any], options: CallOptions, *, create_session: bool = False
    ) -> dict[str, Any]:
        """The httpx keyword arguments of ``request`` as sent: the API key, the call's options and retry policy.

        The URL is absolute and the API key is set on each request (not only on the `httpx` client), so a
        `with_options` copy and a caller's ``http_client`` send exactly what this client means to send.
        """
        from ._retries import RetryPolicy

        if self._http.is_closed:  # httpx's own error would be a bare RuntimeError
            raise ClientClosedError(
                f"this {type(self).__name__} is closed and cannot send; create a new client "
                "(a with_options copy is closed with the client it was made from)"
            )
        policy = self._retry if options.max_retries == self._retry.max_retries else RetryPolicy(options.max_retries)
        headers = httpx.Headers(self._default_headers())
        headers.update(request.get("headers") or {})
        headers.update(options.headers)  # the API key cannot be among them (see `._options`)
        params = {**(request.get("params") or {}), **options.params}
        sent = {name: value for name, value in request.items() if name not in ("headers", "params", "url")}
        return {
            **sent,
            "url": self._config.base_url + str(request["url"]),
            "headers": headers,
            "params": params or None,
            "timeout": options.timeout,
            "extensions": {"retry": policy.create_session if create_session else policy.default},
        }

    # -- answers ---------------------------------------------------------------------------------------------

    def _read_init_session(self, response: httpx.Response) -> InitStreamingResponse:
        from ._generated.api.live_v2 import init_session

        return self._read(init_session.parse_response, response, "init_session")

    def _read_get_job(self, response: httpx.Response) -> StreamingResponse:
        from ._generated.api.live_v2 import get_job

        return self._read(get_job.parse_response, response, "get_job")

    def _read_list_jobs(self, response: httpx.Response) -> ListStreamingResponse:
        from ._generated.api.live_v2 import list_jobs

        return self._read(list_jobs.parse_response, response, "list_jobs")

    def _read_delete_job(self, response: httpx.Response) -> None:
        from ._generated.api.live_v2 import delete_job

        self._read(delete_job.parse_response, response, "delete_job")

    def _read_patch_job(self, response: httpx.Response) -> None:
        from ._generated.api.live_v2 import patch_job

        self._read(patch_job.parse_response, response, "patch_job")

    def _read(self, parse_response: Callable[[httpx.Response], T], response: httpx.Response, operation: str) -> T:
        """The success model of ``response``, or the typed error: status, refused body, body off the contract."""
        from ._generated.errors import UnexpectedStatus

        self._raise_for_status(response)
        self._check_body(response, operation)
        try:
            return parse_response(response)
        except UnexpectedStatus:
            message = f"{operation}: status {response.status_code} is not a success status of this operation"
        except RecursionError:
            # json's C decoder stops at the interpreter's recursion limit, long before a hostile body's 100,000
            # levels, and fast; the models walk only the contract's shape, which nests less than ten levels.
            message = f"{operation}: the response body nests arrays and objects too deeply to parse"
        except (ValueError, TypeError, KeyError, AttributeError, MemoryError) as exc:
            message = f"{operation}: the response body does not match the contract ({type(exc).__name__}: {exc})"
        raise APIResponseValidationError(message, response=response, request_id=None, body=_body_of(response))

    def _raise_for_status(self, response: httpx.Response) -> None:
        """Raise the typed `APIStatusError` for a non-success response (its body must have been read)."""
        if not response.is_success:
            error = status_error(response, secret=self._config.api_key)
            notes = [
                str(note)
                for note in (response.extensions.get(BODY_PROBLEM), response.extensions.get(RETRY_NOTE))
                if note
            ]
            if notes:
                # What the client dropped or decided is part of the message, after what the server said.
                error.message = f"{error.message} ({'; '.join(notes)})"
                error.args = (error.message,)
            raise error

    def _check_body(self, response: httpx.Response, operation: str) -> None:
        """Refuse a success body that the limits transport dropped (too large, or not decodable)."""
        problem: BodyProblem | None = response.extensions.get(BODY_PROBLEM)
        if problem is not None and problem.too_large:
            method, path = response.request.method, response.request.url.path
            raise ResponseTooLargeError(
                f"{operation}: the answer to {method} {path} was refused: {problem}, counted after decompression; "
                "pass a larger max_response_bytes= to the client if such answers are expected",
                limit=self._config.max_response_bytes,
                status_code=response.status_code,
                method=method,
                path=path,
            )
        if problem is not None:
            raise APIResponseValidationError(
                f"{operation}: the response was refused: {problem}", response=response, request_id=None, body=None
            )

    @staticmethod
    def _next_page_filters(
        page: ListStreamingResponse, filters: Mapping[str, Any], response: httpx.Response
    ) -> dict[str, Any] | None:
        """The filters of the page after ``page``: the same ones with the ``offset`` of its ``next`` link.

        Only the offset is taken from ``next``: the link may name another host (a proxy, a regional endpoint)
        and upstream spreads ``custom_metadata`` over the query string in it, so the request is rebuilt from the
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

    def _check_download(self, response: httpx.Response) -> DownloadCheck:
        """Raise for an error status or a refused answer; else what counts the body's bytes as they arrive."""
        self._raise_for_status(response)
        problem = response.extensions.get(BODY_PROBLEM)
        if problem is not None:
            raise APIResponseValidationError(
                f"get_audio: the response was refused: {problem}", response=response, request_id=None, body=None
            )
        return DownloadCheck(response)

    # -- calls and transport failures ------------------------------------------------------------------------

    @staticmethod
    def _new_call(request: Mapping[str, Any], options: CallOptions, *, stream: bool = False) -> Call:
        """The limits of one call (see `._limits`), from the call's options."""
        method, path = _describe(request)
        return Call(
            method, path, deadline=options.deadline, max_response_bytes=options.max_response_bytes, stream=stream
        )

    @staticmethod
    def _note(response: httpx.Response) -> httpx.Response:
        """``response``, noted for `with_raw_response` when the call is wrapped by it."""
        note_response(response)
        return response

    @staticmethod
    def _stopped(stop: RetryStopped, request: Mapping[str, Any], call: Call) -> httpx.Response:
        """The last answer when the retry policy stopped short of the deadline, noted; an exception is raised."""
        if isinstance(stop.outcome, httpx.Response):
            stop.outcome.extensions[RETRY_NOTE] = stop.note
            return stop.outcome
        raise _connection_error(stop.outcome, request, call, stop.note) from stop.outcome

    @staticmethod
    def _connection_error(exc: Exception, request: Mapping[str, Any], call: Call | None = None) -> APIConnectionError:
        """The typed exception for a transport failure during ``call`` (raise it ``from exc``)."""
        return _connection_error(exc, request, call)

    @staticmethod
    def _download_error(reason: str, request: Mapping[str, Any]) -> APIConnectionError:
        """The typed exception for a download whose body does not match its Content-Length."""
        method, path = _describe(request)
        return APIConnectionError(f"Connection error: {method} {path} ({reason})", method=method, path=path)


def _describe(request: Mapping[str, Any]) -> tuple[str, str]:
    """Method and path of a request built by ``build_request`` (the query string is left out)."""
    return str(request["method"]).upper(), str(request["url"])


def _connection_error(
    exc: Exception, request: Mapping[str, Any], call: Call | None = None, note: str | None = None
) -> APIConnectionError:
    """The typed exception for a transport failure (raise it ``from exc``).

    ``exc`` and the exceptions chained to it are masked in place: a server can echo the key into a garbage
    status line, which h11, httpcore and httpx all quote in their messages, and so in the traceback.
    """
    scrub_exception(exc)
    method, path = _describe(request)
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


def _body_of(response: httpx.Response) -> Any:
    try:
        return _json.loads(response.content)
    except ValueError:
        return response.text or None
