"""Argument types for argparse: each turns a bad value into a usage error that says what was expected."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from ._errors import CLIError

__all__ = [
    "json_object",
    "non_negative_float",
    "non_negative_int",
    "positive_float",
    "positive_int",
    "read_json_object",
]


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {text!r}")
    return value


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds >= 0, got {text!r}")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a whole number above 0, got {text!r}")
    return value


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return value


def _object(text: str, where: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise CLIError(f"{where} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise CLIError(f"{where} must be a JSON object ({{...}}), not a JSON {type(value).__name__}")
    return value


def json_object(text: str) -> dict[str, Any]:
    """A JSON object given on the command line, e.g. ``--metadata '{"user": "ada"}'``."""
    try:
        return _object(text, "the value")
    except CLIError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def read_json_object(path: Path) -> dict[str, Any]:
    """The JSON object in a file; `CLIError` says what is wrong with it (`OSError` when it cannot be read)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CLIError(f"{path} is not UTF-8 text: {exc.reason} at byte {exc.start}") from None
    return _object(text, str(path))
