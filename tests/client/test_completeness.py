"""Every operation of openapi.yaml has its methods on both clients, and every public method has a purpose."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from gladia_live_client import AsyncGladiaLive, GladiaLive
from gladia_live_client._base_client import OPERATION_METHODS, operation_methods
from tests.operations import CLIENT_CALLS, operation_ids

# Public methods that are not a REST operation: the live session on top of them, and the lifecycle.
NOT_OPERATIONS = {"live", "attach_live", "close", "with_options"}


def test_every_spec_operation_has_a_method_on_both_classes(spec: dict[str, Any]) -> None:
    missing = []
    for operation_id in operation_ids(spec):
        for name in operation_methods(operation_id):
            for cls in (GladiaLive, AsyncGladiaLive):
                if not callable(getattr(cls, name, None)):
                    missing.append(f"{cls.__name__}.{name} (operation {operation_id})")
    assert missing == []


def test_the_exceptions_name_only_real_operations(spec: dict[str, Any]) -> None:
    assert set(OPERATION_METHODS) <= set(operation_ids(spec))


@pytest.mark.parametrize("cls", [GladiaLive, AsyncGladiaLive])
def test_every_public_method_is_an_operation_or_a_documented_extra(cls: type) -> None:
    public = {name for name, value in inspect.getmembers(cls) if not name.startswith("_") and callable(value)}
    assert public == set(CLIENT_CALLS) | NOT_OPERATIONS


@pytest.mark.parametrize("name", CLIENT_CALLS)
def test_async_methods_are_awaitable_or_async_iterators(name: str) -> None:
    method = getattr(AsyncGladiaLive, name)
    hints = inspect.signature(method).return_annotation
    if name.startswith("iter_"):
        assert "AsyncGenerator" in hints or "AsyncIterator" in hints
        assert not inspect.iscoroutinefunction(method), "checks arguments at call time, then iterates"
    else:
        assert inspect.iscoroutinefunction(method)
        assert not inspect.iscoroutinefunction(getattr(GladiaLive, name))
