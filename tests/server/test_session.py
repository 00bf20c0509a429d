"""`ServerSession`: the messages it writes by hand are the ones its generic path writes."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import httpx

from gladia_live_client.testing import LocalGladiaServer
from gladia_live_client.testing._json import dumps
from gladia_live_client.testing._session import stamp_now, timestamp

from .conftest import API_KEY, TIMEOUT


def test_the_acknowledgement_is_the_generic_message_text(server: LocalGladiaServer) -> None:
    cases = [
        ({}, 0, 3200),  # 16 kHz 16-bit mono: 0.0 to 0.1 s
        ({}, 3200, 6400),
        ({}, 123_456_000, 123_459_200),  # more than an hour into the recording
        ({"sample_rate": 44100, "bit_depth": 24, "channels": 3}, 1_234_567 * 9, 1_234_600 * 9),  # rounded to 6 digits
        ({"sample_rate": 8000, "bit_depth": 8, "encoding": "wav/ulaw"}, 0, 1),
    ]
    for audio, start, end in cases:
        body = {**audio, "messages_config": {"receive_acknowledgments": True}}
        response = httpx.post(
            f"{server.base_url}/v2/live", headers={"x-gladia-key": API_KEY}, json=body, timeout=TIMEOUT
        )
        assert response.status_code == 201, response.text
        session = server._ctx.store.require(response.json()["id"])
        text = session._acknowledgement(start, end)
        seconds = session.format.seconds
        data = {"byte_range": [start, end], "time_range": [round(seconds(start), 6), round(seconds(end), 6)]}
        generic = session._message("audio_chunk", acknowledged=True, error=None, data=data)
        generic["created_at"] = json.loads(text)["created_at"]
        assert text == dumps(generic), audio


def test_message_timestamps_are_the_current_time_to_the_millisecond() -> None:
    pattern = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
    for _ in range(2000):  # crosses millisecond boundaries, and the cached second is checked against the clock
        before = timestamp(datetime.now(UTC))
        stamped = stamp_now()
        after = timestamp(datetime.now(UTC))
        assert pattern.match(stamped), stamped
        assert before <= stamped <= after
