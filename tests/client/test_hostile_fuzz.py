"""A hostile server fuzzes the seven client calls over the six operations, sync and async.

A raw server on 127.0.0.1 answers each request from a seeded recipe: valid answers, random or garbage status
lines, random, duplicated, oversized or contradictory headers, random bytes, nested JSON, gzip bombs, wrong
or garbage Content-Encoding, truncated bodies and chunked encodings, trickled bytes, delays and cuts. Every
call must end in a valid result or a `GladiaError`, within its deadline, with its allocations bounded.

``make test`` runs GLADIA_HOSTILE_FUZZ_CASES (default 40) cases per mode; set it higher for a longer run, and
GLADIA_HOSTILE_FUZZ_SEED to replay one (each failure names its seed and case).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import random
import tracemalloc
import zlib

import pytest

from gladia_live_client import GladiaError, _retries
from tests.operations import CLIENT_CALLS

from ._calls import MODES, call
from ._hostile import JOB_ID, RawServer, Request, chunk, gzip_bomb, job, nested_json, response_head

CASES = int(os.environ.get("GLADIA_HOSTILE_FUZZ_CASES", "40"))
SEED = int(os.environ.get("GLADIA_HOSTILE_FUZZ_SEED", "20261130"))
DEADLINE = 0.6
MAX_BODY = 64 * 1024
# A parsed body costs at most some tens of times its size in objects; the rest is httpx and the test itself.
MEMORY_BOUND = 24 * 1024 * 1024
SLACK = 1.5

_PAGE = {"first": "http://x/v2/live?offset=0", "current": "http://x/v2/live?offset=0", "next": None}
_SESSION = {"id": JOB_ID, "created_at": "2024-01-01T00:00:00Z", "url": "ws://127.0.0.1:1/v2/live?token=t"}


def _valid_body(request: Request) -> tuple[int, bytes]:
    if request.method == "POST":
        return 201, json.dumps(_SESSION).encode()
    if request.method in ("DELETE", "PATCH"):
        return (202 if request.method == "DELETE" else 204), b""
    if request.target.endswith("/file"):
        return 200, b"RIFF" + bytes(2000)
    if request.target.startswith("/v2/live?") or request.target == "/v2/live":
        return 200, json.dumps({**_PAGE, "items": [job()]}).encode()
    return 200, json.dumps(job()).encode()


def _random_body(rng: random.Random) -> bytes:
    kind = rng.randrange(9)
    if kind == 0:
        return rng.randbytes(rng.randrange(0, 3000))
    if kind == 1:
        return nested_json(rng.choice([200, 5_000, 100_000]))
    if kind == 2:
        return b'{"id": ' + b"9" * rng.choice([10, 5000, 100_000]) + b"}"
    if kind == 3:
        return b'{"message": "\xff\xfe\xc3(", "request_id": "G-\xed\xa0\x80"}'
    if kind == 4:
        return b"[" + b"[]," * rng.randrange(1000, 40_000) + b"[]]"
    if kind == 5:
        return b"<html>" + b"<script" * rng.randrange(100, 20_000) + b"</html>"
    if kind == 6:
        return json.dumps(job(custom_metadata={"k": "x" * rng.randrange(10, 200_000)})).encode()
    if kind == 7:
        return b'{"message": "unterminated'
    return json.dumps({"items": None, "id": [], "created_at": 5, "status": {"x": 1}}).encode()


def _status_line(rng: random.Random) -> str | int:
    kind = rng.randrange(10)
    if kind < 6:
        return rng.choice([200, 201, 202, 204, 301, 400, 401, 403, 404, 408, 413, 422, 429, 500, 503, 520, 599])
    if kind == 6:
        return rng.choice([100, 101, 103, 304, 999, 0])
    return rng.choice(
        [
            "HTTP/1.1 abc Nope",
            "HTTP/9.9 200 OK",
            "garbage",
            "",
            "HTTP/1.1 200 " + "x" * 70_000,
            "HTTP/1.1 200 OK\x00",
            "ICY 200 OK",
        ]
    )


def _headers(rng: random.Random, body: bytes) -> tuple[list[tuple[str, str]], bytes, bool]:
    """Headers, the body as sent, and whether it is sent chunked."""
    headers = [("content-type", rng.choice(["application/json", "text/html", "audio/wav", "\x7f/\x01"]))]
    encoding = rng.randrange(8)
    if encoding == 0:
        headers.append(("content-encoding", "gzip"))
        body = gzip.compress(body)
    elif encoding == 1:
        headers.append(("content-encoding", "deflate"))
        body = zlib.compress(body)
    elif encoding == 2:
        headers.append(("content-encoding", rng.choice(["gzip", "br", "zstd", "deflate", "x-unknown", "gzip, gzip"])))
    elif encoding == 3:
        headers.append(("content-encoding", "gzip"))
        body = gzip_bomb(decoded_size=64 << 20)
    chunked = rng.random() < 0.3
    if chunked:
        headers.append(("transfer-encoding", "chunked"))
    else:
        length = len(body) + rng.choice([0, 0, 0, 0, -10, 10, 10**12])
        headers.append(("content-length", str(max(length, 0))))
        if rng.random() < 0.1:
            headers.append(("content-length", str(len(body) + 1)))
    for _ in range(rng.randrange(4)):
        headers.append(
            rng.choice(
                [
                    (
                        "retry-after",
                        rng.choice(["0", "0.05", "120", "-1", "nan", "Wed, 21 Oct 2099 07:28:00 GMT", "x"]),
                    ),
                    ("x-request-id", "G-" + "r" * rng.randrange(1, 10_000)),
                    ("x-big", "v" * rng.randrange(1, 120_000)),
                    ("set-cookie", "a=b"),
                    ("location", "http://127.0.0.1:1/elsewhere"),
                    ("bad header", "v"),
                ]
            )
        )
    rng.shuffle(headers)
    return headers, body, chunked


def recipe(seed: int) -> object:
    """The server's handler: each request gets bytes drawn from its own generator."""
    counter = iter(range(1 << 30))

    async def handle(request: Request, writer: asyncio.StreamWriter) -> None:
        rng = random.Random(seed * 1_000_003 + next(counter))
        if rng.random() < 0.3:
            status: str | int
            status, body = _valid_body(request)
        else:
            status, body = _status_line(rng), _random_body(rng)
        headers, wire_body, chunked = _headers(rng, body)
        if chunked:
            cut = rng.choice([None, None, len(wire_body) // 2])
            pieces = [chunk(wire_body[i : i + 1000]) for i in range(0, len(wire_body[:cut]), 1000)]
            if rng.random() < 0.1:
                pieces.append(b"zz\r\nnot a size\r\n")
            wire_body = b"".join(pieces) + (b"0\r\n\r\n" if cut is None else b"")
        data = response_head(status, headers) + wire_body
        if rng.random() < 0.15:
            data = data[: rng.randrange(len(data) + 1)]
        timing = rng.randrange(10)
        if timing == 0:
            await asyncio.sleep(rng.uniform(0, 2 * DEADLINE))
        if timing == 1:  # trickled
            step = max(len(data) // 40, 1)
            for start in range(0, len(data), step):
                writer.write(data[start : start + step])
                await writer.drain()
                await asyncio.sleep(0.03)
        else:
            writer.write(data)
            await writer.drain()
        if rng.random() < 0.3 or data != response_head(status, headers) + wire_body:
            writer.close()

    return handle


# Every client call of every operation of the spec.
OPERATIONS = CLIENT_CALLS


@pytest.mark.parametrize("mode", MODES)
def test_every_call_ends_typed_in_time_and_bounded(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_retries, "INITIAL_BACKOFF", 0.01)
    rng = random.Random(f"{SEED}-{mode}")
    outcomes: dict[str, int] = {}
    with RawServer(recipe(0)) as server:  # first calls import models and endpoint modules: not timed
        for operation in OPERATIONS:
            call(mode, server.base_url, operation, deadline=DEADLINE, max_retries=0)
    tracemalloc.start()
    try:
        for case in range(CASES):
            case_seed = rng.randrange(1 << 32)
            operation = rng.choice(OPERATIONS)
            with RawServer(recipe(case_seed)) as server:
                tracemalloc.reset_peak()
                baseline = tracemalloc.get_traced_memory()[0]
                outcome, seconds = call(
                    mode,
                    server.base_url,
                    operation,
                    deadline=DEADLINE,
                    timeout=DEADLINE,
                    max_retries=rng.randrange(3),
                    max_response_bytes=MAX_BODY,
                )
                peak = tracemalloc.get_traced_memory()[1] - baseline
                requests = max(len(server.requests), 1)
            where = f"seed={case_seed} case={case} operation={operation} mode={mode}"
            if isinstance(outcome, Exception):
                assert isinstance(outcome, GladiaError), f"{where}: {outcome!r}"
            # iter_jobs makes one call per page; every other operation is one call.
            calls = requests if operation == "iter_jobs" else 1
            assert seconds < DEADLINE * calls + SLACK, f"{where}: took {seconds:.2f} s"
            assert peak < MEMORY_BOUND, f"{where}: {peak:,} bytes allocated at the peak"
            name = type(outcome).__name__
            outcomes[name] = outcomes.get(name, 0) + 1
    finally:
        tracemalloc.stop()
    # The recipes reach both ends: results and several kinds of typed errors.
    assert len(outcomes) >= 4, outcomes
