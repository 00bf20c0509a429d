"""`gladia-live` never prints a secret: not the key a server echoes, not the token a close reason quotes.

Keys and tokens of 1, 3, 6 and 40 characters; every line of stdout and stderr of the subprocess is checked.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from gladia_live_client import GladiaLive, testing
from gladia_live_client.testing import _session
from tests.client._hostile import RawServer, raw

from .conftest import SPEECH, assert_one_line_error, run_cli

# None of these occurs in the command line's own output, so finding one would be a leak.
SECRETS = ["Q", "Qz7", "Qz7-K9", "Qz7-K9aa-0123456789-abcdefghij-ABCDEFGHI"]
JOB_ID = "0b4a7c1e-5f0d-4c6a-9e61-1a2b3c4d5e6f"


def ids(secret: str) -> str:
    return f"length{len(secret)}"


@pytest.mark.parametrize("key", SECRETS, ids=ids)
def test_a_key_echoed_in_an_error_is_masked(key: str) -> None:
    body = json.dumps({"message": f"unknown key {key}", "request_id": key}).encode()
    answer = f"HTTP/1.1 401 {key}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body
    with RawServer(raw(answer)) as hostile:
        result = run_cli("jobs", "get", JOB_ID, "--base-url", hostile.base_url, "--api-key", key)
    line = assert_one_line_error(result, "401", "unknown key ***")
    assert key not in result.stdout + result.stderr, line


@pytest.mark.parametrize("key", [SECRETS[0], SECRETS[-1]], ids=ids)
def test_a_key_echoed_in_a_garbage_status_line_is_masked(key: str) -> None:
    with RawServer(raw(f"HTTP/1.1 2{key} OK\r\n\r\n".encode())) as hostile:
        result = run_cli("jobs", "get", JOB_ID, "--base-url", hostile.base_url, server=None, GLADIA_API_KEY=key)
    assert_one_line_error(result, "cannot reach", "illegal status line")
    assert key not in result.stdout + result.stderr


@pytest.mark.parametrize("key", [SECRETS[0], SECRETS[-1]], ids=ids)
def test_a_key_echoed_in_a_job_is_masked_in_the_output(key: str) -> None:
    with (
        testing.LocalGladiaServer(api_key=key) as local,
        GladiaLive(api_key=key, base_url=local.base_url) as gladia,
    ):
        job_id = str(gladia.init_session({"encoding": "wav/pcm"}).id)
        gladia.patch_job(job_id, {"note": f"echo {key}"})
        result = run_cli("jobs", "get", job_id, "--json", server=local)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["post_session_metadata"] == {"note": "echo ***"}
    assert key not in result.stdout + result.stderr


@pytest.mark.parametrize("token", SECRETS, ids=ids)
def test_a_close_reason_quoting_the_token_is_masked(server: Any, token: str, monkeypatch: pytest.MonkeyPatch) -> None:
    original = _session.ServerSession.__init__

    def hand_out_token(self: Any, **kwargs: Any) -> None:
        original(self, **kwargs)
        self.token = token

    monkeypatch.setattr(_session.ServerSession, "__init__", hand_out_token)
    server.faults.ws_drop_after(6400, close_code=1011, reason=f"token {token} is being rotated")
    server.faults.ws_drop_after(3200, close_code=4401, reason=f"token {token} revoked")

    result = run_cli("stream", SPEECH, "--fast", server=server)

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    # The recovered 1011 drop is logged at INFO, which the command line does not show (the masking of that
    # record is tested in tests/live/test_e2e_secrets.py); the final 4401 is the error line.
    assert not any("1011" in note for note in notes), result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith("error: live session failed:"), last
    assert "code 4401 (token *** revoked)" in last
    assert token not in result.stdout + result.stderr
