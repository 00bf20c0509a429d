"""The contract as the server reads it: request validation and effective parameters, from `openapi.json`.

`gladia_live_client/openapi.json` is the repository's `openapi.yaml` as JSON, written by `make generate` into the
package (an installed wheel has no repository around it) and kept equal by the drift check. Validation
uses jsonschema-rs, the validator schemathesis itself uses, so "valid" means the same thing on both sides.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs

from ._json import loads

__all__ = [
    "BODY_SCHEMAS",
    "CUSTOM_METADATA_MAX_CHARS",
    "ListQuery",
    "QueryError",
    "effective_params",
    "enum_values",
    "parse_list_query",
    "parse_region",
    "serialised_length",
    "spec",
    "validate_body",
]

_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_MAX_MESSAGE = 300
CUSTOM_METADATA_MAX_CHARS = 2000
# The request_params sections that always appear, filled with their defaults when the request left them out.
_ALWAYS_PRESENT = frozenset(
    {"language_config", "pre_processing", "realtime_processing", "post_processing", "messages_config"}
)
BODY_SCHEMAS = {"init_session": "StreamingRequest", "patch_job": "PatchRequestParamsDTO"}


@cache
def spec() -> dict[str, Any]:
    """The OpenAPI document (parsed once, shared by every server in the process)."""
    text = resources.files("gladia_live_client._generated").joinpath("openapi.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = spec()["components"]["schemas"]
    return schemas


@cache
def _validator(schema_json: str) -> jsonschema_rs.Validator:
    # `$ref`s of the spec point at "#/components/...", so each validator's root carries the components.
    root = {"$schema": _DIALECT, "components": spec()["components"], **json.loads(schema_json)}
    return jsonschema_rs.validator_for(root, validate_formats=True)


def _validator_for(schema: Mapping[str, Any]) -> jsonschema_rs.Validator:
    return _validator(json.dumps(schema, sort_keys=True))


def _location(prefix: str, path: list[str | int]) -> str:
    return prefix + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)


def _truncate(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def _message(error: jsonschema_rs.ValidationError) -> str:
    kind = error.kind
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Enum):
        # jsonschema-rs abbreviates long enums ("or 3 other candidates"); name every allowed value.
        allowed = ", ".join(json.dumps(option) for option in kind.options)
        return f"{json.dumps(error.instance)} is not one of {allowed}"
    return error.message


def _errors(schema: Mapping[str, Any], value: Any, prefix: str) -> list[str]:
    found = [
        _truncate(f"{_location(prefix, error.instance_path)}: {_message(error)}")
        for error in _validator_for(schema).iter_errors(value)
    ]
    return sorted(set(found))


def validate_body(schema_name: str, body: Any) -> list[str]:
    """Problems of a request body against `#/components/schemas/<schema_name>` (empty: valid)."""
    return _errors({"$ref": f"#/components/schemas/{schema_name}"}, body, "body")


def enum_values(schema_name: str) -> list[Any]:
    values: list[Any] = _schemas()[schema_name]["enum"]
    return values


# ---------------------------------------------------------------------------------------------------------------
# Effective parameters


def _resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """Follow `$ref` and single-`allOf` wrappers down to the schema that has the type."""
    while True:
        if "$ref" in schema:
            schema = _schemas()[schema["$ref"].rsplit("/", 1)[-1]]
        elif "allOf" in schema and len(schema["allOf"]) == 1:
            schema = schema["allOf"][0]
        else:
            return schema


def _default(schema: Mapping[str, Any]) -> tuple[bool, Any]:
    if "default" in schema:
        return True, schema["default"]
    resolved = _resolve(schema)
    if "default" in resolved:
        return True, resolved["default"]
    return False, None


def _fill(schema: Mapping[str, Any], given: Mapping[str, Any], *, top: bool = False) -> dict[str, Any]:
    """`given` restricted to the schema's properties, every missing property with a default set to it."""
    properties: Mapping[str, Any] = _resolve(schema).get("properties", {})
    out: dict[str, Any] = {}
    for name, prop in properties.items():
        target = _resolve(prop)
        nested = target.get("type") == "object" and bool(target.get("properties"))
        if name in given:
            value = given[name]
            if nested and isinstance(value, Mapping):
                value = _fill(target, value)
            elif target.get("type") == "integer" and isinstance(value, float):
                value = int(value)  # JSON Schema counts 6.0 as an integer; the session needs an int
            out[name] = value
        elif top and name in _ALWAYS_PRESENT:
            out[name] = _fill(target, {})
        else:
            has_default, default = _default(prop)
            if has_default:
                out[name] = default
    return out


def effective_params(body: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters a session runs with: the request's, completed with the contract's defaults.

    Shaped as `StreamingRequestParamsResponse` (the job's `request_params`). A-law and mu-law are 8-bit
    encodings whatever `bit_depth` says, so the effective bit depth of those is 8.
    """
    params = _fill({"$ref": "#/components/schemas/StreamingRequestParamsResponse"}, body, top=True)
    if params.get("encoding") in ("wav/alaw", "wav/ulaw"):
        params["bit_depth"] = 8
    return params


# ---------------------------------------------------------------------------------------------------------------
# Query parameters


class QueryError(ValueError):
    """Query parameters off the contract; `problems` are the `validation_errors` of the 400 answer."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


_INTEGER = re.compile(r"-?[0-9]{1,1000}")  # valid however large; past 1,000 digits refused before int() runs


def serialised_length(value: Any) -> int:
    """Length of a value as compact JSON text, how the custom_metadata filter's 2000-character limit is counted.

    Counting the decoded value rather than the query text makes the limit independent of how a client
    spaces or escapes its JSON.
    """
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False))


def _operation(path: str, method: str) -> Mapping[str, Any]:
    operation: Mapping[str, Any] = spec()["paths"][path][method]
    return operation


def _parse_query(operation: Mapping[str, Any], query: Any) -> dict[str, Any]:
    """Decode each declared query parameter present in `query` (a Starlette QueryParams) and validate it."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for parameter in operation.get("parameters", []):
        name = parameter["name"]
        if parameter["in"] != "query" or name not in query:
            continue
        raw: list[str] = query.getlist(name)
        location = f"query.{name}"
        if "content" in parameter:
            # One parameter holding JSON text (custom_metadata): decode it, then validate the decoded value.
            schema = parameter["content"]["application/json"]["schema"]
            text = raw[-1]
            try:
                value: Any = loads(text)
            except ValueError:
                problems.append(_truncate(f"{location}: {text!r} is not JSON text"))
                continue
            if serialised_length(value) > CUSTOM_METADATA_MAX_CHARS:
                problems.append(f"{location}: longer than {CUSTOM_METADATA_MAX_CHARS} characters once serialised")
                continue
        else:
            schema = parameter["schema"]
            kind = _resolve(schema).get("type")
            if kind == "array":
                value = raw
            elif kind == "integer":
                text = raw[-1]
                if not _INTEGER.fullmatch(text):
                    kind_of = "out of range" if re.fullmatch(r"-?[0-9]+", text) else "not an integer"
                    problems.append(_truncate(f"{location}: {text!r} is {kind_of}"))
                    continue
                value = int(text)
            else:
                value = raw[-1]
        found = _errors(schema, value, location)
        if found:
            problems.extend(found)
        else:
            values[name] = value
    if problems:
        raise QueryError(problems)
    return values


def _timestamp(text: str) -> datetime:
    """An RFC 3339 date-time (already validated) as an aware UTC datetime; ValueError when Python cannot hold it.

    Python wants upper-case separators and a 59th second at most; converting to UTC here makes an
    out-of-range instant (year 0, or 9999-12-31 with a negative offset) fail now, not while comparing.
    """
    parsed = datetime.fromisoformat(text.upper().replace(":60", ":59"))
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError(str(exc)) from exc


class ListQuery:
    """The decoded filters and page of `GET /v2/live`."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.offset: int = values.get("offset", 0)
        self.limit: int = values.get("limit", 20)
        self.status: frozenset[str] | None = frozenset(values["status"]) if "status" in values else None
        self.custom_metadata: dict[str, Any] | None = values.get("custom_metadata")
        # Valid by the contract's formats, yet possibly beyond what Python's dates hold (year 0): QueryError.
        problems: list[str] = []
        self.date: date | None = _parsed(values, "date", date.fromisoformat, problems)
        self.before: datetime | None = _parsed(values, "before_date", _timestamp, problems)
        self.after: datetime | None = _parsed(values, "after_date", _timestamp, problems)
        if problems:
            raise QueryError(problems)


def _parsed(values: Mapping[str, Any], name: str, parse: Any, problems: list[str]) -> Any:
    if name not in values:
        return None
    try:
        return parse(values[name])
    except (ValueError, OverflowError) as exc:
        problems.append(_truncate(f"query.{name}: {values[name]!r} is out of range ({exc})"))
        return None


def parse_list_query(query: Any) -> ListQuery:
    """Validate the query of `GET /v2/live` against the contract; raises QueryError.

    `custom_metadata` in the bracket form some SDKs send (`custom_metadata[user]=u1`) is refused: the
    contract takes one parameter holding JSON text, and a filter silently ignored would list every job.
    """
    bracketed = sorted({key for key in query if key.startswith("custom_metadata[")})
    if bracketed:
        raise QueryError(
            [
                _truncate(
                    f"query.{key}: the bracket form is not supported; send custom_metadata as one parameter "
                    'holding JSON text, e.g. custom_metadata={"user":"u1"}'
                )
                for key in bracketed
            ]
        )
    return ListQuery(_parse_query(_operation("/v2/live", "get"), query))


def parse_region(query: Any) -> str | None:
    """Validate the query of `POST /v2/live` (its `region`); raises QueryError."""
    region: str | None = _parse_query(_operation("/v2/live", "post"), query).get("region")
    return region
