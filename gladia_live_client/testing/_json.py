"""JSON in and out of the server: strict parsing, and text that always encodes as UTF-8."""

from __future__ import annotations

import json
from typing import Any, NoReturn

__all__ = ["dumps", "loads"]


def _constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def loads(data: str | bytes) -> Any:
    """Parse JSON text strictly: ValueError for invalid text, NaN/Infinity, or nesting too deep to handle."""
    try:
        return json.loads(data, parse_constant=_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def dumps(value: Any) -> str:
    """Compact JSON text. Strings holding unpaired surrogates (valid JSON escapes, not valid Unicode) are
    escaped as `\\udXXX`, as JavaScript's JSON.stringify does, so the text always encodes as UTF-8."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    if not text.isascii():
        try:
            text.encode()
        except UnicodeEncodeError:
            text = json.dumps(value, separators=(",", ":"), allow_nan=False)
    return text
