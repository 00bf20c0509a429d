"""pytest plugin (entry point `pytest11`): the `gladia_server` fixture, a started `LocalGladiaServer`.

Registered when gladia-live-client is installed; importing it never needs the `testing` extra, so it cannot
break pytest where the extra is missing. Only a test that uses the fixture needs the extra: without it that
test fails with the install command to run.

    def test_transcribes(gladia_server):
        my_service = MyService(gladia_url=gladia_server.base_url, gladia_key=gladia_server.api_key)
        ...
        assert gladia_server.sessions_created() == 1
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ._server import LocalGladiaServer

__all__ = ["gladia_server"]


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
