"""`GladiaLive` and `AsyncGladiaLive` are twins: the same public names, signatures and docstrings.

"The same" is modulo the documented renames, the replacement table of scripts/unasync.py (``AsyncIterator`` ->
``Iterator``, ``await aclose()`` -> ``close()``, ...): `_client.py` is generated from `_async_client.py` with
it, and this test checks the outcome on the classes themselves, whatever produced them.
"""

from __future__ import annotations

import inspect

import pytest

from gladia_live_client import AsyncGladiaLive, GladiaLive
from gladia_live_client._base_client import BaseGladiaLive
from scripts.unasync import rewrite

# The lifecycle methods that have another name in each world.
RENAMED = {"__aenter__": "__enter__", "__aexit__": "__exit__"}
COMPARED = ["__init__", "__aenter__", "__aexit__"]


def public_names(cls: type) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_")}


def sync_name(name: str) -> str:
    return RENAMED.get(name, name)


ASYNC_METHODS = sorted(public_names(AsyncGladiaLive) | set(COMPARED))


def test_the_same_public_names() -> None:
    assert public_names(AsyncGladiaLive) == public_names(GladiaLive)
    assert {"init_session", "get_job", "download_audio", "iter_jobs", "live", "close"} <= public_names(GladiaLive)


def test_both_share_one_base_and_only_send_themselves() -> None:
    assert GladiaLive.__mro__[1] is BaseGladiaLive
    assert AsyncGladiaLive.__mro__[1] is BaseGladiaLive
    for cls in (GladiaLive, AsyncGladiaLive):
        own = {name for name in vars(cls) if not name.startswith("__")}
        private = {name for name in own if name.startswith("_")}
        assert private == {"_send", "_iter_pages", "_stream"}, "any other private logic belongs to BaseGladiaLive"


@pytest.mark.parametrize("name", ASYNC_METHODS)
def test_the_same_signature(name: str) -> None:
    async_member = inspect.getattr_static(AsyncGladiaLive, name)
    sync_member = inspect.getattr_static(GladiaLive, sync_name(name))
    if isinstance(async_member, property):
        assert isinstance(sync_member, property)
        return
    async_signature = inspect.signature(getattr(AsyncGladiaLive, name))
    sync_signature = inspect.signature(getattr(GladiaLive, sync_name(name)))
    assert list(sync_signature.parameters) == list(async_signature.parameters)
    for parameter_name, async_parameter in async_signature.parameters.items():
        sync_parameter = sync_signature.parameters[parameter_name]
        assert sync_parameter.kind == async_parameter.kind, parameter_name
        assert sync_parameter.default == async_parameter.default, parameter_name
        assert str(sync_parameter.annotation) == rewrite(str(async_parameter.annotation)), parameter_name
    assert str(sync_signature.return_annotation) == rewrite(str(async_signature.return_annotation))


@pytest.mark.parametrize("name", [*ASYNC_METHODS, "<class>"])
def test_the_same_docstring(name: str) -> None:
    if name == "<class>":
        async_doc, sync_doc = AsyncGladiaLive.__doc__, GladiaLive.__doc__
    else:
        async_doc = getattr(AsyncGladiaLive, name).__doc__
        sync_doc = getattr(GladiaLive, sync_name(name)).__doc__
    assert (sync_doc is None) == (async_doc is None)
    if async_doc is not None:
        assert sync_doc == rewrite(async_doc)


def test_the_comparison_can_fail() -> None:
    """The renames are not a wildcard: a real difference survives them."""
    assert rewrite("AsyncIterator[StreamingResponse]") == "Iterator[StreamingResponse]"
    assert rewrite("AsyncIterator[StreamingResponse]") != "Iterator[ListStreamingResponse]"
    assert rewrite("Exhaust it or ``await aclose()`` it") == "Exhaust it or ``close()`` it"
