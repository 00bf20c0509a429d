"""Every operation of openapi.yaml has its methods on both clients, and the twins match."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from gladia_live_client import AsyncGladiaLive, GladiaLive
from gladia_live_client._base_client import OPERATION_METHODS

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def spec_operation_ids(spec: dict[str, Any]) -> list[str]:
    return [
        operation["operationId"]
        for item in spec["paths"].values()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def test_every_spec_operation_has_a_method_on_both_classes(spec: dict[str, Any]) -> None:
    missing = []
    for operation_id in spec_operation_ids(spec):
        for name in OPERATION_METHODS.get(operation_id, (operation_id,)):
            for cls in (GladiaLive, AsyncGladiaLive):
                if not callable(getattr(cls, name, None)):
                    missing.append(f"{cls.__name__}.{name} (operation {operation_id})")
    assert missing == []


def test_the_mapping_names_only_real_operations(spec: dict[str, Any]) -> None:
    assert set(OPERATION_METHODS) == set(spec_operation_ids(spec))


def public_methods(cls: type) -> set[str]:
    return {name for name, value in vars(cls).items() if not name.startswith("_") and callable(value)}


def test_sync_and_async_twins_have_the_same_methods_and_signatures() -> None:
    assert public_methods(GladiaLive) == public_methods(AsyncGladiaLive)
    for name in public_methods(GladiaLive):
        sync_params = inspect.signature(getattr(GladiaLive, name)).parameters
        async_params = inspect.signature(getattr(AsyncGladiaLive, name)).parameters
        assert list(sync_params) == list(async_params), name
        assert [p.default for p in sync_params.values()] == [p.default for p in async_params.values()], name


@pytest.mark.parametrize("name", sorted({n for names in OPERATION_METHODS.values() for n in names}))
def test_async_methods_are_awaitable_or_async_iterators(name: str) -> None:
    method = getattr(AsyncGladiaLive, name)
    hints = inspect.signature(method).return_annotation
    if name.startswith("iter_"):
        assert "AsyncGenerator" in hints or "AsyncIterator" in hints
        assert not inspect.iscoroutinefunction(method), "checks arguments at call time, then iterates"
    else:
        assert inspect.iscoroutinefunction(method)
        assert not inspect.iscoroutinefunction(getattr(GladiaLive, name))
