"""Turn any non-success response into the right typed exception.

Gladia's error bodies are JSON (``timestamp, path, request_id, statusCode, message`` and, on 400,
``validation_errors``), but real ones miss fields, gateways answer HTML or nothing, and a dropped connection
truncates JSON. The exception class depends only on the status; the details are taken from whatever the body
holds, and never make building the exception fail.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any, NamedTuple

import httpx

from . import _json
from ._exceptions import APIStatusError, status_error_class
from ._redaction import redact, redact_data

__all__ = ["ErrorDetails", "parse_error_body", "request_id_of", "status_error"]

# Header names a gateway or a future API version may carry the request id in; the body wins when it has one.
_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-gladia-request-id")
_MAX_TEXT_MESSAGE = 300
_MAX_SCANNED_TEXT = 64 * 1024
_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)
_SPACE = re.compile(r"\s+")
# Salvage from truncated JSON: a complete string value of a known key ('{"message":"Job not fo' gives nothing).
_JSON_STRING_FIELD = r'"{}"\s*:\s*"((?:[^"\\]|\\.)*)"'


class ErrorDetails(NamedTuple):
    """What an error body says, as far as it can be read."""

    message: str
    request_id: str | None
    validation_errors: list[Any]
    body: Any


def parse_error_body(response: httpx.Response) -> ErrorDetails:
    """Read message, request id and validation errors from a response whose body has been read."""
    reason = response.reason_phrase or httpx.codes.get_reason_phrase(response.status_code) or "Error"
    content = response.content
    if not content.strip():
        return ErrorDetails(reason, _header_request_id(response), [], None)

    text = content.decode(response.encoding or "utf-8", errors="replace")
    try:
        body: Any = _json.loads(text)  # a JSON bomb nested 100,000 deep is a ValueError here, not RecursionError
    except ValueError:
        return _from_text(text, reason, response)

    if not isinstance(body, dict):
        return ErrorDetails(reason, _header_request_id(response), [], body)

    message = _first_text(body, "message", "error", "detail")
    validation_errors = body.get("validation_errors")
    errors: list[Any] = list(validation_errors) if isinstance(validation_errors, list) else []
    raw_message = body.get("message")
    if isinstance(raw_message, list) and not errors:
        # NestJS-style validation: "message" is the list of problems and "error" the short reason.
        errors = list(raw_message)
    request_id = body.get("request_id", body.get("requestId"))
    return ErrorDetails(
        message or reason,
        request_id if isinstance(request_id, str) and request_id else _header_request_id(response),
        errors,
        body,
    )


def request_id_of(response: httpx.Response) -> str | None:
    """The request id of a read response: the JSON body's ``request_id`` for errors, else a header."""
    if response.is_error:
        return parse_error_body(response).request_id
    return _header_request_id(response)


def status_error(response: httpx.Response, *, secret: str | None = None) -> APIStatusError:
    """The typed exception for a non-success response whose body has been read.

    ``secret`` (the API key) is redacted from everything the exception holds, in case a gateway echoes it
    (with every other known secret: see `._redaction`).
    """
    details = parse_error_body(response)
    secrets = [secret]
    return status_error_class(response.status_code)(
        redact(details.message, secrets),
        response=response,
        request_id=redact(details.request_id, secrets) if details.request_id is not None else None,
        validation_errors=redact_data(details.validation_errors, secrets),
        body=redact_data(details.body, secrets),
    )


def _from_text(text: str, reason: str, response: httpx.Response) -> ErrorDetails:
    # The patterns below can take quadratic time on hostile text: only the start of a long body is searched.
    scanned = text[:_MAX_SCANNED_TEXT]
    if scanned.lstrip().startswith("{"):  # truncated or otherwise broken JSON: keep what can be read
        message = _salvage(scanned, "message")
        request_id = _salvage(scanned, "request_id")
        return ErrorDetails(message or reason, request_id or _header_request_id(response), [], text)
    readable = _SPACE.sub(" ", html.unescape(_TAG.sub(" ", scanned))).strip()
    if len(readable) > _MAX_TEXT_MESSAGE:
        readable = readable[: _MAX_TEXT_MESSAGE - 3] + "..."
    return ErrorDetails(readable or reason, _header_request_id(response), [], text)


def _salvage(text: str, key: str) -> str | None:
    match = re.search(_JSON_STRING_FIELD.format(re.escape(key)), text)
    if match is None:
        return None
    try:
        value = json.loads(f'"{match.group(1)}"')
    except ValueError:
        return None
    return value if isinstance(value, str) and value else None


def _first_text(body: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _header_request_id(response: httpx.Response) -> str | None:
    for name in _REQUEST_ID_HEADERS:
        value: str | None = response.headers.get(name)
        if value:
            return value
    return None
