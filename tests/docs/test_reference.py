"""The API reference (docs/reference/) documents the whole public surface, and only public import paths."""

from __future__ import annotations

import re

import gladia_live_client
import gladia_live_client.testing

from ._snippets import DOCS, PUBLIC_MODULES

REFERENCE = DOCS / "reference"
DIRECTIVE = re.compile(r"^::: ([\w.]+)$", re.M)
# The pytest fixtures are documented from the plugin module that defines them (it is public: its entry point
# registers it with pytest).
FIXTURES = {
    "gladia_live_client.testing.pytest_plugin.gladia_server",
    "gladia_live_client.testing.pytest_plugin.chaos_proxy",
}


def documented() -> list[str]:
    return [name for page in sorted(REFERENCE.glob("*.md")) for name in DIRECTIVE.findall(page.read_text("utf-8"))]


def test_every_public_name_has_its_entry() -> None:
    names = set(documented())
    expected = {f"gladia_live_client.{name}" for name in gladia_live_client.__all__ if name != "__version__"}
    expected |= {f"gladia_live_client.testing.{name}" for name in gladia_live_client.testing.__all__}
    expected |= {"gladia_live_client.models", "gladia_live_client.types"} | FIXTURES
    assert sorted(expected - names) == []


def test_each_entry_is_documented_once_from_a_public_path() -> None:
    names = documented()
    assert len(names) == len(set(names))
    for name in set(names) - FIXTURES:
        module = name if name in PUBLIC_MODULES else name.rsplit(".", 1)[0]
        assert module in PUBLIC_MODULES, name
