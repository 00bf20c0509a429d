"""JSON parsing that fails with a `ValueError` on hostile input, never with `RecursionError` or `MemoryError`.

`json.loads` recurses once per nesting level, so ``[[[[...]]]]`` 100,000 levels deep raises `RecursionError`
(and a structure that parsed just under the interpreter's limit can still break whatever walks it later:
``json.dumps``, ``repr``). Gladia's answers nest less than ten levels; anything deeper than `MAX_JSON_DEPTH`
is refused before parsing, by a scan that costs about half a ``json.loads`` of the same bytes.
"""

from __future__ import annotations

import json
from array import array
from itertools import accumulate
from typing import Any

__all__ = ["MAX_JSON_DEPTH", "JSONNestingError", "json_depth_exceeds", "loads"]

MAX_JSON_DEPTH = 128

# Opening brackets become 1, closing ones -1 (as signed bytes); quotes stay, to find strings.
_DEPTH_TABLE = bytes(1 if chr(byte) in "[{" else 0xFF if chr(byte) in "]}" else byte for byte in range(256))
_NOT_STRUCTURE = bytes(byte for byte in range(256) if chr(byte) not in '[]{}"')


class JSONNestingError(ValueError):
    """The JSON text nests arrays and objects deeper than allowed."""


def json_depth_exceeds(data: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the arrays and objects of the JSON text ``data`` nest deeper than ``limit`` (brackets inside
    strings do not count). Malformed text gives some answer; `json.loads` then says what is wrong with it."""
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    # Escaped backslashes first, so that in '\\"' the quote is seen as the end of the string it is.
    structure = data.replace(b"\\\\", b"").replace(b'\\"', b"").translate(_DEPTH_TABLE, _NOT_STRUCTURE)
    outside_strings = b"".join(structure.split(b'"')[::2])
    return max(accumulate(array("b", outside_strings)), default=0) > limit


def loads(data: bytes | str, *, limit: int = MAX_JSON_DEPTH) -> Any:
    """`json.loads`, refusing nesting deeper than ``limit``; every failure is a `ValueError`."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if json_depth_exceeds(raw, limit):
        raise JSONNestingError(f"the JSON nests arrays and objects more than {limit} levels deep")
    try:
        return json.loads(data)
    except RecursionError:  # cannot happen after the check above; kept so the promise never depends on it
        raise JSONNestingError(f"the JSON nests arrays and objects more than {limit} levels deep") from None
