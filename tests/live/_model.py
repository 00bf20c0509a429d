"""A pure-Python model of the server's side of the live protocol, for driving `LiveProtocol` without I/O.

It behaves like the real service as far as the client can tell: it commits audio only by acknowledging it,
discards what it received but had not acknowledged when a connection drops, numbers audio by absolute session
offset, and acknowledges `stop_recording` once everything before it is committed.
"""

from __future__ import annotations

import json
from typing import Any

from gladia_live_client import ReconnectPolicy
from gladia_live_client._live._protocol import Frame, LiveProtocol

# Tests of the accounting, not of the reconnection budget: retry at once, with no caps.
PATIENT = ReconnectPolicy(
    max_attempts=10_000,
    max_elapsed=1e9,
    initial_delay=0.01,
    max_delay=0.01,
    max_reconnections=None,
    max_reconnections_per_minute=None,
)


def ack_json(start: int, end: int, session_id: str = "s-1") -> str:
    return json.dumps(
        {
            "type": "audio_chunk",
            "acknowledged": True,
            "error": None,
            "session_id": session_id,
            "created_at": "2024-01-01T00:00:00.000Z",
            "data": {"byte_range": [start, end], "time_range": [0.0, 0.0]},
        }
    )


def stop_ack_json(session_id: str = "s-1") -> str:
    return json.dumps(
        {
            "type": "stop_recording",
            "acknowledged": True,
            "error": None,
            "session_id": session_id,
            "created_at": "2024-01-01T00:00:00.000Z",
            "data": {"recording_duration": 1.0, "recording_left_to_process": 0.0},
        }
    )


def end_session_json(session_id: str = "s-1") -> str:
    return json.dumps({"type": "end_session", "session_id": session_id, "created_at": "2024-01-01T00:00:00.000Z"})


class ModelServer:
    """The server: `deliver` frames to it, then `ack` some of what it received; `drop` loses the rest."""

    def __init__(self) -> None:
        self.committed = bytearray()
        self.pending: list[bytes] = []  # received audio frames not yet acknowledged
        self.stop_received = False  # on the current connection, after all pending audio
        self.stop_acknowledged = False
        self.frames_received: list[Frame] = []
        self.keepalives = 0

    def deliver(self, frames: list[Frame]) -> None:
        for frame in frames:
            self.frames_received.append(frame)
            if isinstance(frame, str):
                message: dict[str, Any] = json.loads(frame)
                if message["type"] == "stop_recording":
                    self.stop_received = True
                elif message == {"type": "audio_chunk", "data": {"chunk": ""}}:
                    self.keepalives += 1
                else:
                    raise AssertionError(f"unexpected text frame {frame!r}")
            else:
                assert not self.stop_received, "audio after stop_recording"
                assert 0 < len(frame) < 1024 * 1024
                self.pending.append(bytes(frame))

    def ack(self, count: int) -> list[str]:
        """Acknowledge (commit) the first `count` pending frames, then stop_recording if it is next."""
        messages = []
        for _ in range(min(count, len(self.pending))):
            frame = self.pending.pop(0)
            start = len(self.committed)
            self.committed += frame
            messages.append(ack_json(start, len(self.committed)))
        if not self.pending and self.stop_received and not self.stop_acknowledged:
            self.stop_acknowledged = True
            messages.append(stop_ack_json())
        return messages

    def drop(self) -> None:
        self.pending.clear()
        self.stop_received = False

    def connect(self, core: LiveProtocol, now: float) -> None:
        """Open a connection for `core` and take what it sends; when it probes first (audio was in flight on
        the last connection), acknowledge the probe so the rest of its audio follows."""
        core.connection_made(now)
        frames = core.frames_to_send(now)
        self.deliver(frames)
        if core.probing:
            for message in self.ack(1):
                core.receive(message)
            self.deliver(core.frames_to_send(now))


def negative_ack_json(problem: str = "audio refused", session_id: str = "s-1") -> str:
    return json.dumps(
        {
            "type": "audio_chunk",
            "acknowledged": False,
            "error": {"message": problem},
            "session_id": session_id,
            "created_at": "2024-01-01T00:00:00.000Z",
            "data": None,
        }
    )


class CommittingServer:
    """The server as the real one fails on an abrupt cut, with the network between it and the client.

    It commits audio the moment a frame arrives and numbers it absolutely in the session's recording; its
    acknowledgements then travel back. `pump` puts the client's frames in flight towards the server,
    `deliver` lets some arrive, `respond` lets some acknowledgements arrive at the client. `cut` ends the
    connection in both directions at once: a prefix of the frames in flight still arrives (and is committed),
    the rest is lost; a prefix of the acknowledgements in flight still reaches the client, the rest (including
    acknowledgements of committed audio) is lost. Empty frames add no audio and get no acknowledgement, like the
    local server. `stop_recording` ends the session: its acknowledgement and `end_session` follow.
    """

    def __init__(self) -> None:
        self.recording = bytearray()
        self.to_server: list[Frame] = []
        self.to_client: list[str] = []
        self.stopped = False  # stop_recording reached the server: the session is over
        self.connections = 0

    def connect(self) -> None:
        assert not self.stopped, "the session is over"
        self.connections += 1
        self.to_server.clear()
        self.to_client.clear()

    def send(self, frames: list[Frame]) -> None:
        self.to_server.extend(frames)

    def deliver(self, count: int) -> None:
        arriving, self.to_server = self.to_server[:count], self.to_server[count:]
        for frame in arriving:
            if self.stopped:
                return
            if isinstance(frame, str):
                kind = json.loads(frame)["type"]
                if kind == "stop_recording":
                    self.stopped = True
                    self.to_client += [stop_ack_json(), end_session_json()]
                else:
                    assert frame == '{"type":"audio_chunk","data":{"chunk":""}}', frame
            elif len(frame):
                start = len(self.recording)
                self.recording += frame
                self.to_client.append(ack_json(start, len(self.recording)))

    def respond(self, count: int) -> list[str]:
        arriving, self.to_client = self.to_client[:count], self.to_client[count:]
        return arriving

    def cut(self, frames_arriving: int, acks_arriving: int) -> list[str]:
        """Cut the connection: what still arrives on each side, then everything else in flight is lost."""
        self.deliver(frames_arriving)
        self.to_server.clear()
        arriving = self.respond(acks_arriving)
        self.to_client.clear()
        return arriving
