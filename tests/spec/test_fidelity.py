"""Nothing of upstream's live contract is dropped: every schema and property is in openapi.yaml."""

from __future__ import annotations

from typing import Any

from scripts.upstream import live_closure, live_operations


def test_every_upstream_schema_of_the_live_closure_is_present(spec: dict[str, Any], upstream: dict[str, Any]) -> None:
    closure = live_closure(upstream)
    assert len(closure) >= 49 + 18, "the closure computation lost schemas"
    assert closure - set(spec["components"]["schemas"]) == set()


def test_every_upstream_property_is_present_with_its_type(spec: dict[str, Any], upstream: dict[str, Any]) -> None:
    ours, theirs = spec["components"]["schemas"], upstream["components"]["schemas"]
    missing, retyped = [], []
    for name in sorted(live_closure(upstream)):
        for prop, upstream_prop in theirs[name].get("properties", {}).items():
            our_prop = ours[name].get("properties", {}).get(prop)
            if our_prop is None:
                missing.append(f"{name}.{prop}")
                continue
            upstream_type = upstream_prop.get("type")
            our_types = our_prop.get("type")
            our_types = our_types if isinstance(our_types, list) else [our_types]
            if upstream_type and "allOf" not in upstream_prop and upstream_type not in our_types:
                retyped.append(f"{name}.{prop}: {upstream_type} -> {our_types}")
    assert missing == []
    assert retyped == []


def test_every_upstream_parameter_is_present(spec: dict[str, Any], upstream: dict[str, Any]) -> None:
    ours = {key: {p["name"] for p in op.get("parameters", [])} for key, op in live_operations(spec).items()}
    theirs = {key: {p["name"] for p in op.get("parameters", [])} for key, op in live_operations(upstream).items()}
    assert ours == theirs


def test_every_upstream_response_status_is_declared(spec: dict[str, Any], upstream: dict[str, Any]) -> None:
    ours = live_operations(spec)
    for key, operation in live_operations(upstream).items():
        assert set(operation["responses"]) <= set(ours[key]["responses"]), key
