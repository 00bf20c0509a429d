"""Fixtures and helpers of the local server's tests: the server, the contract's validators, audio, a raw client.

The tests talk to the server over real loopback sockets with httpx and the `websockets` library only (never
with the package's own client), and validate what it sends against `openapi.yaml` at the repository root (not
against the copy the server ships, which a separate test compares with it).
"""

from __future__ import annotations

import asyncio
import json
import math
import struct
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import httpx
import jsonschema_rs
import pytest
import websockets
import yaml

from gladia_live_client.testing import LocalGladiaServer
from tests.conftest import SPEC_PATH

API_KEY = "test-key"
RATE = 16000
FRAME = 3200  # 100 ms of 16 kHz 16-bit mono
TIMEOUT = 30.0  # generous: the suite must pass on a loaded 2-core machine


# -- the contract ---------------------------------------------------------------------------------------


@cache
def contract() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return document


@cache
def _validator(reference: str) -> jsonschema_rs.Validator:
    root = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": contract()["components"],
        "$ref": reference,
    }
    return jsonschema_rs.validator_for(root, validate_formats=True)


def schema_errors(schema_name: str, instance: Any) -> list[str]:
    """Problems of `instance` against `#/components/schemas/<schema_name>` of openapi.yaml."""
    validator = _validator(f"#/components/schemas/{schema_name}")
    return [f"{error.instance_path}: {error.message}" for error in validator.iter_errors(instance)]


def assert_server_message(message: dict[str, Any]) -> None:
    assert schema_errors("LiveServerMessage", message) == [], message


def response_schema_name(operation_id: str, status: int) -> str | None:
    """The component named by openapi.yaml for this operation's response (None: declared without a body)."""
    for path_item in contract()["paths"].values():
        for operation in path_item.values():
            if operation.get("operationId") != operation_id:
                continue
            responses = operation["responses"]
            declared = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
            assert declared is not None, f"{operation_id} does not declare {status}"
            content = declared.get("content", {}).get("application/json")
            if content is None:
                return None
            reference: str = content["schema"]["$ref"]
            return reference.rsplit("/", 1)[-1]
    raise AssertionError(f"no operation {operation_id}")


def assert_conforms(operation_id: str, response: httpx.Response) -> Any:
    """Assert the response is one openapi.yaml declares for the operation, with a valid body; return its JSON."""
    name = response_schema_name(operation_id, response.status_code)
    if name is None:
        assert response.content == b"", response.content
        return None
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert schema_errors(name, body) == [], body
    return body


def assert_error_body(response: httpx.Response, status: int, message: str | None = None) -> dict[str, Any]:
    """An upstream-shaped error: statusCode, message, request_id `G-` + 8 hex, timestamp, path."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["statusCode"] == status
    assert body["path"] == response.request.url.path
    assert len(body["request_id"]) == 10
    assert body["request_id"].startswith("G-")
    int(body["request_id"][2:], 16)
    assert body["timestamp"].endswith("Z")
    if message is not None:
        assert body["message"] == message
    return body


# -- audio ----------------------------------------------------------------------------------------------


def tone(seconds: float, *, amplitude: float = 0.3, rate: int = RATE, channels: int = 1) -> bytes:
    """16-bit little-endian PCM of a 440 Hz sine, the same on every channel."""
    count = round(seconds * rate)
    samples = [round(amplitude * 32767 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(count)]
    return struct.pack(f"<{count * channels}h", *(value for value in samples for _ in range(channels)))


def silence(seconds: float, *, rate: int = RATE, channels: int = 1, width: int = 2) -> bytes:
    return bytes(round(seconds * rate) * channels * width)


def speech_pattern() -> bytes:
    """1 s silence, 1.5 s tone, 1 s silence, 1 s tone, 0.5 s silence (5 s of 16 kHz 16-bit mono)."""
    return silence(1) + tone(1.5) + silence(1) + tone(1) + silence(0.5)


def frames(audio: bytes, size: int = FRAME) -> list[bytes]:
    return [audio[offset : offset + size] for offset in range(0, len(audio), size)]


def parse_wav(data: bytes) -> tuple[dict[str, int], bytes]:
    """The `fmt ` fields and the `data` payload of a RIFF/WAVE file (checking the RIFF size)."""
    assert data[:4] == b"RIFF"
    assert data[8:12] == b"WAVE"
    assert struct.unpack("<I", data[4:8])[0] == len(data) - 8
    chunks: dict[bytes, bytes] = {}
    offset = 12
    while offset < len(data):
        name, size = data[offset : offset + 4], struct.unpack("<I", data[offset + 4 : offset + 8])[0]
        chunks[name] = data[offset + 8 : offset + 8 + size]
        offset += 8 + size + (size & 1)
    tag, channels, rate, byte_rate, block, bits = struct.unpack("<HHIIHH", chunks[b"fmt "][:16])
    fields = {"tag": tag, "channels": channels, "rate": rate, "byte_rate": byte_rate, "block": block, "bits": bits}
    return fields, chunks[b"data"]


# -- the server and raw clients -------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[LocalGladiaServer]:
    with LocalGladiaServer(api_key=API_KEY) as started:
        yield started


@pytest.fixture
async def http(server: LocalGladiaServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.base_url, headers={"x-gladia-key": API_KEY}, timeout=TIMEOUT) as c:
        yield c


async def init_session(http: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await http.post("/v2/live", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


@dataclass
class Received:
    """What one WebSocket connection received: every message (validated), then how it closed."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    close_code: int | None = None
    close_reason: str = ""

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [message for message in self.messages if message["type"] == kind]

    @property
    def kinds(self) -> list[str]:
        return [message["type"] for message in self.messages]

    @property
    def acked_end(self) -> int:
        ends = [m["data"]["byte_range"][1] for m in self.of("audio_chunk") if m["acknowledged"]]
        return max(ends, default=0)


async def read_all(ws: websockets.ClientConnection, received: Received | None = None) -> Received:
    """Read until the server closes the connection, validating every message against the contract."""
    received = received or Received()
    try:
        async with asyncio.timeout(TIMEOUT):
            async for text in ws:
                assert isinstance(text, str), "the server sends JSON text frames only"
                message = json.loads(text)
                assert_server_message(message)
                received.messages.append(message)
    except websockets.ConnectionClosed:
        pass
    received.close_code = ws.close_code
    received.close_reason = ws.close_reason or ""
    return received


async def read_until(ws: websockets.ClientConnection, received: Received, predicate: Any) -> dict[str, Any]:
    """Read (and keep) messages until one satisfies `predicate`; return it."""
    async with asyncio.timeout(TIMEOUT):
        while True:
            message = json.loads(await ws.recv())
            assert_server_message(message)
            received.messages.append(message)
            if predicate(message):
                return message


async def run_session(url: str, chunks: list[bytes], **connect: Any) -> Received:
    """Send `chunks` as binary frames, then stop_recording, and read everything until the server closes."""
    async with websockets.connect(url, **connect) as ws:
        for chunk in chunks:
            await ws.send(chunk)
        await ws.send(json.dumps({"type": "stop_recording"}))
        return await read_all(ws)
