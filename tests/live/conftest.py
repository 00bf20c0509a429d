"""Fixtures of the live-session tests: a local server, sessions created on it, fast reconnect settings."""

from __future__ import annotations

import math
import random
import struct
from collections.abc import Iterator
from typing import Any

import pytest

from gladia_live_client import GladiaLive, LiveOptions, ReconnectPolicy
from gladia_live_client.models import InitStreamingResponse, StreamingRequest
from gladia_live_client.testing import LocalGladiaServer

# Reconnect quickly in tests; the bounds still hold (they are what the flapping test measures).
FAST_RECONNECT = ReconnectPolicy(
    max_attempts=20, max_elapsed=30.0, initial_delay=0.005, max_delay=0.02, jitter=0.5, healthy_after=5.0
)


def fast_options(seed: int = 0, **overrides: Any) -> LiveOptions:
    settings: dict[str, Any] = {"reconnect": FAST_RECONNECT, "rng": random.Random(seed), "close_timeout": 5.0}
    settings.update(overrides)
    return LiveOptions(**settings)


def session_request(**fields: Any) -> StreamingRequest:
    """16 kHz 16-bit mono PCM, acknowledgements and lifecycle events (end_session) on, plus `fields`."""
    body: dict[str, Any] = {
        "encoding": "wav/pcm",
        "bit_depth": 16,
        "sample_rate": 16000,
        "channels": 1,
        "messages_config": {"receive_acknowledgments": True, "receive_lifecycle_events": True},
    }
    body.update(fields)
    return StreamingRequest.from_dict(body)


def speechlike(seconds: float, seed: int = 0, rate: int = 16000) -> bytes:
    """16-bit mono PCM: bursts of a noisy tone (speech for an energy detector) separated by silences."""
    rng = random.Random(seed)
    samples: list[int] = []
    total = int(seconds * rate)
    while len(samples) < total:
        burst = int(rng.uniform(0.3, 0.7) * rate)
        pitch = rng.uniform(120, 300)
        samples += [int(8000 * math.sin(2 * math.pi * pitch * i / rate) + rng.gauss(0, 300)) for i in range(burst)]
        samples += [int(rng.gauss(0, 20)) for _ in range(int(rng.uniform(0.3, 0.5) * rate))]
    samples = [max(-32768, min(32767, value)) for value in samples[:total]]
    return struct.pack(f"<{total}h", *samples)


@pytest.fixture(scope="module")
def server() -> Iterator[LocalGladiaServer]:
    """A started local Gladia server for the module's tests (part of this repository: never skipped)."""
    with LocalGladiaServer(transcript_script=["hello", "world", "this is a test"]) as running:
        yield running


@pytest.fixture(autouse=True)
def _no_leftover_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "server" in request.fixturenames:
        request.getfixturevalue("server").faults.clear()


def create_session(server: Any, request: StreamingRequest | None = None) -> InitStreamingResponse:
    """POST /v2/live on the local server."""
    with GladiaLive(api_key=server.api_key, base_url=server.base_url, timeout=30) as client:
        return client.init_session(request or session_request())
