"""Every deviation from upstream is recorded twice: in the spec (`x-deviation`) and in DEVIATIONS.md."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tests.conftest import ROOT


def deviation_ids_in(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "x-deviation":
                yield value
            else:
                yield from deviation_ids_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from deviation_ids_in(item)


def documented_ids() -> set[str]:
    text = (ROOT / "DEVIATIONS.md").read_text(encoding="utf-8")
    return set(re.findall(r"^## `([a-z0-9-]+)`", text, flags=re.MULTILINE))


def test_every_deviation_in_the_spec_is_documented(spec: dict[str, Any]) -> None:
    used = set(deviation_ids_in(spec))
    assert used, "the spec marks no deviation at all"
    assert used - documented_ids() == set()


def test_every_documented_deviation_is_used_in_the_spec(spec: dict[str, Any]) -> None:
    assert documented_ids() - set(deviation_ids_in(spec)) == set()


def test_no_nullable_keyword_is_left(spec: dict[str, Any]) -> None:
    def walk(node: Any, path: str) -> Iterator[str]:
        if isinstance(node, dict):
            if "nullable" in node:
                yield path
            for key, value in node.items():
                yield from walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for index, item in enumerate(node):
                yield from walk(item, f"{path}/{index}")

    assert list(walk(spec, "")) == []
