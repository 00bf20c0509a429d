"""Fixtures of the client tests."""

from __future__ import annotations

import pytest

from gladia_live_client.lib import _retries


@pytest.fixture
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shrink the exponential backoff (not the Retry-After handling) so retry tests stay quick."""
    monkeypatch.setattr(_retries, "INITIAL_BACKOFF", 0.002)
