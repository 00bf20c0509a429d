"""The exceptions raised by `GladiaLive` and `AsyncGladiaLive`.

Everything derives from `GladiaError`, so ``except GladiaError`` catches every failure of the client::

    GladiaError
    ├── ConfigurationError          bad constructor argument or environment (no API key, ...)   (also ValueError)
    │   └── ConfigurationTypeError  a constructor argument of the wrong type                     (also TypeError)
    ├── InvalidRequestError         a client-side check failed; nothing was sent               (also ValueError)
    └── APIError                    a request was attempted and failed
        ├── APIConnectionError      no usable response: connection refused or reset, protocol error, ...
        │   └── APITimeoutError     the connect, read, write or pool timeout elapsed
        │       └── DeadlineExceededError   the call's total deadline passed (retries and waits included)
        ├── ResponseTooLargeError   a success body larger than max_response_bytes (after decompression)
        ├── APIResponseValidationError   a success response that does not match the contract
        └── APIStatusError          the server answered with a non-success status
            ├── BadRequestError             400
            ├── AuthenticationError         401
            ├── PermissionDeniedError       403
            ├── NotFoundError               404
            ├── PayloadTooLargeError        413
            ├── UnprocessableEntityError    422
            ├── RateLimitError              429
            └── InternalServerError         5xx

Nothing an exception shows holds a secret: `GladiaError` redacts its arguments when it is built and the text
of every subclass's ``__str__`` / ``__repr__`` when shown (see `._redaction`), and the attributes taken from a
response (message, request id, validation errors, body) are redacted too.

Every exception the package root exports reports ``__module__ == "gladia_live_client"``, the one path users
import it from, so tracebacks and reprs read ``gladia_live_client.NotFoundError``; pickling finds the class
there too.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ._redaction import chained, redact, redact_data, set_chained

if TYPE_CHECKING:  # only the errors that carry a response need httpx, and they come with one
    import httpx

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConfigurationTypeError",
    "DeadlineExceededError",
    "GladiaError",
    "InternalServerError",
    "InsecureSessionURLError",
    "InvalidRequestError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "UnprocessableEntityError",
]


class GladiaError(Exception):
    """Base class of every exception raised by this client.

    Its arguments are redacted when it is built, and the text of any ``__str__`` or ``__repr__`` a subclass
    defines is redacted when shown: no secret the client knows, and no credential-shaped text, is ever shown.
    """

    def __init__(self, *args: object) -> None:
        super().__init__(*redact_data(args))

    # The exceptions chained to this one (``raise ... from exc``, or raised while handling one) are masked
    # whenever they are read, which is how `traceback`, `logging` and test runners print them. The package
    # also masks them where it raises (see `_base_client._connection_error`), for printers that read the slots.
    @property
    def __cause__(self) -> BaseException | None:
        return chained(self, "__cause__")

    @__cause__.setter
    def __cause__(self, value: BaseException | None) -> None:
        set_chained(self, "__cause__", value)

    @property
    def __context__(self) -> BaseException | None:
        return chained(self, "__context__")

    @__context__.setter
    def __context__(self, value: BaseException | None) -> None:
        set_chained(self, "__context__", value)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in ("__str__", "__repr__"):
            method = cls.__dict__.get(name)
            if method is not None and not getattr(method, "_redacts", False):
                setattr(cls, name, _redacting(method))
        _show_public_module(cls)

    # Subclasses take keyword-only arguments (``response=``, ``deadline=``, ...) that `BaseException`'s own
    # reduction, ``cls(*args)``, would not pass: rebuild without calling ``__init__``, then restore the
    # attributes, which were redacted when the original was built.
    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuilt, (type(self), self.args), self.__dict__ or None


def _rebuilt(cls: type[GladiaError], args: tuple[Any, ...]) -> GladiaError:
    """An exception of `cls` holding `args`, built without ``__init__`` (unpickling; the state follows)."""
    exception = cls.__new__(cls, *args)
    # OSError's __new__ (TimeoutError is one) leaves args to __init__ when a subclass defines its own.
    exception.args = args
    return exception


_ROOT = __name__.rpartition(".")[0]


def _show_public_module(cls: type[BaseException]) -> None:
    """Give `cls` the package root as its module when the root exports it from the module that defines it.

    The root's export table (``gladia_live_client._EXPORTS``) is the one list of public names; a class it does
    not name (a private base, a user's subclass elsewhere) keeps its own module.
    """
    exports: dict[str, str] = getattr(sys.modules.get(_ROOT), "_EXPORTS", {})
    home = exports.get(cls.__name__)
    if home is None or cls.__qualname__ != cls.__name__:
        return
    defined_in = _ROOT + home
    if cls.__module__ == defined_in or cls.__module__.startswith(defined_in + "."):
        cls.__module__ = _ROOT


def _redacting(method: Callable[[Any], str]) -> Callable[[Any], str]:
    def shown(self: Any) -> str:
        return redact(method(self))

    shown._redacts = True  # type: ignore[attr-defined]
    shown.__name__, shown.__qualname__, shown.__doc__ = method.__name__, method.__qualname__, method.__doc__
    return shown


_show_public_module(GladiaError)  # its own class statement does not run __init_subclass__


class ConfigurationError(GladiaError, ValueError):
    """A constructor argument or environment variable is missing or invalid (for example no API key)."""


class ConfigurationTypeError(ConfigurationError, TypeError):
    """A constructor argument has the wrong type (for example a ``transport`` that is not an httpx transport).

    Also a `TypeError`, which is what Python raises for an argument of the wrong type.
    """


class InvalidRequestError(GladiaError, ValueError):
    """A client-side check rejected an argument; no request was sent."""


class ClientClosedError(GladiaError, RuntimeError):
    """The client was closed (``close()``, or the end of its ``with`` block) and cannot send; nothing was sent.

    A `with_options` copy shares its original's connection pool, so it is closed with the original; an
    ``http_client=`` closed by its owner closes this client's way out too. Create a new client. Also a
    `RuntimeError`, which is what httpx raises for a closed client.
    """


class InsecureSessionURLError(GladiaError):
    """The API (reached over https) answered a cleartext ``ws://`` session URL; nothing was connected to it.

    Connecting would send the session token unencrypted. The session was created (``session_id`` names it);
    a local test server that speaks plain ``ws://`` behind an https address needs
    ``allow_cleartext_websocket=True`` on the client.
    """

    session_id: str | None

    def __init__(self, message: str, *, session_id: str | None = None) -> None:
        super().__init__(message)
        self.session_id = session_id


class APIError(GladiaError):
    """A request to the API was attempted and failed.

    Attributes:
        message: what went wrong, in words.
        method: the HTTP method of the failed request (``"GET"``, ...).
        path: the URL path of the failed request, without the query string.
    """

    message: str
    method: str | None
    path: str | None

    def __init__(self, message: str, *, method: str | None = None, path: str | None = None) -> None:
        super().__init__(message)
        self.message = redact(message)
        self.method = method
        self.path = path


class APIConnectionError(APIError):
    """No usable response arrived: the connection was refused or dropped, or the server broke the protocol.

    Raised after the retries allowed for the request were spent. The original `httpx` exception is the
    ``__cause__``, masked in place (a server can echo the key into a status line that httpx quotes).
    """


class APITimeoutError(APIConnectionError):
    """A connect, read, write or pool timeout elapsed (see the client's ``timeout``)."""


class DeadlineExceededError(APITimeoutError):
    """The call did not end within its total deadline (the client's ``deadline``): connecting, every attempt,
    the waits between retries and reading the body all count.

    Attributes:
        deadline: the deadline of the call, in seconds.
    """

    deadline: float

    def __init__(self, message: str, *, deadline: float, method: str | None = None, path: str | None = None) -> None:
        super().__init__(message, method=method, path=path)
        self.deadline = deadline


class ResponseTooLargeError(APIError):
    """A success answer's body is larger than the client's ``max_response_bytes`` (counted after decompression).

    Reading stopped as soon as the body passed the limit. (An error status whose body is too large raises its
    `APIStatusError` subclass instead, without the body.)

    Attributes:
        limit: the ``max_response_bytes`` that was passed.
        status_code: the HTTP status of the answer.
    """

    limit: int
    status_code: int

    def __init__(
        self, message: str, *, limit: int, status_code: int, method: str | None = None, path: str | None = None
    ) -> None:
        super().__init__(message, method=method, path=path)
        self.limit = limit
        self.status_code = status_code


class _ResponseError(APIError):
    """Shared state of the errors that carry a response."""

    status_code: int
    request_id: str | None
    body: Any
    response: httpx.Response

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        request_id: str | None,
        body: Any,
    ) -> None:
        try:
            request: httpx.Request | None = response.request
        except RuntimeError:  # a response built by hand has no request
            request = None
        super().__init__(
            message,
            method=request.method if request is not None else None,
            path=request.url.path if request is not None else None,
        )
        self.status_code = response.status_code
        self.request_id = redact(request_id) if request_id is not None else None
        self.body = redact_data(body)
        self.response = response


class APIResponseValidationError(_ResponseError):
    """The server answered with a success status but a body (or status) that the contract does not allow.

    Attributes:
        status_code: the HTTP status of the response.
        request_id: the request id, when the response carried one.
        body: the response body (parsed JSON, else text, else ``None``).
        response: the `httpx.Response` itself.
    """

    def __str__(self) -> str:
        return f"{self.status_code} {_reason(self.status_code)}: {self.message} [{_request_id_text(self.request_id)}]"


class APIStatusError(_ResponseError):
    """The server answered with a non-success status; the status picks the subclass.

    Attributes:
        status_code: the HTTP status of the response.
        message: the server's message (``"message"`` of the JSON error body), else the reason phrase.
        request_id: the server's request id (``"request_id"``, like ``"G-821fe9df"``): what support asks for.
        validation_errors: the server's list of validation errors (strings, or objects some servers send).
        body: the response body (parsed JSON, else text, else ``None``).
        response: the `httpx.Response` itself.
    """

    validation_errors: list[Any]

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        request_id: str | None = None,
        validation_errors: Sequence[Any] = (),
        body: Any = None,
    ) -> None:
        super().__init__(message, response=response, request_id=request_id, body=body)
        self.validation_errors = redact_data(list(validation_errors))

    def __str__(self) -> str:
        text = f"{self.status_code} {_reason(self.status_code)}: {self.message} [{_request_id_text(self.request_id)}]"
        if self.validation_errors:
            text += "; validation errors: " + "; ".join(_item_text(item) for item in self.validation_errors)
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code}, message={self.message!r}, "
            f"request_id={self.request_id!r}, validation_errors={self.validation_errors!r})"
        )


class BadRequestError(APIStatusError):
    """400: the request is malformed; ``validation_errors`` says what to fix."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing or unknown."""


class PermissionDeniedError(APIStatusError):
    """403: not allowed, for example deleting a job that is still being processed."""


class NotFoundError(APIStatusError):
    """404: no such job (or route)."""


class PayloadTooLargeError(APIStatusError):
    """413: the body is too large (the PATCH metadata limit is 100 kB)."""


class UnprocessableEntityError(APIStatusError):
    """422: the request is well-formed but cannot be processed."""


class RateLimitError(APIStatusError):
    """429: too many requests; retried automatically (honouring ``Retry-After``) before this is raised."""


class InternalServerError(APIStatusError):
    """5xx: the server or a gateway failed; retried automatically (500, 502, 503, 504) before this is raised."""


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    413: PayloadTooLargeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The exception class for a non-success status: exact matches, any 5xx, else `APIStatusError` itself."""
    if status_code in _STATUS_ERRORS:
        return _STATUS_ERRORS[status_code]
    if 500 <= status_code <= 599:
        return InternalServerError
    return APIStatusError


def _reason(status_code: int) -> str:
    import httpx

    return httpx.codes.get_reason_phrase(status_code) or "Unknown Status"


def _request_id_text(request_id: str | None) -> str:
    return f"request_id={request_id}" if request_id else "no request id"


def _item_text(item: Any) -> str:
    if isinstance(item, str):
        return item
    try:
        return json.dumps(item, ensure_ascii=False, separators=(",", ":"), default=str)
    except (TypeError, ValueError):
        return repr(item)
