"""`_json`: nesting is measured outside strings, and every failure is a `ValueError`."""

from __future__ import annotations

import json

import pytest

from gladia_live_client import _json


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        (b"{}", 1),
        (b'{"a": [1, {"b": []}]}', 4),
        (b'["[[[[", "}}}"]', 1),  # brackets inside strings do not count
        (b'["\\"[[[", "\\\\", [[]]]', 3),  # escaped quotes and backslashes do not end or start strings
        (b"[" * 129 + b"]" * 129, 129),
    ],
)
def test_depth_is_measured_outside_strings(text: bytes, depth: int) -> None:
    assert not _json.json_depth_exceeds(text, depth)
    assert _json.json_depth_exceeds(text, depth - 1) == (depth - 1 < text.count(b"[") + text.count(b"{"))


def test_a_real_job_is_not_too_deep() -> None:
    body = json.dumps({"result": {"transcription": {"utterances": [{"words": [{"word": "[x]"}] * 300}] * 10}}})
    assert _json.loads(body.encode())["result"]["transcription"]["utterances"][0]["words"][0] == {"word": "[x]"}


@pytest.mark.parametrize("levels", [129, 100_000])
def test_deep_nesting_is_a_value_error(levels: int) -> None:
    with pytest.raises(_json.JSONNestingError, match="more than 128 levels"):
        _json.loads(b"[" * levels + b"]" * levels)
    with pytest.raises(ValueError, match="more than 128 levels"):
        _json.loads('{"a":' * levels + "1" + "}" * levels)
