"""The command line's argument parsers: a bad JSON object is a usage error or a `CLIError` (a `GladiaError`)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from gladia_live_client import GladiaError
from gladia_live_client.cli._errors import CLIError
from gladia_live_client.cli._parsing import json_object, read_json_object


@pytest.mark.parametrize(("text", "message"), [("{", "is not valid JSON"), ("[1]", "must be a JSON object")])
def test_a_bad_json_object_on_the_command_line_is_a_usage_error(text: str, message: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=message):
        json_object(text)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"{", "is not valid JSON"), (b'"text"', "must be a JSON object"), (b"\xff{}", "is not UTF-8 text")],
)
def test_a_bad_json_object_in_a_file_is_a_cli_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "metadata.json"
    path.write_bytes(content)
    with pytest.raises(CLIError, match=message) as caught:
        read_json_object(path)
    assert isinstance(caught.value, GladiaError)
    assert str(path) in str(caught.value)


def test_a_good_json_object_is_returned() -> None:
    assert json_object('{"user": "ada"}') == {"user": "ada"}
