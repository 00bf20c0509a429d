"""The operations of openapi.yaml and the client methods that implement them, read from the spec.

The spec is the one list of operations; `gladia_live_client._base_client.operation_methods` says which client
methods implement each. Tests that go over every operation or every client call import these names instead of
listing the operations again. (The local server keeps its own list on purpose: it is a test double of the API.)
"""

from __future__ import annotations

from typing import Any

import yaml

from gladia_live_client._base_client import operation_methods
from tests.conftest import SPEC_PATH

__all__ = ["CLIENT_CALLS", "HTTP_METHODS", "OPERATION_IDS", "operation_ids"]

HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def operation_ids(spec: dict[str, Any]) -> tuple[str, ...]:
    """The ``operationId`` of every operation of ``spec``, in the spec's order."""
    return tuple(
        operation["operationId"]
        for item in spec["paths"].values()
        for method, operation in item.items()
        if method in HTTP_METHODS
    )


OPERATION_IDS = operation_ids(yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8")))
# Every public client method that sends one of the operations, in the spec's order.
CLIENT_CALLS = tuple(name for operation_id in OPERATION_IDS for name in operation_methods(operation_id))
