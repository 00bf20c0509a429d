"""pytest plugin (entry point `pytest11`): `gladia_server` (a started `LocalGladiaServer`) and `chaos_proxy`.

Registered when gladia-live-client is installed; importing it never needs the `testing` extra, so it cannot
break pytest where the extra is missing. Only a test that uses the fixture needs the extra: without it that
test fails with the install command to run.

    def test_transcribes(gladia_server):
        my_service = MyService(gladia_url=gladia_server.base_url, gladia_key=gladia_server.api_key)
        ...
        assert gladia_server.sessions_created() == 1

    def test_survives_a_cut(chaos_proxy):
        proxy = chaos_proxy("127.0.0.1", my_server_port, plans=[ChaosPlan.cut(after_bytes=4096)])
        my_client = MyClient(host=proxy.host, port=proxy.port)  # its first connection dies after 4 KiB
        ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from ._chaos import ChaosProxy

if TYPE_CHECKING:
    from ._server import LocalGladiaServer

__all__ = ["chaos_proxy", "gladia_server"]


@pytest.fixture
def gladia_server() -> Iterator[LocalGladiaServer]:
    """A `LocalGladiaServer` on an ephemeral 127.0.0.1 port with default settings, stopped after the test."""
    try:
        from ._server import LocalGladiaServer
    except ImportError as exc:
        pytest.fail(
            f"the gladia_server fixture needs the testing extra: pip install 'gladia-live-client[testing]' ({exc})"
        )
    with LocalGladiaServer() as server:
        yield server


@pytest.fixture
def chaos_proxy() -> Iterator[Callable[..., ChaosProxy]]:
    """A factory of started `ChaosProxy`s: `chaos_proxy(target_host, target_port, **options)`.

    Takes the arguments of `ChaosProxy`; every proxy it made is stopped after the test (its open connections
    reset). Needs nothing beyond the standard library.
    """
    proxies: list[ChaosProxy] = []

    def make(target_host: str, target_port: int, **options: Any) -> ChaosProxy:
        proxy = ChaosProxy(target_host, target_port, **options)
        proxy.start()
        proxies.append(proxy)
        return proxy

    try:
        yield make
    finally:
        for proxy in proxies:
            proxy.stop()
