"""Schemathesis hooks for the run against the local server (tests/server/test_schemathesis.py).

- Links from the POST response. openapi.yaml declares no `links`; schemathesis infers some, but not the ones to
  DELETE and to the audio file. The stateful phase needs every operation on `{id}` reachable from
  `POST /v2/live`, so the links are added to the document schemathesis loads (openapi.yaml itself is
  untouched). Declaring them in openapi.yaml would make this hook unnecessary.
- The `custom_metadata` list filter holds at most 2000 characters of JSON. The spec can only say so in a
  description (JSON Schema has no length limit for an object once serialised), so generated filters longer
  than that are left out rather than counted as valid requests the server rejects.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis

from gladia_live_client.testing._spec import CUSTOM_METADATA_MAX_CHARS, serialised_length

LINKED_OPERATIONS = ("get_job", "patch_job", "delete_job", "get_audio")


@schemathesis.hook
def before_load_schema(context: schemathesis.HookContext, raw_schema: dict[str, Any]) -> None:
    created = raw_schema["paths"]["/v2/live"]["post"]["responses"]["201"]
    created["links"] = {
        operation_id: {"operationId": operation_id, "parameters": {"id": "$response.body#/id"}}
        for operation_id in LINKED_OPERATIONS
    }


@schemathesis.hook
def filter_query(context: schemathesis.HookContext, query: dict[str, Any] | None) -> bool:
    if not query or "custom_metadata" not in query:
        return True
    value = query["custom_metadata"]
    if isinstance(value, str):  # schemathesis hands the parameter over as the JSON text it will send
        try:
            value = json.loads(value)
        except ValueError:
            return True  # not JSON: a negative case the server must reject anyway
    return serialised_length(value) <= CUSTOM_METADATA_MAX_CHARS
