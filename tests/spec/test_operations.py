"""The six live operations: their routes, names and declared responses.

The spec is the one list of the operation ids (tests/operations.py reads it); this file pins the routes and
their success statuses, and checks that each id names the endpoint module the client builds it with.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest

from tests.operations import OPERATION_IDS

# The route of each live operation and its success status.
EXPECTED = {
    ("post", "/v2/live"): "201",
    ("get", "/v2/live"): "200",
    ("get", "/v2/live/{id}"): "200",
    ("delete", "/v2/live/{id}"): "202",
    ("patch", "/v2/live/{id}"): "204",
    ("get", "/v2/live/{id}/file"): "200",
}


def operations(spec: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(method, path): op for path, item in spec["paths"].items() for method, op in item.items()}


def test_exactly_the_six_live_operations(spec: dict[str, Any]) -> None:
    assert set(operations(spec)) == set(EXPECTED)
    assert len(set(OPERATION_IDS)) == len(EXPECTED), "one distinct operationId per route"


def test_each_operation_id_names_the_endpoint_module_of_its_route(spec: dict[str, Any]) -> None:
    for (method, path), operation in operations(spec).items():
        module = importlib.import_module(f"gladia_live_client._generated.api.live_v2.{operation['operationId']}")
        parameters = inspect.signature(module.build_request).parameters
        body = {"body": parameters["body"].annotation()} if "body" in parameters else {}
        request = module.build_request(*(["job-1"] if "{id}" in path else []), **body)
        assert (request["method"], request["url"]) == (method, path.replace("{id}", "job-1"))


@pytest.mark.parametrize(("key", "expected"), EXPECTED.items(), ids=lambda v: str(v))
def test_success_status_and_undeclared_statuses(spec: dict[str, Any], key: Any, expected: Any) -> None:
    responses = operations(spec)[key]["responses"]
    assert expected in responses
    assert {"429", "5XX"} <= set(responses), "rate limiting and gateway errors must be declared"


def test_bodiless_and_binary_responses(spec: dict[str, Any]) -> None:
    ops = operations(spec)
    assert "content" not in ops[("delete", "/v2/live/{id}")]["responses"]["202"]
    assert "content" not in ops[("patch", "/v2/live/{id}")]["responses"]["204"]
    audio = ops[("get", "/v2/live/{id}/file")]["responses"]["200"]["content"]
    assert list(audio) == ["application/octet-stream"]
    assert audio["application/octet-stream"]["schema"]["format"] == "binary"


def test_upstream_operation_ids_are_kept_and_real(spec: dict[str, Any], upstream: dict[str, Any]) -> None:
    upstream_ids = {
        (method, path): op["operationId"]
        for path, item in upstream["paths"].items()
        if path.startswith("/v2/live")
        for method, op in item.items()
    }
    ours = {key: op["x-upstream-operation-id"] for key, op in operations(spec).items()}
    assert ours == upstream_ids


def test_security_is_the_gladia_header_and_server_has_no_trailing_slash(spec: dict[str, Any]) -> None:
    scheme = spec["components"]["securitySchemes"]["x_gladia_key"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "x-gladia-key")
    assert spec["security"] == [{"x_gladia_key": []}]
    assert [server["url"] for server in spec["servers"]] == ["https://api.gladia.io"]


def test_list_query_parameters(spec: dict[str, Any]) -> None:
    params = {p["name"]: p for p in operations(spec)[("get", "/v2/live")]["parameters"]}
    assert set(params) == {"offset", "limit", "date", "before_date", "after_date", "status", "custom_metadata"}
    assert params["date"]["schema"]["format"] == "date"
    assert params["before_date"]["schema"]["format"] == "date-time"
    assert params["status"]["schema"]["type"] == "array"
    assert params["status"].get("explode", True) is True
    assert list(params["custom_metadata"]["content"]) == ["application/json"]
