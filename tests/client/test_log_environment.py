"""`GLADIA_LOG`: the package's logging on stderr at the level asked for, masked, and silent otherwise."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

KEY = "gladia-log-test-key-6d1f"

# One call to an in-process mock API; the job id is the key itself, so a masked log line proves the filter ran.
PROGRAM = f"""
import httpx
from gladia_live_client import GladiaLive, NotFoundError

transport = httpx.MockTransport(lambda request: httpx.Response(404, json={{"message": "no such job"}}))
with GladiaLive(api_key={KEY!r}, base_url="https://api.example", transport=transport, max_retries=0) as client:
    try:
        client.get_job({KEY!r})
    except NotFoundError:
        print("not found")
"""


def run(level: str | None) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if name != "GLADIA_LOG"}
    if level is not None:
        env["GLADIA_LOG"] = level
    return subprocess.run(
        [sys.executable, "-c", PROGRAM], env=env, capture_output=True, text=True, timeout=60, check=True
    )


@pytest.mark.parametrize("level", ["debug", "DEBUG"])
def test_debug_prints_each_request_masked(level: str) -> None:
    result = run(level)
    assert result.stdout == "not found\n"
    assert "DEBUG gladia_live_client.http: HTTP GET /v2/live/*** -> 404" in result.stderr
    assert KEY not in result.stderr


def test_info_leaves_out_debug_records() -> None:
    result = run("info")
    assert result.stdout == "not found\n"
    assert "DEBUG" not in result.stderr


def test_unset_or_empty_prints_nothing() -> None:
    assert run(None).stderr == ""
    assert run("").stderr == ""


def test_an_unknown_level_is_named_in_a_warning() -> None:
    result = run("verbose")
    assert "GLADIA_LOG='verbose' is not a log level this package knows; use debug or info" in result.stderr
    assert "HTTP GET" not in result.stderr
