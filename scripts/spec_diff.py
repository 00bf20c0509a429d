"""Compare a (newer) upstream Gladia OpenAPI document with openapi.yaml: what changed in the live contract?

    make spec-diff UPSTREAM=path/to/openapi.json
    make spec-diff          # against the copy kept in reference/upstream/ (expected: no differences)

Both documents are reduced to comparable facts about the live closure -- operations (by method and path, with
upstream's operationId), parameters, response statuses, and for every schema its properties (type, format, enum,
nullability), its required set and its own enum values -- and the facts that differ are printed as added (+),
removed (-) or changed (~). A fact at a place openapi.yaml marks with `x-deviation` (or inside such a place) is
a recorded, deliberate difference and is not reported. Exit status: 0 when nothing differs, 1 otherwise.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.upstream import UPSTREAM_OPENAPI, live_closure, live_operations

ROOT = Path(__file__).resolve().parent.parent

Fact = tuple[str, Any]  # (what, value)


def load(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def _ref_name(node: dict[str, Any]) -> str | None:
    ref = node.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def describe(node: dict[str, Any]) -> dict[str, Any]:
    """The type facts of a schema node, with 3.0 (`nullable`) and 3.1 (`null` in a union) nulls read alike."""
    nullable = bool(node.get("nullable"))
    branches = node.get("anyOf") or node.get("oneOf")
    if branches and any(branch.get("type") == "null" for branch in branches):
        nullable = True
        branches = [branch for branch in branches if branch.get("type") != "null"]
        if len(branches) == 1:
            node = {**node, **branches[0]}
            node.pop("anyOf", None)
            node.pop("oneOf", None)
    all_of = node.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1 and _ref_name(all_of[0]):
        node = {**node, "$ref": all_of[0]["$ref"]}
    types = node.get("type")
    if isinstance(types, list):
        nullable = nullable or "null" in types
        types = [t for t in types if t != "null"]
        types = types[0] if len(types) == 1 else sorted(types)
    if _ref_name(node):
        types = f"ref:{_ref_name(node)}"
    elif "anyOf" in node or "oneOf" in node:
        types = "union:" + ",".join(
            sorted(_ref_name(b) or str(b.get("type")) for b in node.get("anyOf") or node["oneOf"])
        )
    facts: dict[str, Any] = {"type": types, "nullable": nullable}
    if "format" in node:
        facts["format"] = node["format"]
    if "enum" in node:
        facts["enum"] = sorted(map(str, node["enum"]))
    items = node.get("items")
    if isinstance(items, dict):
        facts["items"] = describe(items)
    return facts


def schema_facts(name: str, schema: dict[str, Any]) -> Iterator[tuple[str, Any, bool]]:
    """(key, value, deviated) facts of one component schema."""
    deviated = "x-deviation" in schema
    if "enum" in schema:
        yield f"schema {name} enum", sorted(map(str, schema["enum"])), deviated
        yield f"schema {name} type", schema.get("type"), deviated
    yield f"schema {name} required", sorted(schema.get("required", [])), deviated
    for prop, node in schema.get("properties", {}).items():
        described = describe(node)
        prop_deviated = deviated or "x-deviation" in node
        for aspect, value in described.items():
            yield f"property {name}.{prop} {aspect}", value, prop_deviated
        yield f"property {name}.{prop}", "present", False


def operation_facts(document: dict[str, Any], ours: bool) -> Iterator[tuple[str, Any, bool]]:
    for (method, path), operation in live_operations(document).items():
        where = f"{method.upper()} {path}"
        upstream_id = operation.get("x-upstream-operation-id", operation.get("operationId")) if ours else None
        yield f"operation {where}", upstream_id if ours else operation.get("operationId"), False
        for parameter in operation.get("parameters", []):
            deviated = "x-deviation" in parameter
            schema = parameter.get("schema")
            if schema is None:
                schema = next(iter(parameter.get("content", {}).values()), {}).get("schema", {})
            key = f"parameter {where} {parameter['name']}"
            yield key, "present", False
            yield f"{key} in", parameter.get("in"), deviated
            yield f"{key} required", bool(parameter.get("required")), deviated
            for aspect, value in describe(schema).items():
                yield f"{key} {aspect}", value, deviated
        for status, response in operation.get("responses", {}).items():
            yield f"response {where} {status}", "declared", "x-deviation" in response
        body = operation.get("requestBody", {}).get("content", {})
        for media_type, media in body.items():
            yield f"request body {where} {media_type}", describe(media.get("schema", {})).get("type"), False


def facts(document: dict[str, Any], ours: bool) -> tuple[dict[str, Any], set[str]]:
    """All facts of a document, and (for ours) the keys that sit at a recorded deviation."""
    found: dict[str, Any] = {}
    deviated: set[str] = set()
    schemas = document.get("components", {}).get("schemas", {})
    names = set(schemas) if ours else live_closure(document)
    for name in sorted(names):
        found[f"schema {name}"] = "present"
        for key, value, is_deviated in schema_facts(name, schemas[name]):
            found[key] = value
            if is_deviated:
                deviated.add(key)
    for key, value, is_deviated in operation_facts(document, ours):
        found[key] = value
        if is_deviated:
            deviated.add(key)
    return found, deviated


def added_schemas(ours: dict[str, Any], upstream_facts: dict[str, Any]) -> set[str]:
    """Schemas openapi.yaml adds on purpose (marked `x-deviation`, absent upstream)."""
    schemas = ours.get("components", {}).get("schemas", {})
    return {name for name, s in schemas.items() if "x-deviation" in s and f"schema {name}" not in upstream_facts}


def diff(upstream: dict[str, Any], ours: dict[str, Any]) -> list[str]:
    theirs, _ = facts(upstream, ours=False)
    mine, deviated = facts(ours, ours=True)
    additions = added_schemas(ours, theirs)
    lines = []
    for key in sorted(theirs.keys() | mine.keys()):
        if key in deviated or any(
            key.startswith((f"schema {n} ", f"property {n}.")) or key == f"schema {n}" for n in additions
        ):
            continue
        if key not in mine:
            lines.append(f"+ {key}: {theirs[key]}  (upstream has it, openapi.yaml does not)")
        elif key not in theirs:
            lines.append(f"- {key}: {mine[key]}  (openapi.yaml has it, upstream no longer does)")
        elif theirs[key] != mine[key]:
            change = f"{mine[key]} -> {theirs[key]}"
            if isinstance(mine[key], list) and isinstance(theirs[key], list):
                added = sorted(set(theirs[key]) - set(mine[key]))
                removed = sorted(set(mine[key]) - set(theirs[key]))
                change = " ".join([f"+{v}" for v in added] + [f"-{v}" for v in removed])
            lines.append(f"~ {key}: {change}")
    return lines


def main(argv: list[str]) -> int:
    if len(argv) > 1:
        print("usage: spec_diff.py [UPSTREAM_OPENAPI_DOCUMENT] (compared with openapi.yaml)", file=sys.stderr)
        return 2
    upstream = Path(argv[0]) if argv else UPSTREAM_OPENAPI
    lines = diff(load(upstream), load(ROOT / "openapi.yaml"))
    for line in lines:
        print(line)
    print(f"{len(lines)} difference(s) in the live contract" if lines else "no differences in the live contract")
    return 1 if lines else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
