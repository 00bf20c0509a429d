"""Read the live part of an upstream Gladia OpenAPI document: its operations and the schemas they need."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

# Upstream's documents, kept verbatim in the repository (reference/PROVENANCE.md says where each came from):
# the one definition of their place, read by the scripts and the tests.
REFERENCE = Path(__file__).resolve().parent.parent / "reference" / "upstream"
UPSTREAM_OPENAPI = REFERENCE / "gladia-openapi.json"

LIVE_PREFIX = "/v2/live"


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value.rsplit("/", 1)[-1]
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def schema_closure(schemas: dict[str, Any], roots: Iterable[str]) -> set[str]:
    """The named schemas in `roots` and every schema they reference, transitively."""
    seen: set[str] = set()
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in seen or name not in schemas:
            continue
        seen.add(name)
        pending.extend(_refs(schemas[name]))
    return seen


def live_operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(method, path) -> operation, for every operation under /v2/live."""
    return {
        (method, path): operation
        for path, item in document.get("paths", {}).items()
        if path == LIVE_PREFIX or path.startswith(LIVE_PREFIX + "/")
        for method, operation in item.items()
        if isinstance(operation, dict)
    }


def websocket_message_names(schemas: dict[str, Any]) -> set[str]:
    """The live WebSocket messages: server `*Message`s and client `*Action`s (webhook `Callback*` excluded)."""
    return {
        name
        for name in schemas
        if name.endswith(("Message", "Action"))
        and not name.startswith("Callback")
        and "type" in schemas[name].get("properties", {})
    }


def live_closure(document: dict[str, Any]) -> set[str]:
    """Names of the schemas the live REST operations and the WebSocket messages need."""
    schemas = document.get("components", {}).get("schemas", {})
    roots = set(_refs(list(live_operations(document).values()))) | websocket_message_names(schemas)
    return schema_closure(schemas, roots)
