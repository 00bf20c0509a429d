"""Client-side checks and conversions, run before any request is sent; failures raise `InvalidRequestError`.

Conversions turn plain Python values (``str``, ``dict``, ``datetime``) into what the generated endpoint
functions take; the size checks measure the request exactly as the generated code and httpx will send it.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import json
import types
import typing
import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ._exceptions import InvalidRequestError

if TYPE_CHECKING:
    from ._generated.models.patch_request_params_dto import PatchRequestParamsDTO
    from ._generated.models.streaming_request import StreamingRequest
    from ._generated.models.streaming_supported_regions import StreamingSupportedRegions

__all__ = [
    "MAX_CUSTOM_METADATA_FILTER_CHARS",
    "MAX_PATCH_BODY_BYTES",
    "check_chunk_size",
    "check_custom_metadata_filter",
    "check_known_keys",
    "check_patch_size",
    "job_id",
    "list_filters",
    "merge_json",
    "patch_body",
    "region",
    "streaming_request",
]

# "The post_request_metadata parameter must be a json object no longer that 100kb" (the API's 413 message).
# The API runs on Node.js, whose body-parser reads "100kb" as 100 * 1024 bytes.
MAX_PATCH_BODY_BYTES = 100 * 1024
# The documented limit of the stringified custom_metadata query filter.
MAX_CUSTOM_METADATA_FILTER_CHARS = 2000

JobId = str | uuid.UUID


def job_id(value: object) -> str:
    """A job id as a non-empty string; `uuid.UUID` (as in ``init_session(...).id``) is accepted."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if not isinstance(value, str):
        raise InvalidRequestError(f"job id must be a non-empty string (or a uuid.UUID), not {type(value).__name__}.")
    if not value.strip():
        raise InvalidRequestError("job id must be a non-empty string, got an empty one.")
    return value


def streaming_request(value: object, extra_body: Mapping[str, Any] | None = None) -> StreamingRequest:
    """The ``POST /v2/live`` body: a `StreamingRequest`, or a mapping with the same JSON fields.

    A mapping may hold only the fields the spec declares, at every level (a misspelt key would be sent and
    silently ignored); ``extra_body`` is merged afterwards, unchecked, for fields newer than the spec.
    """
    from ._generated.models.streaming_request import StreamingRequest
    from ._generated.request_types import StreamingRequestDict

    if isinstance(value, Mapping):
        check_known_keys(value, StreamingRequestDict, "request")
        request = _parse_request(value, "request")
    elif isinstance(value, StreamingRequest):
        request = value
    else:
        raise InvalidRequestError(f"request must be a StreamingRequest or a mapping, not {type(value).__name__}.")
    if extra_body is None:
        return request
    if not isinstance(extra_body, Mapping):
        raise InvalidRequestError(f"extra_body must be a mapping of JSON fields, not {type(extra_body).__name__}.")
    _json_text(extra_body, "extra_body")
    return _parse_request(merge_json(request.to_dict(), extra_body), "request with extra_body")


def merge_json(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``extra`` merged in: objects in both merge key by key, any other value of ``extra`` wins."""
    merged = dict(base)
    for key, value in extra.items():
        current = merged.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            merged[key] = merge_json(current, value)
        else:
            merged[key] = value
    return merged


def check_known_keys(value: Mapping[str, Any], typed_dict: type, path: str) -> None:
    """Raise `InvalidRequestError` for the first key of ``value``, at any depth, that ``typed_dict`` (a generated
    request TypedDict) does not declare, naming its path and the closest declared key."""
    fields = _typed_dict_fields(typed_dict)
    for key, item in value.items():
        if key not in fields:
            close = difflib.get_close_matches(str(key), fields, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InvalidRequestError(
                f"{path} has an unknown field {key!r}{hint}. Only the fields of the API spec are accepted in a dict "
                "request; pass a field the spec does not know yet in extra_body={...}."
            )
        _check_value(item, fields[key], f"{path}.{key}")


def _check_value(value: object, hint: Any, path: str) -> None:
    """Follow ``value`` into the request TypedDicts that ``hint`` names (directly, in a union or a list)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType, typing.Required, typing.NotRequired):
        for member in typing.get_args(hint):
            _check_value(value, member, path)
    elif origin is list and isinstance(value, list):
        (item_hint,) = typing.get_args(hint)
        for index, item in enumerate(value):
            _check_value(item, item_hint, f"{path}[{index}]")
    elif typing.is_typeddict(hint) and isinstance(value, Mapping):
        check_known_keys(value, hint, path)


@functools.cache
def _typed_dict_fields(typed_dict: type) -> dict[str, Any]:
    return typing.get_type_hints(typed_dict, include_extras=True)


def _parse_request(value: Mapping[str, Any], what: str) -> StreamingRequest:
    from ._generated.models.streaming_request import StreamingRequest

    try:
        return StreamingRequest.from_dict(value)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidRequestError(f"{what} is not a valid StreamingRequest: {exc!r}") from exc


def region(value: object) -> StreamingSupportedRegions | None:
    """The ``region`` query parameter: a `StreamingSupportedRegions`, its string value, or None."""
    from ._generated.models.streaming_supported_regions import StreamingSupportedRegions

    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise InvalidRequestError(f"region must be a non-empty string such as 'eu-west', not {value!r}.")
    return StreamingSupportedRegions(value)


def patch_body(value: object) -> PatchRequestParamsDTO:
    """The PATCH body: a JSON object, given as a mapping with string keys or a `PatchRequestParamsDTO`."""
    from ._generated.models.patch_request_params_dto import PatchRequestParamsDTO

    if isinstance(value, PatchRequestParamsDTO):
        return value
    if not isinstance(value, Mapping):
        raise InvalidRequestError(f"metadata must be a JSON object (a mapping), not {type(value).__name__}.")
    bad_keys = [key for key in value if not isinstance(key, str)]
    if bad_keys:
        raise InvalidRequestError(f"metadata keys must be strings, got {bad_keys[:3]!r}.")
    return PatchRequestParamsDTO.from_dict(value)


def check_patch_size(request_kwargs: Mapping[str, Any]) -> None:
    """Reject a PATCH body over 100 kB, measured as httpx serialises it."""
    size = len(_json_text(request_kwargs["json"], "metadata").encode("utf-8"))
    if size > MAX_PATCH_BODY_BYTES:
        raise InvalidRequestError(
            f"metadata is {size} bytes once serialised as JSON; the API accepts at most {MAX_PATCH_BODY_BYTES}."
        )


def list_filters(
    *,
    offset: int | None = None,
    limit: int | None = None,
    date: datetime.date | str | None = None,
    before_date: datetime.datetime | str | None = None,
    after_date: datetime.datetime | str | None = None,
    status: str | Iterable[str] | None = None,
    custom_metadata: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The keyword arguments for ``list_jobs.build_request``; only the filters that are set."""
    filters: dict[str, Any] = {}
    if offset is not None:
        filters["offset"] = _int("offset", offset, minimum=0)
    if limit is not None:
        filters["limit"] = _int("limit", limit, minimum=1)
    if date is not None:
        filters["date"] = _date(date)
    if before_date is not None:
        filters["before_date"] = _datetime("before_date", before_date)
    if after_date is not None:
        filters["after_date"] = _datetime("after_date", after_date)
    if status is not None:
        filters["status"] = _statuses(status)
    if custom_metadata is not None:
        filters["custom_metadata"] = _custom_metadata(custom_metadata)
    return filters


def check_custom_metadata_filter(request_kwargs: Mapping[str, Any]) -> None:
    """Reject a ``custom_metadata`` filter over 2000 characters, measured on the query value actually sent."""
    text = request_kwargs.get("params", {}).get("custom_metadata")
    if text is not None and len(text) > MAX_CUSTOM_METADATA_FILTER_CHARS:
        raise InvalidRequestError(
            f"custom_metadata filter is {len(text)} characters once serialised as JSON; "
            f"the API accepts at most {MAX_CUSTOM_METADATA_FILTER_CHARS}."
        )


def check_chunk_size(value: int | None) -> int | None:
    if value is None:
        return None
    return _int("chunk_size", value, minimum=1)


def _int(name: str, value: object, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidRequestError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return value


def _date(value: object) -> datetime.date:
    # A datetime is a date too, but sending its time would be wrong and dropping it silently worse.
    if isinstance(value, datetime.datetime):
        raise InvalidRequestError(
            "date filters on one calendar day: pass a datetime.date (e.g. value.date()), "
            "or use before_date/after_date for a time range."
        )
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise InvalidRequestError(f"date must be YYYY-MM-DD, got {value!r}.") from None
    raise InvalidRequestError(f"date must be a datetime.date or a 'YYYY-MM-DD' string, not {type(value).__name__}.")


def _datetime(name: str, value: object) -> datetime.datetime:
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise InvalidRequestError(f"{name} must be an ISO 8601 timestamp, got {value!r}.") from None
    if not isinstance(value, datetime.datetime):
        raise InvalidRequestError(f"{name} must be a datetime.datetime or an ISO 8601 string, not {value!r}.")
    if value.tzinfo is None or value.utcoffset() is None:
        # The server would read a naive time in its own zone; make the caller say which one is meant.
        raise InvalidRequestError(
            f"{name} must be timezone-aware (e.g. datetime.now(timezone.utc)), got naive {value.isoformat()}."
        )
    return value.astimezone(datetime.UTC)


def _statuses(value: object) -> list[Any]:
    from ._generated.models.list_jobs_status_item import ListJobsStatusItem

    items: Iterable[object] = [value] if isinstance(value, str) else value  # type: ignore[assignment]
    try:
        values = list(items)
    except TypeError:
        raise InvalidRequestError(f"status must be a string or a list of strings, not {value!r}.") from None
    statuses = []
    for item in values:
        if not isinstance(item, str) or not item:
            raise InvalidRequestError(f"status values must be non-empty strings such as 'done', got {item!r}.")
        statuses.append(ListJobsStatusItem(item))
    return statuses


def _custom_metadata(value: object) -> Any:
    from ._generated.models.list_jobs_custom_metadata import ListJobsCustomMetadata

    if isinstance(value, ListJobsCustomMetadata):
        return value
    if not isinstance(value, Mapping):
        raise InvalidRequestError(f"custom_metadata must be a mapping (a JSON object), not {type(value).__name__}.")
    _json_text(value, "custom_metadata")
    return ListJobsCustomMetadata.from_dict(value)


def _json_text(value: object, name: str) -> str:
    # The same settings as httpx's request body encoding and the generated custom_metadata query encoding.
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidRequestError(f"{name} is not JSON-serialisable: {exc}") from None
