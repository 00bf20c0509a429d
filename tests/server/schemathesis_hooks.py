"""Schemathesis hooks for the run against the local server (tests/server/test_schemathesis.py).

The `custom_metadata` list filter holds at most 2000 characters of JSON. The spec can only say so in a
description (JSON Schema has no length limit for an object once serialised), so generated filters longer
than that are left out rather than counted as valid requests the server rejects. (The links the stateful
phase follows are declared in openapi.yaml.)
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis

from gladia_live_client.testing._spec import CUSTOM_METADATA_MAX_CHARS, serialised_length


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
