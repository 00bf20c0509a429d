"""Fixtures of the client tests."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from gladia_live_client import AsyncGladiaLive, GladiaLive, _retries
from gladia_live_client.testing import LocalGladiaServer

SERVER_KEY = "local-test-key-5d8e2b7a9c"


@pytest.fixture
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shrink the exponential backoff (not the Retry-After handling) so retry tests stay quick."""
    monkeypatch.setattr(_retries, "INITIAL_BACKOFF", 0.002)


@pytest.fixture
def no_dead_clients() -> None:
    """Finalise the clients earlier tests dropped. A client's key stays registered for masking until the client
    is collected; a one-letter test key would mask that letter in the error messages a test compares."""
    gc.collect()


@pytest.fixture
def server() -> Iterator[LocalGladiaServer]:
    """A started local Gladia server (over loopback) with a fixed API key."""
    with LocalGladiaServer(api_key=SERVER_KEY) as running:
        yield running


@pytest.fixture
def gladia(server: Any) -> Iterator[GladiaLive]:
    with GladiaLive(api_key=server.api_key, base_url=server.base_url, timeout=30) as client:
        yield client


@pytest.fixture
async def agladia(server: Any) -> AsyncIterator[AsyncGladiaLive]:
    async with AsyncGladiaLive(api_key=server.api_key, base_url=server.base_url, timeout=30) as client:
        yield client
